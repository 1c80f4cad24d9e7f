"""Reviewer screens: the store-application queue and stores."""

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timesince import timesince
from django.utils.translation import gettext_lazy as _

from common import review_queues
from common.admin import ReadOnlyInline
from common.errors import ApplicationError
from common.uploads import private_file_response
from shop.models import (
    MerchantApplication,
    MerchantApplicationEvent,
    RejectionReasonTemplate,
    Store,
    StoreEvent,
)
from shop.services import onboarding


def application_timeline(application) -> str:
    """The application's events as a plain table, statuses by their labels. Not an inline:
    a formset of rows nobody may add or change would only add a title per row and an
    "add another" link."""
    events = list(
        MerchantApplicationEvent.objects.filter(application=application)
        .select_related("actor")
        .order_by("at", "pk")
    )
    if not events:
        return _("Nothing has happened yet.")
    rows = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                date_format(timezone.localtime(e.at), "Y-m-d H:i"),
                e.from_status_label or "—",
                e.to_status_label or "—",
                e.actor_display,
                e.reason or "—",
            )
            for e in events
        ),
    )
    return format_html(
        '<table class="application-timeline"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
        "<th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        capfirst(_("at")), capfirst(_("from")), capfirst(_("to")), capfirst(_("actor")),
        capfirst(_("reason")), rows,
    )


class StatusLabelEventInline(ReadOnlyInline):
    """A timeline whose event model labels its statuses (`from_status_label`,
    `to_status_label`): the reviewer reads "Closing", not "closing"."""

    fields = ["at", "from_label", "to_label", "actor_label", "reason"]
    readonly_fields = fields
    ordering = ["at", "pk"]
    verbose_name_plural = _("Timeline")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    @admin.display(description=_("from"))
    def from_label(self, obj):
        return obj.from_status_label or "—"

    @admin.display(description=_("to"))
    def to_label(self, obj):
        return obj.to_status_label or "—"

    @admin.display(description=_("actor"))
    def actor_label(self, obj):
        return obj.actor_display


class StoreEventInline(StatusLabelEventInline):
    model = StoreEvent


class RejectForm(forms.Form):
    template = forms.ModelChoiceField(
        label=_("Reason template"), queryset=RejectionReasonTemplate.objects.none(), required=False
    )
    details = forms.CharField(label=_("Details"), widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = RejectionReasonTemplate.objects.filter(scope=scope)

    def clean(self):
        data = super().clean()
        parts = [str(data["template"]) if data.get("template") else "", (data.get("details") or "").strip()]
        reason = " ".join(p for p in parts if p)
        if not reason:
            raise forms.ValidationError(_("Choose a reason template or write the reason."))
        data["reason"] = reason
        return data


def reject_with_reason(modeladmin, request, queryset, *, scope, service, title):
    """Shared intermediate page: pick a reason template and/or write one, then call the
    service for each selected row with actor=request.user."""
    if "apply" in request.POST:
        form = RejectForm(request.POST, scope=scope)
        if form.is_valid():
            done = 0
            for obj in queryset:
                try:
                    service(obj, request.user, form.cleaned_data["reason"])
                    done += 1
                except ApplicationError as exc:
                    modeladmin.message_user(request, f"{obj}: {exc}", messages.ERROR)
            modeladmin.message_user(request, _("%(n)d rejected.") % {"n": done}, messages.SUCCESS)
            return None
    else:
        form = RejectForm(scope=scope)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action"),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/reject_with_reason.html", context)


