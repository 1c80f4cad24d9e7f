"""Merchant pages of the selection center (/seller/promotions/selection/): the center a
promoter browses (search, category, sort by commission or sales; "+¥赚XX" per item) and
adds offered products from to its live cart or a short video; the seller's offers (offer,
change the rate, withdraw); the promoter's commission records."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from common import config
from common.access import merchant_required
from common.errors import ApplicationError
from promotions.models import Commission, ProductOffer, ShortVideo
from promotions.rules.selection import rate_parse
from promotions.selectors.coupons import live_session_current
from promotions.selectors.selection import (
    DEFAULT_SORT,
    SORTS,
    center_categories,
    center_offer,
    center_page,
    commission_totals,
    commissions_page,
    offer_candidates_for_seller,
    offer_for_seller,
    offers_for_seller,
    promoter_may_use_center,
    promoter_video,
    promoter_videos,
)
from promotions.services import live as live_services
from promotions.services import selection as services
from shop.selectors.stores import store_for_merchant

PAGE_SIZE = 20
SORT_LABELS = {"commission": _("Highest commission"), "sales": _("Best selling")}


class ProductChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class RateField(forms.CharField):
    """A commission rate typed in percent ("20" is 20%); the service checks the bounds."""

    def clean(self, value):
        value = super().clean(value)
        rate = rate_parse(value)
        if rate is None:
            raise forms.ValidationError(_("Enter a percentage, e.g. 20 or 12.5."))
        return rate


def _rate_help():
    low = config.get("selection.min_commission_rate") * 100
    high = config.get("selection.max_commission_rate") * 100
    return _("In percent of the price paid, from %(low)s%% to %(high)s%%.") % {
        "low": f"{low.normalize():f}", "high": f"{high.normalize():f}"}


class OfferForm(forms.Form):
    product = ProductChoice(label=_("Product"), queryset=None)
    rate = RateField(label=_("Commission rate (%)"), max_length=8)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = offer_candidates_for_seller(user)
        self.fields["rate"].help_text = _rate_help()


class RateForm(forms.Form):
    rate = RateField(label=_("Commission rate (%)"), max_length=8)


def _store_or_redirect(request):
    store = store_for_merchant(request.user)
    if store is None:
        messages.info(request, _("Open your store first: send an application."))
    return store


# --- the seller's offers ----------------------------------------------------------------
@merchant_required
def offer_list(request):
    store = _store_or_redirect(request)
    if store is None:
        return redirect("seller:apply")
    filters = {name: request.GET.get(name, "").strip() for name in ("q", "status")}
    form = OfferForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_create(store=store, product_id=form.cleaned_data["product"].pk,
                                  rate=form.cleaned_data["rate"], actor=request.user)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        else:
            messages.success(request, _("The product is offered in the selection center."))
            return redirect("seller_promotions:selection_offers")
    page = Paginator(offers_for_seller(request.user, **filters), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "seller/promotions/selection/offers.html", {
        "page": page, "form": form, **filters, "statuses": ProductOffer.Status.choices,
        "rate_help": _rate_help(),
    })


def _own_offer(request, pk) -> ProductOffer:
    try:
        return offer_for_seller(request.user, pk)
    except ProductOffer.DoesNotExist:
        raise Http404


@merchant_required
def offer_detail(request, pk):
    offer = _own_offer(request, pk)
    form = RateForm(request.POST or None, initial={"rate": f"{(offer.rate * 100).normalize():f}"})
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_change_rate(offer=offer, rate=form.cleaned_data["rate"],
                                       actor=request.user)
        except ApplicationError as exc:
            form.add_error("rate" if exc.field == "rate" else None, str(exc.message))
        else:
            messages.success(request, _("Commission rate saved."))
            return redirect("seller_promotions:selection_offers_detail", pk=offer.pk)
    return render(request, "seller/promotions/selection/offer_detail.html", {
        "offer": offer, "form": form, "rate_help": _rate_help(),
        "events": offer.events.select_related("actor").order_by("-at", "-pk")[:20],
    })


@merchant_required
@require_POST
def offer_withdraw(request, pk):
    offer = _own_offer(request, pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick “I confirm” to withdraw the offer."))
        return redirect("seller_promotions:selection_offers_detail", pk=offer.pk)
    try:
        services.offer_withdraw(offer=offer, actor=request.user)
        messages.success(request, _("The offer is withdrawn."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("seller_promotions:selection_offers_detail", pk=offer.pk)


# --- the center (promoters) -------------------------------------------------------------
@merchant_required
def center(request):
    store = _store_or_redirect(request)
    if store is None:
        return redirect("seller:apply")
    filters = {name: request.GET.get(name, "").strip() for name in ("q", "category", "sort")}
    if filters["sort"] not in SORTS:
        filters["sort"] = DEFAULT_SORT
    allowed = promoter_may_use_center(store)
    page = center_page(store, **filters, after=request.GET.get("after", ""),
                       before=request.GET.get("before", "")) if allowed else None
    videos = promoter_videos(store, limit=PAGE_SIZE) if allowed else []
    return render(request, "seller/promotions/selection/center.html", {
        "page": page, **filters, "allowed": allowed, "query": {k: v for k, v in filters.items() if v},
        "categories": center_categories(), "sorts": [(k, SORT_LABELS[k]) for k in SORTS],
        "live": live_session_current(store), "videos": videos,
    })


def _center_offer(request, pk):
    store = store_for_merchant(request.user)
    if store is None or not promoter_may_use_center(store):
        raise Http404
    try:
        return store, center_offer(store, pk)
    except ProductOffer.DoesNotExist:
        raise Http404


@merchant_required
def center_detail(request, pk):
    store, offer = _center_offer(request, pk)
    return render(request, "seller/promotions/selection/center_detail.html", {
        "offer": offer, "live": live_session_current(store),
        "videos": promoter_videos(store, limit=PAGE_SIZE),
    })


@merchant_required
@require_POST
def center_add_to_cart(request, pk):
    """Add the offered product to the promoter's live session on air."""
    store, offer = _center_offer(request, pk)
    session = live_session_current(store)
    if session is None:
        messages.error(request, _("Go live first: the product goes into your live session's "
                                  "cart."))
        return redirect("seller_promotions:selection")
    try:
        live_services.live_cart_add(session=session, product_id=offer.product_id,
                                    actor=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("seller_promotions:selection")
    messages.success(request, _("Added to your live cart."))
    return redirect("seller_promotions:live_session", pk=session.pk)


@merchant_required
@require_POST
def center_link_to_video(request, pk):
    """Link the offered product to one of the promoter's published videos (after its
    products)."""
    store, offer = _center_offer(request, pk)
    try:
        video = promoter_video(store, request.POST.get("video"))
    except ShortVideo.DoesNotExist:
        messages.error(request, _("Choose one of your published videos."))
        return redirect("seller_promotions:selection")
    try:
        live_services.short_video_link_product(video=video, product_id=offer.product_id,
                                               actor=request.user)
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
        return redirect("seller_promotions:selection")
    messages.success(request, _("Linked to your video."))
    return redirect("seller_promotions:videos_detail", pk=video.pk)


# --- a promoter's commissions -----------------------------------------------------------
@merchant_required
def commission_list(request):
    store = _store_or_redirect(request)
    if store is None:
        return redirect("seller:apply")
    status = request.GET.get("status", "").strip()
    if status not in Commission.Status.values:
        status = ""
    page = commissions_page(request.user, status=status, after=request.GET.get("after", ""),
                            before=request.GET.get("before", ""))
    return render(request, "seller/promotions/selection/commissions.html", {
        "page": page, "status": status, "statuses": Commission.Status.choices,
        "query": {"status": status} if status else {}, "totals": commission_totals(request.user),
    })


urlpatterns = [
    path("selection/", center, name="selection"),
    path("selection/<int:pk>/", center_detail, name="selection_detail"),
    path("selection/<int:pk>/cart/", center_add_to_cart, name="selection_add_to_cart"),
    path("selection/<int:pk>/video/", center_link_to_video, name="selection_link_to_video"),
    path("selection/offers/", offer_list, name="selection_offers"),
    path("selection/offers/<int:pk>/", offer_detail, name="selection_offers_detail"),
    path("selection/offers/<int:pk>/withdraw/", offer_withdraw,
         name="selection_offers_withdraw"),
    path("selection/commissions/", commission_list, name="selection_commissions"),
]
