"""Reviewer screens of paid promotion (推广): the review queue of promotion orders
(approve charges the budget; reject asks for the reason the merchant is shown), their
timeline, extensions and delivery results."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from common import review_queues
from common.admin import ReadOnlyInline, apply_to_each, reason_action_page, timeline_inline
from promotions.models import (
    PromotionExtension,
    PromotionOrder,
    PromotionOrderEvent,
    PromotionResult,
    PromotionResultBatch,
)
from promotions.services import ads as services


class PromotionExtensionInline(ReadOnlyInline):
    model = PromotionExtension
    fields = ["at", "added_budget", "added_hours", "actor"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class PromotionResultInline(ReadOnlyInline):
    model = PromotionResult
    fields = ["at", "batch", "exposures", "plays", "new_fans", "clicks", "spend",
              "spend_counted"]
    readonly_fields = fields
    ordering = ["-at", "-pk"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("batch")


@admin.register(PromotionOrder)
class PromotionOrderAdmin(admin.ModelAdmin):
    list_display = ["pk", "store", "kind", "goal", "budget", "duration_hours",
                    "promotes_other_platform", "status", "created_at", "ends_at", "spent"]
    list_filter = ["status", "kind", "goal", "promotes_other_platform"]
    list_select_related = ["store"]
    search_fields = ["=id", "store__name"]
    show_full_result_count = False
    ordering = ["-created_at", "-pk"]
    actions = ["approve_selected", "reject_selected"]
    inlines = [PromotionExtensionInline, timeline_inline(PromotionOrderEvent)]
    readonly_fields = [f.name for f in PromotionOrder._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Approve selected promotion orders (charges their budget)"),
                  permissions=["change"])
    def approve_selected(self, request, queryset):
        done = apply_to_each(self, request, queryset.select_related("store"), lambda order: (
            services.promotion_order_approve(order=order, actor=request.user)))
        if done:
            self.message_user(request, _("%(n)d approved; they are running.") % {"n": done},
                              messages.SUCCESS)

    @admin.action(description=_("Reject selected promotion orders…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return reason_action_page(
            self, request, queryset, title=_("Reject promotion orders"),
            apply=lambda obj, reason: services.promotion_order_reject(
                order=obj, actor=request.user, reason=reason),
        )


@admin.register(PromotionResultBatch)
class PromotionResultBatchAdmin(admin.ModelAdmin):
    list_display = ["batch_id", "received_at", "sandbox"]
    list_filter = ["sandbox"]
    search_fields = ["=batch_id"]
    show_full_result_count = False
    ordering = ["-received_at", "-pk"]
    readonly_fields = ["batch_id", "received_at", "sandbox"]
    inlines = [PromotionResultInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _review_queue():
    from promotions.selectors.ads import promotion_review_queue

    return promotion_review_queue()


review_queues.register(
    _("Paid promotion review (推广审核)"),
    _review_queue,
    "admin:promotions_promotionorder_changelist",
    "created_at",
    "promotions.view_promotionorder",
)
