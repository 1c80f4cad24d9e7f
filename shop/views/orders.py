"""Merchant pages for orders: the list (orders to ship first, with countdowns), the
detail with its timeline, shipping one order, and shipping many from a CSV file."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from common.access import merchant_required
from common.errors import ApplicationError
from disputes.models import AfterSaleRequest
from disputes.selectors import open_requests_for_order
from shop.models import Order
from shop.rules.orders import COURIERS, courier_label
from shop.selectors.orders import (
    order_counts_for_merchant,
    order_detail_for_merchant,
    order_filter,
    orders_for_merchant,
    orders_with_open_after_sales,
)
from shop.services.shipping import BULK_SHIP_MAX_BYTES, order_ship, orders_bulk_ship_csv

PAGE_SIZE = 20
MAX_PAGE = 500  # no deep OFFSET pages: narrow the filters instead


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("All"))] + list(Order.Status.choices))
    date_from = forms.DateField(label=_("Created from"), required=False,
                                widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Created until"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(label=_("Order or waybill number"), required=False, max_length=40)
    late = forms.BooleanField(label=_("Deadline missed"), required=False)


class ShipForm(forms.Form):
    courier = forms.ChoiceField(label=_("Courier"), choices=list(COURIERS.items()))
    waybill_number = forms.CharField(label=_("Waybill number"), max_length=40)


class BulkShipForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_("Columns: order_number, courier, waybill_number. At most 1 MB."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > BULK_SHIP_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload


@merchant_required
def order_list(request):
    form = OrderFilterForm(request.GET or None)
    qs = orders_with_open_after_sales(orders_for_merchant(request.user))
    if form.is_bound and form.is_valid():
        qs = order_filter(qs, **form.cleaned_data)
    paginator = Paginator(qs, PAGE_SIZE)
    try:
        number = min(int(request.GET.get("page", 1)), MAX_PAGE)
    except ValueError:
        number = 1
    page = paginator.get_page(number)
    for order in page.object_list:
        order.courier_label = courier_label(order.courier)
        if order.open_after_sale_status:
            order.open_after_sale_label = AfterSaleRequest.Status(
                order.open_after_sale_status).label
    return render(request, "seller/orders/list.html", {
        "form": form, "page": page, "counts": order_counts_for_merchant(request.user),
        "statuses": Order.Status,
    })


def _detail_page(request, number, *, ship_form=None, confirm_shipping=False):
    try:
        order = order_detail_for_merchant(request.user, number)
    except Order.DoesNotExist:
        raise Http404
    order.courier_label = courier_label(order.courier)
    open_after_sales = open_requests_for_order(order)
    return render(request, "seller/orders/detail.html", {
        "order": order, "ship_form": ship_form or ShipForm(), "couriers": COURIERS,
        "open_after_sales": open_after_sales,
        "open_refund_only": [r for r in open_after_sales
                             if r.kind == AfterSaleRequest.Kind.REFUND_ONLY],
        "confirm_shipping": confirm_shipping,
    })


@merchant_required
def order_detail(request, number):
    return _detail_page(request, number)


@merchant_required
@require_POST
def order_ship_view(request, number):
    order = get_object_or_404(Order.objects.for_merchant(request.user), number=number)
    form = ShipForm(request.POST)
    if form.is_valid() and request.POST.get("confirm") != "1" and any(
        r.kind == AfterSaleRequest.Kind.REFUND_ONLY for r in open_requests_for_order(order)
    ):
        # The buyer asked for their money back without the goods: shipping does not end
        # that request (see disputes.rules.auto_approve_action), so the merchant confirms
        # knowing what happens to it.
        return _detail_page(request, number, ship_form=form, confirm_shipping=True)
    if form.is_valid():
        try:
            order_ship(order=order, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Shipped."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("seller:orders_detail", number=number)


@merchant_required
def order_bulk_ship(request):
    results = None
    if request.method == "POST":
        form = BulkShipForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                results = orders_bulk_ship_csv(data=form.cleaned_data["file"].read(),
                                               actor=request.user)
            except ApplicationError as exc:
                form.add_error("file", exc.message)
    else:
        form = BulkShipForm()
    shipped = sum(1 for r in results or [] if r.ok)
    return render(request, "seller/orders/bulk_ship.html", {
        "form": form, "results": results, "shipped": shipped,
        "failed": len(results or []) - shipped,
    })


urlpatterns = [
    path("orders/", order_list, name="orders"),
    path("orders/bulk-ship/", order_bulk_ship, name="orders_bulk_ship"),
    path("orders/<str:number>/", order_detail, name="orders_detail"),
    path("orders/<str:number>/ship/", order_ship_view, name="orders_ship"),
]
