"""Reviewer screens for orders: read-mostly. Orders change only through their services
(buyer, merchant, courier, payment callbacks, after-sales), so nothing here edits them."""

from django.contrib import admin

from common.admin import ReadOnlyInline
from shop.models import Order, OrderEvent, OrderLine, Payment, StoreRating, TrackingEvent


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["title", "attributes", "unit_price", "quantity", "amount", "paid_amount",
              "refunded_amount", "gifts"]
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    fields = ["at", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["kind", "provider", "provider_ref", "amount", "status", "created_at",
              "confirmed_at", "reason"]
    readonly_fields = fields


class TrackingInline(ReadOnlyInline):
    model = TrackingEvent
    fields = ["at", "kind", "description", "data"]
    readonly_fields = fields


class _ReadOnlyAdmin(admin.ModelAdmin):
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Viewing needs view_ permission; changing is never offered.
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Order)
class OrderAdmin(_ReadOnlyAdmin):
    list_display = ["number", "store", "buyer", "status", "total_amount", "created_at",
                    "ship_by", "shipped_late", "pickup_late"]
    list_filter = ["status", "shipped_late", "pickup_late"]
    list_select_related = ["store", "buyer"]
    search_fields = ["=number", "=waybill_number"]
    date_hierarchy = "created_at"
    raw_id_fields = ["buyer", "store"]
    inlines = [OrderLineInline, PaymentInline, TrackingInline, OrderEventInline]
    readonly_fields = [f.name for f in Order._meta.fields]


@admin.register(Payment)
class PaymentAdmin(_ReadOnlyAdmin):
    list_display = ["provider_ref", "kind", "order", "payee", "amount", "status", "created_at"]
    list_filter = ["kind", "status", "provider"]
    list_select_related = ["order", "payee"]
    search_fields = ["=provider_ref", "=idempotency_key", "=order__number"]
    readonly_fields = [f.name for f in Payment._meta.fields]


@admin.register(StoreRating)
class StoreRatingAdmin(_ReadOnlyAdmin):
    list_display = ["order", "store", "description", "service", "logistics", "created_at"]
    list_select_related = ["order", "store"]
    search_fields = ["=order__number"]
    readonly_fields = ["order", "store", "description", "service", "logistics", "created_at"]
