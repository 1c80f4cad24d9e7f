"""Merchant pages for orders: the list (orders to ship first, with countdowns), the
detail with its timeline, shipping one order, and shipping many from a CSV file."""

from django import forms
from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from common.access import merchant_required
from common.errors import ApplicationError
from common.exports import CSV_CONTENT_TYPE, csv_bytes, csv_response, xlsx_response
from common.keyset import keyset_page
from disputes.models import AfterSaleRequest
from disputes.selectors import (
    open_requests_for_order,
    orders_to_confirm_before_shipping,
    shipping_warning,
)
from shop.models import Order, OrderLine
from shop.rules.orders import COURIERS, buyer_masked, courier_label
from shop.selectors.invoices import invoice_of_order_for_merchant
from shop.selectors.orders import (
    LIST_COUNT_CAP,
    merchant_order_counts,
    merchant_order_view,
    merchant_orders,
    merchant_store_ids,
    order_detail_for_merchant,
    order_export_rows,
    order_filter,
    orders_with_open_after_sales,
)
from shop.services.shipping import BULK_SHIP_MAX_BYTES, order_ship, orders_bulk_ship_csv

PAGE_SIZE = 20
LIST_COUNTED = (Order.Status.PAID, Order.Status.PENDING_PAYMENT, Order.Status.SHIPPED,
                Order.Status.COMPLETED)


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
    confirm_refund_only = forms.BooleanField(
        label=_("I have read the warnings and also ship orders whose buyer asked for a refund "
                "without returning the goods"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > BULK_SHIP_MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 1 MB."))
        return upload


def _list_selection(request, store_ids, counts=None):
    """The list's filters and view from the query string, as the list and its exports
    read them: (form, view, filtered orders, keys that order them)."""
    form = OrderFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    view = request.GET.get("view", "")
    if filters.get("status"):
        view = "all"  # a chosen status is the set to list
    if view not in ("to_ship", "all"):
        # what needs the merchant first: orders to ship, if there are any
        if counts is None:
            counts = merchant_order_counts(store_ids, [Order.Status.PAID], cap=0)
        view = "to_ship" if counts[Order.Status.PAID] and not any(filters.values()) else "all"
    qs, keys = merchant_order_view(merchant_orders(store_ids), view)
    return form, view, order_filter(qs, **filters), keys


@merchant_required
def order_list(request):
    store_ids = merchant_store_ids(request.user)
    counts = merchant_order_counts(store_ids, LIST_COUNTED)
    form, view, qs, keys = _list_selection(request, store_ids, counts)
    qs = orders_with_open_after_sales(qs)
    page = keyset_page(qs, keys=keys, size=PAGE_SIZE, after=request.GET.get("after", ""),
                       before=request.GET.get("before", ""))
    # The rows' products (title, thumbnail) in one more query for the whole page.
    prefetch_related_objects(page.object_list, Prefetch(
        "lines", queryset=OrderLine.objects.select_related("product").only(
            "order_id", "title", "quantity", "product__image"),
    ))
    for order in page.object_list:
        lines = list(order.lines.all())
        order.list_lines, order.list_more_lines = lines[:1], max(0, len(lines) - 1)
        order.courier_label = courier_label(order.courier)
        order.buyer_masked = buyer_masked(order.buyer.get_username())
        if order.open_after_sale_status:
            order.open_after_sale_label = AfterSaleRequest.Status(
                order.open_after_sale_status).label
    query = {k: v for k, v in request.GET.items() if k not in ("after", "before")}
    return render(request, "seller/orders/list.html", {
        "form": form, "page": page, "view": view, "statuses": Order.Status,
        "counts": {status: CountLabel(n) for status, n in counts.items()},
        "query": query, "export_query": urlencode({**query, "view": view}),
    })


def _export_columns() -> list:
    return [_("Order number"), _("Paid at"), _("Status"), _("Buyer"),
            _("Products (SKU × quantity)"), _("Goods amount"), _("Shipping fee"),
            _("Discount"), _("Amount paid"), _("Amount refunded"), _("Recipient"),
            _("Phone"), _("Shipping address"), _("Courier"), _("Waybill number"),
            _("Buyer note")]


EXPORT_WIDTHS = (22, 19, 12, 12, 48, 10, 10, 10, 10, 10, 10, 14, 48, 12, 20, 24)


def _export_cells(rows):
    """The export's cells of each order (selectors.order_export_rows), in the columns of
    `_export_columns`; labels are translated once, not per row."""
    statuses = {value: str(label) for value, label in Order.Status.choices}
    couriers = {}
    for row in rows:
        address = row["address"] if isinstance(row["address"], dict) else {}
        paid_at = row["paid_at"]
        courier = row["courier"]
        if courier not in couriers:
            couriers[courier] = str(courier_label(courier))
        yield [
            row["number"],
            timezone.localtime(paid_at).strftime("%Y-%m-%d %H:%M:%S") if paid_at else "",
            statuses.get(row["status"], row["status"]),
            buyer_masked(row["buyer__username"]),
            "; ".join(_line_text(line) for line in row["lines"]),
            row["goods_amount"], row["shipping_fee"], row["discount_amount"],
            row["paid_amount"], row["refunded_amount"],
            address.get("name", ""), address.get("phone", ""),
            " ".join(str(address.get(k) or "") for k in ("province", "city", "district",
                                                           "detail")).strip(),
            couriers[courier], row["waybill_number"], row["buyer_note"],
        ]


def _line_text(line) -> str:
    spec = " ".join(str(v) for v in (line["attributes"] or {}).values()) \
        if isinstance(line["attributes"], dict) else ""
    text = line["title"] + (f" [{spec}]" if spec else "")
    if line["sku_code"]:
        text += f" ({line['sku_code']})"
    return f"{text} × {line['quantity']}"


@merchant_required
def order_export(request, fmt):
    """The list as filtered, every page of it, for fulfilment: CSV streamed as it is read,
    XLSX written row by row to a temporary file and streamed back."""
    if fmt not in ("csv", "xlsx"):
        raise Http404
    store_ids = merchant_store_ids(request.user)
    _form, view, qs, keys = _list_selection(request, store_ids)
    rows = _export_cells(order_export_rows(qs, keys))
    filename = f"orders-{timezone.localtime():%Y%m%d-%H%M%S}.{fmt}"
    if fmt == "xlsx":
        return xlsx_response(_export_columns(), rows, filename=filename,
                             sheet=str(_("Orders")), widths=EXPORT_WIDTHS)
    return csv_response(_export_columns(), rows, filename=filename)


class CountLabel(int):
    """A bounded count: shown as "10,000+" once it reaches the cap."""

    def __str__(self):
        if self > LIST_COUNT_CAP:
            return f"{LIST_COUNT_CAP:,}+"
        return f"{int(self):,}"


def _detail_page(request, number, *, ship_form=None, confirm_shipping=False):
    try:
        order = order_detail_for_merchant(request.user, number)
    except Order.DoesNotExist:
        raise Http404
    order.courier_label = courier_label(order.courier)
    order.invoice_record = (invoice_of_order_for_merchant(request.user, order)
                            if order.invoice_title else None)
    open_after_sales = open_requests_for_order(order)
    return render(request, "seller/orders/detail.html", {
        "order": order, "ship_form": ship_form or ShipForm(), "couriers": COURIERS,
        "open_after_sales": open_after_sales,
        "open_refund_only": [r for r in open_after_sales
                             if r.kind == AfterSaleRequest.Kind.REFUND_ONLY],
        "confirm_shipping": confirm_shipping,
        "ship_warning": shipping_warning(),
    })


@merchant_required
def order_detail(request, number):
    return _detail_page(request, number)


@merchant_required
@require_POST
def order_ship_view(request, number):
    order = get_object_or_404(Order.objects.for_merchant(request.user), number=number)
    form = ShipForm(request.POST)
    if (form.is_valid() and request.POST.get("confirm") != "1"
            and orders_to_confirm_before_shipping([order])):
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


def _shipping_warnings(orders) -> dict:
    warning = shipping_warning()
    return {pk: warning for pk in orders_to_confirm_before_shipping(orders)}


@merchant_required
def order_bulk_ship(request):
    results = None
    if request.method == "POST":
        form = BulkShipForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                results = orders_bulk_ship_csv(
                    data=form.cleaned_data["file"].read(), actor=request.user,
                    warnings_for=_shipping_warnings,
                    confirmed=form.cleaned_data["confirm_refund_only"])
            except ApplicationError as exc:
                form.add_error("file", exc.message)
    else:
        form = BulkShipForm()
    if results is not None:
        # The rows not shipped, as uploaded plus why, for the merchant to correct and
        # upload again: kept with the merchant's session (the latest upload only).
        header, rows = results.error_rows()
        if rows:
            request.session[BULK_SHIP_ERRORS_KEY] = csv_bytes(header, rows).decode("utf-8")
        else:
            request.session.pop(BULK_SHIP_ERRORS_KEY, None)
    shipped = sum(1 for r in results or [] if r.ok)
    return render(request, "seller/orders/bulk_ship.html", {
        "form": form, "results": results, "shipped": shipped,
        "failed": len(results or []) - shipped,
    })


BULK_SHIP_ERRORS_KEY = "orders_bulk_ship_errors"


@merchant_required
def order_bulk_ship_errors(request):
    """The rows of the merchant's latest upload that were not shipped, with the reason."""
    text = request.session.get(BULK_SHIP_ERRORS_KEY)
    if not text:
        raise Http404
    response = HttpResponse(text.encode("utf-8"), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="orders-not-shipped.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


urlpatterns = [
    path("orders/", order_list, name="orders"),
    path("orders/bulk-ship/", order_bulk_ship, name="orders_bulk_ship"),
    path("orders/bulk-ship/errors.csv", order_bulk_ship_errors,
         name="orders_bulk_ship_errors"),
    path("orders/export.<str:fmt>", order_export, name="orders_export"),
    path("orders/<str:number>/", order_detail, name="orders_detail"),
    path("orders/<str:number>/ship/", order_ship_view, name="orders_ship"),
]
