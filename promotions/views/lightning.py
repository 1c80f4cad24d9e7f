"""Merchant pages of lightning purchase (/seller/promotions/lightning/): the conditions and
the switch (开通闪电购); the quick listing of a live session (售卖商品 → 闪电购) with the
session's lightning listings and their end buttons; the sales record (售卖记录)."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from common.access import merchant_required
from common.errors import ApplicationError
from common.uploads import SniffedImageField
from promotions.models import LightningListing, LiveSession
from promotions.selectors.coupons import live_session_current
from promotions.selectors.lightning import (
    lightning_category_choices,
    lightning_conditions,
    lightning_listing_for_merchant,
    lightning_listings_for_merchant,
    lightning_listings_of_session,
    lightning_session_for_merchant,
    lightning_sold,
    lightning_switch_of,
)
from promotions.services import lightning as services
from shop.selectors.stores import store_for_merchant

PAGE_SIZE = 20
RECENT = 20


class QuickListingForm(forms.Form):
    photo = SniffedImageField(label=_("Photo of the product (JPG or PNG)"))
    title = forms.CharField(label=_("Title"), max_length=120)
    category = forms.TypedChoiceField(label=_("Category"), coerce=int, choices=())
    price = forms.DecimalField(label=_("Price (yuan)"), min_value=0, max_digits=12,
                               decimal_places=2)
    stock = forms.IntegerField(label=_("Stock"), min_value=1)

    def __init__(self, *args, store, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = [("", "---------"),
                                           *lightning_category_choices(store)]
        self.fields["category"].help_text = _(
            "Only the categories open to lightning purchase.")


def _store_or_none(request):
    return store_for_merchant(request.user)


@merchant_required
def lightning_page(request):
    """The conditions, each with its state and value, and the switch."""
    store = _store_or_none(request)
    if store is None:
        return redirect("seller:apply")
    conditions = lightning_conditions(store)
    switch = lightning_switch_of(store)
    return render(request, "seller/promotions/lightning/index.html", {
        "store": store, "conditions": conditions, "switch": switch,
        "eligible": all(c.met for c in conditions), "current": live_session_current(store),
        "events": (switch.events.select_related("actor").order_by("-at", "-pk")[:RECENT]
                   if switch.pk else []),
    })


@merchant_required
@require_POST
def lightning_switch(request):
    store = _store_or_none(request)
    if store is None:
        return redirect("seller:apply")
    enabled = request.POST.get("enabled") == "on"
    try:
        services.lightning_switch_set(store=store, enabled=enabled, actor=request.user)
        messages.success(request, _("Lightning purchase turned on.") if enabled
                         else _("Lightning purchase turned off."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("seller_promotions:lightning")


def _own_session(request, pk) -> LiveSession:
    try:
        return lightning_session_for_merchant(request.user, pk)
    except LiveSession.DoesNotExist:
        raise Http404


@merchant_required
def lightning_session(request, pk):
    """A live session's quick listing form and its lightning listings."""
    session = _own_session(request, pk)
    form = QuickListingForm(store=session.store)
    if request.method == "POST":
        form = QuickListingForm(request.POST, request.FILES, store=session.store)
        if form.is_valid():
            data = form.cleaned_data
            try:
                listing = services.lightning_listing_create(
                    session=session, actor=request.user, title=data["title"],
                    category_id=data["category"], price=data["price"], stock=data["stock"],
                    photo=data["photo"])
            except ApplicationError as exc:
                field = exc.field if exc.field in form.fields else None
                form.add_error(field, str(exc.message))
            else:
                if listing.screening_hit:
                    messages.warning(request, _("Listed: the screening found something to "
                                                "check, so the product waits for a reviewer."))
                else:
                    messages.success(request, _("Listed: on sale in the cart now."))
                return redirect("seller_promotions:lightning_session", pk=session.pk)
    listings = list(lightning_listings_of_session(session)[:RECENT])
    sold = lightning_sold(listings)
    return render(request, "seller/promotions/lightning/session.html", {
        "session": session, "form": form, "rows": [(row, sold[row.pk]) for row in listings],
        "switch": lightning_switch_of(session.store),
    })


@merchant_required
@require_POST
def lightning_end(request, pk):
    try:
        listing = lightning_listing_for_merchant(request.user, pk)
    except LightningListing.DoesNotExist:
        raise Http404
    back = request.POST.get("next") == "sales"
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick “I confirm” to end the lightning listing."))
    else:
        try:
            services.lightning_listing_end(listing=listing, actor=request.user)
            messages.success(request, _("Lightning listing ended: off sale and out of the cart."))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
    if back:
        return redirect("seller_promotions:lightning_sales")
    return redirect("seller_promotions:lightning_session", pk=listing.session_id)


@merchant_required
def lightning_sales(request):
    """The sales record (售卖记录): every lightning listing, newest first, with what it
    sold."""
    store = _store_or_none(request)
    if store is None:
        return redirect("seller:apply")
    page = Paginator(lightning_listings_for_merchant(request.user), PAGE_SIZE).get_page(
        request.GET.get("page"))
    rows = list(page.object_list)
    sold = lightning_sold(rows)
    return render(request, "seller/promotions/lightning/sales.html", {
        "page": page, "rows": [(row, sold[row.pk]) for row in rows],
    })


urlpatterns = [
    path("lightning/", lightning_page, name="lightning"),
    path("lightning/switch/", lightning_switch, name="lightning_switch"),
    path("lightning/sales/", lightning_sales, name="lightning_sales"),
    path("lightning/live/<int:pk>/", lightning_session, name="lightning_session"),
    path("lightning/<int:pk>/end/", lightning_end, name="lightning_end"),
]
