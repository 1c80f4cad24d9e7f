"""Reviewer screens for payments: read-only. Payments change only through the provider's
callbacks and the owning domain's services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyModelAdmin, TimelineInline
from payments import purposes
from payments.models import Payment, PaymentEvent


class PaymentEventInline(TimelineInline):
    model = PaymentEvent


@admin.register(Payment)
class PaymentAdmin(ReadOnlyModelAdmin):
    list_display = ["provider_ref", "kind", "purpose_label", "subject_id", "payee", "amount",
                    "status", "created_at"]
    list_filter = ["kind", "status", "purpose", "provider"]
    list_select_related = ["payee"]
    search_fields = ["=provider_ref", "=idempotency_key", "=reference", "=subject_id"]
    readonly_fields = [f.name for f in Payment._meta.fields]
    inlines = [PaymentEventInline]

    @admin.display(description=_("purpose"), ordering="purpose")
    def purpose_label(self, obj):
        return purposes.label(obj.purpose)
