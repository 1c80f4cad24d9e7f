"""Reviewer screens of platform campaigns (营销活动): create and change campaigns until they
start, cancel them, and the sign-up review queue (accept after a confirmation, reject with
a reason code), one by one or in bulk."""

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from common import review_queues
from common.admin import ReadOnlyInline, apply_to_each, reason_action_page, timeline_inline
from common.errors import ApplicationError
from common.uploads import SniffedImageField
from promotions.models import (
    Campaign,
    CampaignEntry,
    CampaignEntryEvent,
    CampaignEntryItem,
    CampaignEvent,
)
from promotions.reasons import R
from promotions.services import campaigns as campaign_services

CAMPAIGN_FIELDS = ["name", "description", "banner", "starts_at", "ends_at", "categories",
                   "min_dsr", "max_price_percent", "require_no_restriction",
                   "require_deposit_paid"]


class CampaignForm(forms.ModelForm):
    banner = SniffedImageField(label=_("Banner (JPG or PNG)"), required=False)

    class Meta:
        model = Campaign
        fields = CAMPAIGN_FIELDS

    def clean(self):
        data = super().clean()
        if not self.instance.pk and not data.get("banner"):
            self.add_error("banner", _("Upload a banner image."))
        if data.get("starts_at") and data.get("ends_at") and data.get("name"):
            try:
                campaign_services.campaign_clean(
                    name=data["name"], starts_at=data["starts_at"], ends_at=data["ends_at"],
                    min_dsr=data.get("min_dsr"), max_price_percent=data.get("max_price_percent"),
                    now=timezone.now())
            except ApplicationError as exc:
                self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        banner = data.get("banner") or None  # False: "clear" ticked; the banner stays
        return {"name": data["name"], "description": data.get("description", ""),
                "banner": banner, "starts_at": data["starts_at"], "ends_at": data["ends_at"],
                "categories": list(data.get("categories") or ()),
                "min_dsr": data.get("min_dsr"),
                "max_price_percent": data.get("max_price_percent"),
                "require_no_restriction": data.get("require_no_restriction", False),
                "require_deposit_paid": data.get("require_deposit_paid", False)}


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    """Reviewers create campaigns and change them until they start; the clocks start and
    end them. Every write goes through the campaign services."""

    form = CampaignForm
    list_display = ["name", "status", "starts_at", "ends_at", "min_dsr", "max_price_percent"]
    list_filter = ["status"]
    search_fields = ["name"]
    ordering = ["-starts_at", "-pk"]
    show_full_result_count = False
    autocomplete_fields = ["categories"]
    inlines = [timeline_inline(CampaignEvent)]
    actions = ["cancel_selected"]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != Campaign.Status.SCHEDULED:
            return CAMPAIGN_FIELDS
        return []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            campaign_services.campaign_update(campaign=obj, actor=request.user,
                                              **form.service_kwargs())
            return
        created = campaign_services.campaign_create(actor=request.user,
                                                    **form.service_kwargs())
        obj.pk = obj.id = created.pk

    def save_related(self, request, form, formsets, change):
        """The service set the categories (no form.save_m2m); the read-only timeline's
        formset saves nothing but is saved for the change message."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("Cancel selected campaigns…"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        return reason_action_page(
            self, request, queryset, title=_("Cancel campaigns"),
            apply=lambda c, reason: campaign_services.campaign_cancel(
                campaign=c, actor=request.user, reason=reason),
            submit_label=_("Cancel the campaigns"),
            done_message=lambda n: ngettext("%(n)d campaign cancelled.",
                                            "%(n)d campaigns cancelled.", n) % {"n": n})


class CampaignRejectForm(forms.Form):
    """A rejection of sign-ups: a reason code, with the reviewer's words if needed (used by
    `common.admin.reason_action_page`)."""

    code = forms.ChoiceField(label=_("Reason"), widget=forms.RadioSelect)
    text = forms.CharField(label=_("Note to the merchant (optional)"), required=False,
                           max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [(code, R.messages[code])
                                       for code in campaign_services.REJECT_CODES]

    def clean(self):
        data = super().clean()
        if data.get("code"):
            data["reason"] = R(data["code"]).noting((data.get("text") or "").strip())
        return data


class CampaignEntryItemInline(ReadOnlyInline):
    model = CampaignEntryItem
    fields = ["sku", "regular_price", "campaign_price", "percent"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("sku__product")

    @admin.display(description=_("Percent of the regular price"))
    def percent(self, obj):
        return f"{obj.campaign_price * 100 / obj.regular_price:.0f}%"


@admin.register(CampaignEntry)
class CampaignEntryAdmin(admin.ModelAdmin):
    """The sign-up review queue: accept (after a confirmation) or reject with a reason
    code, one by one or in bulk."""

    list_display = ["id", "campaign", "store", "product", "status", "created_at"]
    list_filter = ["status", "campaign"]
    list_select_related = ["campaign", "store", "product"]
    search_fields = ["=id", "product__title", "store__name"]
    ordering = ["-created_at", "-pk"]
    show_full_result_count = False
    list_per_page = 50
    raw_id_fields = ["campaign", "store", "product", "decided_by"]
    readonly_fields = ["campaign", "store", "product", "status", "created_at", "decided_at",
                       "decided_by"]
    fields = readonly_fields
    inlines = [CampaignEntryItemInline, timeline_inline(CampaignEntryEvent)]
    actions = ["accept_selected", "reject_selected"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Accept selected sign-ups…"), permissions=["change"])
    def accept_selected(self, request, queryset):
        queryset = queryset.select_related("campaign", "store", "product")
        if request.POST.get("confirm") != "yes":
            return TemplateResponse(request, "admin/promotions/campaignentry/accept.html", {
                **self.admin_site.each_context(request),
                "title": _("Accept campaign sign-ups"), "queryset": queryset,
                "opts": self.model._meta, "action": request.POST.get("action"),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            })
        done = apply_to_each(self, request, queryset,
                             lambda e: campaign_services.campaign_entry_accept(
                                 entry=e, actor=request.user))
        self.message_user(request, ngettext("%(n)d sign-up accepted.",
                                            "%(n)d sign-ups accepted.", done) % {"n": done},
                          messages.SUCCESS)
        return None

    @admin.action(description=_("Reject selected sign-ups…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return reason_action_page(
            self, request, queryset.select_related("campaign", "store", "product"),
            title=_("Reject campaign sign-ups"), form_class=CampaignRejectForm,
            apply=lambda e, reason: campaign_services.campaign_entry_reject(
                entry=e, actor=request.user, reason=reason),
            done_message=lambda n: ngettext("%(n)d sign-up rejected.",
                                            "%(n)d sign-ups rejected.", n) % {"n": n})


def _campaign_entry_queue():
    from promotions.selectors.campaigns import campaign_entry_review_queue

    return campaign_entry_review_queue()


review_queues.register(
    _("Campaign sign-ups (活动提报)"),
    _campaign_entry_queue,
    "admin:promotions_campaignentry_changelist",
    "created_at",
    "promotions.view_campaignentry",
)
