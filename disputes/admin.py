"""Reviewer screens for after-sales: read-mostly (requests change only through their
services), with the one reviewer action — reopening a ruling with a reason."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import ReadOnlyInline, ReadOnlyModelAdmin, TimelineInline
from common.errors import ApplicationError
from common.pagination import EstimatedCountPaginator
from disputes import services
from disputes.models import (
    AfterSaleEvent,
    AfterSaleEvidence,
    AfterSaleMessage,
    AfterSaleRequest,
    MerchantReturnAddress,
    Ruling,
)


class EventInline(TimelineInline):
    model = AfterSaleEvent
    fields = ["at", "side", "actor_label", "from_label", "to_label", "reason_label", "data"]
    readonly_fields = fields


class MessageInline(ReadOnlyInline):
    model = AfterSaleMessage
    fields = ["created_at", "side", "author", "text"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class EvidenceInline(ReadOnlyInline):
    model = AfterSaleEvidence
    fields = ["created_at", "side", "author", "kind", "note"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class RulingInline(ReadOnlyInline):
    model = Ruling
    fields = ["at", "agent", "outcome", "fault", "net_amount", "platform_pays_first",
              "reopened_at", "reopen_reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agent")


@admin.register(AfterSaleRequest)
class AfterSaleRequestAdmin(ReadOnlyModelAdmin):
    # counts stop at a cap (an estimate past it): the list does not grow with the table
    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_display = ["id", "order", "store", "buyer", "kind", "reason", "amount", "status",
                    "escalated_at", "agent", "created_at"]
    list_filter = ["status", "kind", "reason", "contact_missed", "reship_overdue",
                   "platform_pays", "created_at"]
    list_select_related = ["order", "store", "buyer", "agent"]
    search_fields = ["=id", "=order__number", "=return_waybill"]
    # No date drill-down: it aggregates the dates of every row on each page view; the
    # "created" filter is a range on the indexed column.
    raw_id_fields = ["order", "line", "buyer", "store", "agent", "refusal_tracking", "payment"]
    inlines = [RulingInline, EvidenceInline, MessageInline, EventInline]
    readonly_fields = ["reopen"] + [f.name for f in AfterSaleRequest._meta.fields]

    @admin.display(description=_("ruling"))
    def reopen(self, obj):
        ruling = obj.rulings.filter(reopened_at__isnull=True).first() if obj.pk else None
        if ruling is None:
            return "—"
        return format_html('<a class="button" href="{}">{}</a>',
                           reverse("admin:disputes_ruling_reopen", args=[ruling.pk]),
                           _("Reopen this ruling"))


class ReopenForm(forms.Form):
    reason = forms.CharField(label=_("Why reopen"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


@admin.register(Ruling)
class RulingAdmin(ReadOnlyModelAdmin):
    list_display = ["id", "request", "agent", "outcome", "fault", "net_amount",
                    "platform_pays_first", "at", "reopened_at"]
    list_filter = ["outcome", "fault", "merchant_at_fault", "platform_pays_first"]
    list_select_related = ["request", "agent"]
    search_fields = ["=request__id", "=request__order__number"]
    raw_id_fields = ["request", "agent", "reopened_by"]
    readonly_fields = ["reopen_link"] + [f.name for f in Ruling._meta.fields]

    @admin.display(description=_("reopen"))
    def reopen_link(self, obj):
        if obj.reopened_at is not None:
            return "—"
        return format_html('<a class="button" href="{}">{}</a>',
                           reverse("admin:disputes_ruling_reopen", args=[obj.pk]),
                           _("Reopen this ruling"))

    def get_urls(self):
        return [path("<int:pk>/reopen/", self.admin_site.admin_view(self.reopen_view),
                     name="disputes_ruling_reopen")] + super().get_urls()

    def reopen_view(self, request, pk):
        if not request.user.has_perm("disputes.change_ruling"):
            raise PermissionDenied
        ruling = get_object_or_404(Ruling.objects.select_related("request"), pk=pk)
        form = ReopenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.ruling_reopen(ruling=ruling, actor=request.user,
                                       reason=form.cleaned_data["reason"])
            except ApplicationError as exc:
                form.add_error("reason", exc.message)
            else:
                messages.success(request, _("The ruling was reopened; the case is back in the "
                                            "support queue."))
                return redirect("admin:disputes_aftersalerequest_change", ruling.request_id)
        context = {**self.admin_site.each_context(request), "form": form, "ruling": ruling,
                   "opts": self.model._meta, "title": _("Reopen a ruling")}
        return TemplateResponse(request, "admin/disputes/ruling/reopen.html", context)


@admin.register(MerchantReturnAddress)
class MerchantReturnAddressAdmin(ReadOnlyModelAdmin):
    list_display = ["store", "name", "phone", "province", "city", "created_at"]
    list_select_related = ["store"]
    raw_id_fields = ["store", "created_by"]
    readonly_fields = [f.name for f in MerchantReturnAddress._meta.fields]
