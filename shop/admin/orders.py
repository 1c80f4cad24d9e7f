"""Reviewer screens for orders: read-mostly. Orders change only through their services
(buyer, merchant, courier, payment callbacks, after-sales), so nothing here edits them."""

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyInline, ReadOnlyModelAdmin, TimelineInline
from common.pagination import EstimatedCountPaginator
from shop.models import Order, OrderEvent, OrderLine, StoreRating, TrackingEvent
from shop.services.order_payments import order_payments


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["title", "attributes", "unit_price", "quantity", "amount", "paid_amount",
              "refunded_amount", "gifts"]
    readonly_fields = fields


class OrderEventInline(TimelineInline):
    model = OrderEvent


class TrackingInline(ReadOnlyInline):
    model = TrackingEvent
    fields = ["at", "kind", "description", "data"]
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyModelAdmin):
    # counts stop at a cap (an estimate past it): the list does not grow with the table
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_display = ["number", "store", "buyer", "status", "total_amount", "created_at",
                    "ship_by", "shipped_late", "pickup_late"]
    list_filter = ["status", "shipped_late", "pickup_late", "created_at"]
    list_select_related = ["store", "buyer"]
    search_fields = ["=number", "=waybill_number"]
    # No date drill-down: it aggregates the dates of every row on each page view; the
    # "created" filter is a range on the indexed column.
    raw_id_fields = ["buyer", "store"]
    inlines = [OrderLineInline, TrackingInline, OrderEventInline]
    readonly_fields = [*(f.name for f in Order._meta.fields), "payments_table"]

    @admin.display(description=_("payments"))
    def payments_table(self, obj):
        rows = [(p.get_kind_display(), p.provider_ref, p.amount, p.get_status_display(),
                 p.created_at) for p in order_payments(obj)]
        if not rows:
            return "—"
        return format_html_join("", "<div>{} · {} · ¥{} · {} · {:%Y-%m-%d %H:%M}</div>", rows)


@admin.register(StoreRating)
class StoreRatingAdmin(ReadOnlyModelAdmin):
    list_display = ["order", "store", "description", "service", "logistics", "created_at"]
    list_select_related = ["order", "store"]
    search_fields = ["=order__number"]
    readonly_fields = ["order", "store", "description", "service", "logistics", "created_at"]