@admin.register(MerchantApplication)
class MerchantApplicationAdmin(admin.ModelAdmin):
    list_display = ["store_name", "registered_name", "entity_type", "status", "submitted_at", "waiting"]
    list_filter = ["status", "entity_type"]
    search_fields = ["store_name", "registered_name", "credit_code", "applicant__username", "real_name"]
    ordering = ["submitted_at", "pk"]
    list_select_related = ["applicant"]
    show_full_result_count = False
    actions = ["approve_selected", "reject_selected"]
    readonly_fields = [
        "applicant", "status", "real_name", "id_number", "entity_type", "licence_preview",
        "credit_code", "registered_name", "business_scope", "contact_phone", "store_name",
        "submitted_at", "decided_at", "reviewer", "rejection_reason", "created_at", "timeline",
    ]
    exclude = ["licence_file", "licence_content_type"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("waiting"))
    def waiting(self, obj):
        if obj.status != MerchantApplication.Status.PENDING:
            return "—"
        return timesince(obj.submitted_at, timezone.now())

    @admin.display(description=_("Timeline"))
    def timeline(self, obj):
        return application_timeline(obj)

    @admin.display(description=_("business licence"))
    def licence_preview(self, obj):
        url = reverse("admin:shop_merchantapplication_licence", args=[obj.pk])
        if obj.licence_content_type.startswith("image/"):
            return format_html(
                '<a href="{0}" target="_blank" rel="noopener"><img src="{0}" alt="" class="doc-preview"></a>', url
            )
        return format_html('<a href="{}" target="_blank" rel="noopener">{}</a>', url, _("Open the PDF"))

    def get_urls(self):
        return [
            path(
                "<int:pk>/licence/",
                self.admin_site.admin_view(self.licence_view),
                name="shop_merchantapplication_licence",
            ),
            path(
                "<int:pk>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name="shop_merchantapplication_decide",
            ),
            *super().get_urls(),
        ]

    def licence_view(self, request, pk):
        if not self.has_view_permission(request):
            raise Http404
        application = get_object_or_404(MerchantApplication, pk=pk)
        return private_file_response(application.licence_file.open("rb"),
                                     content_type=application.licence_content_type,
                                     filename="licence")

    def decide_view(self, request, pk, decision):
        """Approve or reject one application from its page."""
        if not self.has_change_permission(request) or request.method != "POST":
            raise Http404
        queryset = MerchantApplication.objects.filter(pk=pk)
        if decision == "approve":
            self.approve_selected(request, queryset)
        else:
            response = self.reject_selected(request, queryset)
            if response is not None:
                return response
        return redirect("admin:shop_merchantapplication_change", pk)

    @admin.action(description=_("Approve selected applications (opens their stores)"), permissions=["change"])
    def approve_selected(self, request, queryset):
        done = 0
        for application in queryset:
            try:
                onboarding.application_approve(application=application, actor=request.user)
                done += 1
            except ApplicationError as exc:
                self.message_user(request, f"{application}: {exc}", messages.ERROR)
        if done:
            self.message_user(request, _("%(n)d approved; their stores are open.") % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Reject selected applications…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return reject_with_reason(
            self, request, queryset,
            scope=RejectionReasonTemplate.Scope.APPLICATION,
            service=lambda obj, actor, reason: onboarding.application_reject(
                application=obj, actor=actor, reason=reason
            ),
            title=_("Reject store applications"),
        )


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ["name", "merchant", "status", "industry_base", "opened_at"]
    list_filter = ["status", "industry_base"]
    search_fields = ["name", "slug", "merchant__username"]
    list_select_related = ["merchant"]
    show_full_result_count = False
    fields = ["name", "slug", "merchant", "status", "industry_base", "introduction", "profile_url", "opened_at"]
    readonly_fields = ["slug", "merchant", "status", "opened_at"]
    inlines = [StoreEventInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "industry_base" in form.changed_data:
            # The industry-belt base changes which special deposit applies.
            from shop.services.deposits import deposit_evaluate

            deposit_evaluate(store=obj, actor=request.user)


@admin.register(RejectionReasonTemplate)
class RejectionReasonTemplateAdmin(admin.ModelAdmin):
    list_display = ["text", "scope"]
    list_filter = ["scope"]
    search_fields = ["text"]


review_queues.register(
    _("Store applications"),
    lambda: MerchantApplication.objects.filter(status=MerchantApplication.Status.PENDING),
    "admin:shop_merchantapplication_changelist",
    "submitted_at",
    "shop.view_merchantapplication",
)
