"""Merchant pages for coupons (/seller/promotions/coupons/): list with filters, create,
copy to other products, change the quantity, stop (with a confirmation), drop in the live
room while it is on."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from common.access import get_owned_or_404, merchant_required
from common.errors import ApplicationError
from promotions.models import Coupon
from promotions.selectors.coupons import coupons_for_merchant, live_session_current
from promotions.services import coupons as services
from shop.models import Product
from shop.selectors.stores import store_for_merchant

PAGE_SIZE = 20
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CouponForm(forms.Form):
    title = forms.CharField(label=_("Name"), max_length=40)
    kind = forms.ChoiceField(label=_("Kind"), choices=Coupon.Kind.choices)
    amount = forms.DecimalField(label=_("Discount amount (Y)"), decimal_places=2,
                                max_digits=12)
    threshold = forms.DecimalField(label=_("Spend at least (X)"), decimal_places=2,
                                   max_digits=12, required=False,
                                   help_text=_("Threshold coupons only (满X减Y)."))
    scope = forms.ChoiceField(label=_("Applies to"), choices=Coupon.Scope.choices)
    products = forms.ModelMultipleChoiceField(label=_("Products"), required=False,
                                              queryset=Product.objects.none())
    quantity = forms.IntegerField(label=_("Total quantity"), min_value=1)
    per_buyer_limit = forms.IntegerField(label=_("Per-buyer claim limit"), min_value=1,
                                         initial=1)
    claim_starts_at = forms.DateTimeField(label=_("Claiming opens"), widget=DATETIME)
    claim_ends_at = forms.DateTimeField(label=_("Claiming closes"), widget=DATETIME)
    validity = forms.ChoiceField(label=_("Validity"), choices=Coupon.Validity.choices)
    valid_from = forms.DateTimeField(label=_("Valid from"), required=False, widget=DATETIME)
    valid_until = forms.DateTimeField(label=_("Valid until"), required=False, widget=DATETIME)
    valid_days = forms.IntegerField(label=_("Valid for (days after claiming)"),
                                    required=False, min_value=1)
    channel = forms.ChoiceField(label=_("Channel"), choices=Coupon.Channel.choices)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].queryset = (
            Product.objects.for_merchant(user).filter(kind=Product.Kind.OWN)
            .order_by("-created_at"))


def _initial(coupon: Coupon) -> dict:
    data = services.coupon_terms_data(coupon)
    data["products"] = list(coupon.products.values_list("pk", flat=True))
    return data


def _save(request, form, save):
    """Validate the form, call the service; its refusals go next to their field."""
    if not form.is_valid():
        return None
    data = dict(form.cleaned_data)
    product_ids = [p.pk for p in data.pop("products")]
    try:
        return save(data, product_ids)
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, str(exc.message))
        return None


@merchant_required
def coupon_list(request):
    store = store_for_merchant(request.user)
    if store is None:
        messages.info(request, _("Open your store first: send an application."))
        return redirect("seller:apply")
    filters = {name: request.GET.get(name, "").strip()
               for name in ("q", "status", "kind", "channel")}
    page = Paginator(coupons_for_merchant(request.user, **filters),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "seller/promotions/coupons/list.html", {
        "page": page, **filters, "statuses": Coupon.Status.choices,
        "kinds": Coupon.Kind.choices, "channels": Coupon.Channel.choices,
        "live": live_session_current(store), "now": timezone.now(),
    })


@merchant_required
def coupon_new(request):
    store = store_for_merchant(request.user)
    if store is None:
        return redirect("seller:apply")
    form = CouponForm(request.POST or None, user=request.user)
    if request.method == "POST":
        coupon = _save(request, form, lambda data, ids: services.coupon_create(
            store=store, actor=request.user, data=data, product_ids=ids))
        if coupon is not None:
            messages.success(request, _("Coupon created."))
            return redirect("seller_promotions:coupons_detail", coupon.pk)
    return render(request, "seller/promotions/coupons/edit.html", {"form": form})


@merchant_required
def coupon_copy(request, pk):
    source = get_owned_or_404(Coupon.objects.for_merchant(request.user), pk=pk)
    form = CouponForm(request.POST or None, user=request.user, initial=_initial(source))
    if request.method == "POST":
        coupon = _save(request, form, lambda data, ids: services.coupon_copy(
            coupon=source, actor=request.user, product_ids=ids, changes=data))
        if coupon is not None:
            messages.success(request, _("Coupon copied."))
            return redirect("seller_promotions:coupons_detail", coupon.pk)
    return render(request, "seller/promotions/coupons/edit.html",
                  {"form": form, "source": source})


@merchant_required
def coupon_detail(request, pk):
    coupon = get_owned_or_404(
        Coupon.objects.for_merchant(request.user).select_related("store", "live_session",
                                                                 "copied_from"), pk=pk)
    return render(request, "seller/promotions/coupons/detail.html", {
        "coupon": coupon,
        "products": coupon.products.order_by("pk")[:100],
        "events": coupon.events.select_related("actor").order_by("-at", "-pk")[:50],
        "live": live_session_current(coupon.store),
        "now": timezone.now(),
    })


@merchant_required
@require_POST
def coupon_quantity(request, pk):
    coupon = get_owned_or_404(Coupon.objects.for_merchant(request.user), pk=pk)
    try:
        services.coupon_change_quantity(coupon=coupon, quantity=request.POST.get("quantity"),
                                        actor=request.user)
        messages.success(request, _("Quantity updated."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("seller_promotions:coupons_detail", pk)


@merchant_required
def coupon_stop(request, pk):
    """GET asks for the confirmation; POST with it stops the coupon."""
    coupon = get_owned_or_404(Coupon.objects.for_merchant(request.user), pk=pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        try:
            services.coupon_stop(coupon=coupon, actor=request.user)
            messages.success(request, _("Coupon stopped."))
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
        return redirect("seller_promotions:coupons_detail", pk)
    return render(request, "seller/promotions/coupons/stop_confirm.html", {"coupon": coupon})


@merchant_required
@require_POST
def coupon_drop(request, pk):
    coupon = get_owned_or_404(Coupon.objects.for_merchant(request.user), pk=pk)
    try:
        services.coupon_drop(coupon=coupon, actor=request.user)
        messages.success(request, _("Coupon dropped in your live room."))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    return redirect("seller_promotions:coupons_detail", pk)


urlpatterns = [
    path("coupons/", coupon_list, name="coupons"),
    path("coupons/new/", coupon_new, name="coupons_new"),
    path("coupons/<int:pk>/", coupon_detail, name="coupons_detail"),
    path("coupons/<int:pk>/copy/", coupon_copy, name="coupons_copy"),
    path("coupons/<int:pk>/quantity/", coupon_quantity, name="coupons_quantity"),
    path("coupons/<int:pk>/stop/", coupon_stop, name="coupons_stop"),
    path("coupons/<int:pk>/drop/", coupon_drop, name="coupons_drop"),
]
