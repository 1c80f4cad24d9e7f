"""Reviewer screens: the store-application queue and stores."""

from django import forms
from django.contrib import admin, messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from common import review_queues
from common.admin import ReasonForm, TimelineInline, reason_action_page
from common.errors import ApplicationError
from common.uploads import private_file_response
from compliance.admin_review import ReviewQueueMixin, confirm_bulk_page
from compliance.models import Category
from shop.models import (
    CategoryInvitation,
    CategoryInvitationEvent,
    MerchantApplication,
    MerchantApplicationEvent,
    RejectionReasonTemplate,
    Store,
    StoreEvent,
    StoreProfileChange,
    StoreProfileChangeEvent,
)
from shop.services import invitations, onboarding, stores


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
                e.reason_display or "—",
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


class StatusLabelEventInline(TimelineInline):
    """A timeline the reviewer reads as "Closing", not "closing"."""

    verbose_name_plural = _("Timeline")


class StoreEventInline(StatusLabelEventInline):
    model = StoreEvent


class DecideOnPageMixin:
    """A queue whose approve and reject actions are also buttons on one row's page: a POST
    to <pk>/decide/approve/ (or any other decision: reject) runs the action on that row,
    then goes back to the row's page unless the reject action shows its own page."""

    def get_urls(self):
        opts = self.model._meta
        return [
            path(
                "<int:pk>/decide/<str:decision>/",
                self.admin_site.admin_view(self.decide_view),
                name=f"{opts.app_label}_{opts.model_name}_decide",
            ),
            *super().get_urls(),
        ]

    def decide_view(self, request, pk, decision):
        """Approve or reject one row from its page."""
        if not self.has_change_permission(request) or request.method != "POST":
            raise Http404
        queryset = self.model.objects.filter(pk=pk)
        if decision == "approve":
            # The page's button confirms at once ("apply"); otherwise the confirmation page.
            response = self.approve_selected(request, queryset)
        else:
            response = self.reject_selected(request, queryset)
        if response is not None:
            return response
        opts = self.model._meta
        return redirect(f"admin:{opts.app_label}_{opts.model_name}_change", pk)


@admin.register(MerchantApplication)
class MerchantApplicationAdmin(ReviewQueueMixin, DecideOnPageMixin, admin.ModelAdmin):
    list_display = ["licence_thumb", "store_name", "registered_name", "entity_type", "status",
                    "submitted_at", "waiting"]
    list_display_links = ["store_name"]
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

    def review_reject_form(self):
        return ReasonForm(templates=RejectionReasonTemplate.objects.filter(
            scope=RejectionReasonTemplate.Scope.APPLICATION))

    @admin.display(description=_("licence"))
    def licence_thumb(self, obj):
        """A small preview of the licence through the reviewers' file view."""
        url = reverse("admin:shop_merchantapplication_licence", args=[obj.pk])
        if obj.licence_content_type.startswith("image/"):
            return format_html('<img src="{}" alt="{}" class="review-thumb" width="56" '
                               'height="56" loading="lazy">', url,
                               _("Business licence of %(name)s") % {"name": obj.store_name})
        return format_html('<span class="review-noimg">{}</span>', _("PDF"))

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
            *super().get_urls(),
        ]

    def licence_view(self, request, pk):
        if not self.has_view_permission(request):
            raise Http404
        application = get_object_or_404(MerchantApplication, pk=pk)
        return private_file_response(application.licence_file.open("rb"),
                                     content_type=application.licence_content_type,
                                     filename="licence")

    @admin.action(description=_("Approve selected applications (opens their stores)…"),
                  permissions=["change"])
    def approve_selected(self, request, queryset):
        pending = MerchantApplication.Status.PENDING
        return confirm_bulk_page(
            self, request, queryset,
            title=_("Approve store applications"),
            rows=[(a, _("Pending → approved: the store “%(name)s” opens.") % {"name": a.store_name})
                  for a in queryset if a.status == pending],
            skipped=[(a, _("Not waiting for review (%(status)s).") % {
                "status": a.get_status_display()}) for a in queryset if a.status != pending],
            apply=lambda application: onboarding.application_approve(
                application=application, actor=request.user),
            done_message=lambda n: _("%(n)d approved; their stores are open.") % {"n": n},
            submit_label=_("Approve"),
        )

    @admin.action(description=_("Reject selected applications…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return reason_action_page(
            self, request, queryset,
            title=_("Reject store applications"),
            templates=RejectionReasonTemplate.objects.filter(
                scope=RejectionReasonTemplate.Scope.APPLICATION),
            apply=lambda obj, reason: onboarding.application_reject(
                application=obj, actor=request.user, reason=reason
            ),
        )


class StoreAdminForm(forms.ModelForm):
    profile_url = forms.URLField(label=_("merchant profile link"), required=False,
                                 assume_scheme="https")

    class Meta:
        model = Store
        fields = ["name", "industry_base", "introduction", "profile_url"]

    def clean_name(self):
        name = (self.cleaned_data.get("name") or "").strip()
        if name and self.instance.status in stores.NAMED_STATUSES and stores.store_name_taken(
                name, store=self.instance):
            raise forms.ValidationError(stores.store_name_taken_error(name).message)
        return name

    def clean_profile_url(self):
        from common import config
        from shop.platform_links import parse_profile_link

        return parse_profile_link(self.cleaned_data.get("profile_url") or "",
                                  config.get("store.profile_link_prefixes").split())


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    form = StoreAdminForm
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


class StoreProfileChangeEventInline(StatusLabelEventInline):
    model = StoreProfileChangeEvent


@admin.register(StoreProfileChange)
class StoreProfileChangeAdmin(ReviewQueueMixin, DecideOnPageMixin, admin.ModelAdmin):
    """The queue of store profile changes (a rename, or texts the screening flagged)."""

    list_display = ["store", "current_name", "name", "renames", "has_hits", "status",
                    "submitted_at", "waiting"]
    list_filter = ["status", "renames", "has_hits"]
    search_fields = ["name", "store__name", "store__merchant__username"]
    ordering = ["submitted_at", "pk"]
    list_select_related = ["store"]
    show_full_result_count = False
    actions = ["approve_selected", "reject_selected"]
    fields = ["store", "status", "current_name", "name", "current_introduction", "introduction",
              "current_profile_url", "profile_url", "hits", "submitted_at", "decided_at",
              "reviewer", "rejection_reason"]
    readonly_fields = fields
    inlines = [StoreProfileChangeEventInline]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("store")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("current name"))
    def current_name(self, obj):
        return obj.store.name

    @admin.display(description=_("current introduction"))
    def current_introduction(self, obj):
        return obj.store.introduction or "—"

    @admin.display(description=_("current profile link"))
    def current_profile_url(self, obj):
        return obj.store.profile_url or "—"

    @admin.display(description=_("screening hits"))
    def hits(self, obj):
        if not obj.screening_hits:
            return "—"
        labels = {"store_name": Store._meta.get_field("name").verbose_name,
                  "introduction": Store._meta.get_field("introduction").verbose_name}
        return format_html_join(
            "", "<div>{}: {} “{}”</div>",
            ((capfirst(labels.get(h.get("field"), h.get("field", ""))), h.get("rule_name", ""),
              h.get("text", "")) for h in obj.screening_hits),
        )

    def review_reject_form(self):
        return ReasonForm(templates=RejectionReasonTemplate.objects.filter(
            scope=RejectionReasonTemplate.Scope.STORE_PROFILE))

    @admin.action(description=_("Approve selected store profile changes…"), permissions=["change"])
    def approve_selected(self, request, queryset):
        pending = StoreProfileChange.Status.PENDING
        queryset = queryset.select_related("store")

        def change_words(c):
            if c.renames:
                return _("Pending → approved: “%(old)s” is renamed “%(new)s”.") % {
                    "old": c.store.name, "new": c.name}
            return _("Pending → approved: the store page shows the new texts.")

        return confirm_bulk_page(
            self, request, queryset,
            title=_("Approve store profile changes"),
            rows=[(c, change_words(c)) for c in queryset if c.status == pending],
            skipped=[(c, _("Not waiting for review (%(status)s).") % {
                "status": c.get_status_display()}) for c in queryset if c.status != pending],
            apply=lambda change: stores.store_profile_change_approve(change=change,
                                                                     actor=request.user),
            done_message=lambda n: _("%(n)d approved; the store pages show them.") % {"n": n},
            submit_label=_("Approve"),
        )

    @admin.action(description=_("Reject selected store profile changes…"), permissions=["change"])
    def reject_selected(self, request, queryset):
        return reason_action_page(
            self, request, queryset,
            title=_("Reject store profile changes"),
            templates=RejectionReasonTemplate.objects.filter(
                scope=RejectionReasonTemplate.Scope.STORE_PROFILE),
            apply=lambda obj, reason: stores.store_profile_change_reject(
                change=obj, actor=request.user, reason=reason
            ),
        )


class CategoryInvitationEventInline(StatusLabelEventInline):
    model = CategoryInvitationEvent


class CategoryInvitationForm(forms.ModelForm):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = CategoryInvitation
        fields = ["store", "category"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(invitation_only=True)
        self.fields["store"].help_text = _(
            "Only an open store inside an industry-belt base can be invited.")

    def clean(self):
        data = super().clean()
        if data.get("store") and data.get("category"):
            problem = invitations.category_invitation_problem(
                store=data["store"], category=data["category"])
            if problem:
                raise forms.ValidationError(problem)
        return data


@admin.register(CategoryInvitation)
class CategoryInvitationAdmin(admin.ModelAdmin):
    """Invitations of industry-belt base stores into invitation-only categories (邀请制)."""

    list_display = ["store", "category", "status", "invited_by", "created_at", "withdrawn_at"]
    list_filter = ["status", ("category", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["store__name", "store__merchant__username"]
    list_select_related = ["store", "category", "invited_by"]
    show_full_result_count = False
    autocomplete_fields = ["store"]
    actions = ["withdraw_selected"]
    inlines = [CategoryInvitationEventInline]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = CategoryInvitationForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["store", "category", "reason"]
        return ["store", "category", "status", "invited_by", "created_at", "withdrawn_at"]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.get_fields(request, obj)

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        try:
            created = invitations.category_invite(
                store=form.cleaned_data["store"], category=form.cleaned_data["category"],
                actor=request.user, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            # Checked by the form; a concurrent invitation can still get here first.
            self.message_user(request, str(exc), messages.ERROR)
            obj.pk = None
            return
        obj.pk = created.pk
        obj.refresh_from_db()

    def response_add(self, request, obj, post_url_continue=None):
        if obj.pk is None:
            return redirect("admin:shop_categoryinvitation_changelist")
        return super().response_add(request, obj, post_url_continue)

    def log_addition(self, request, obj, message):
        if obj.pk is not None:
            return super().log_addition(request, obj, message)
        return None

    def save_related(self, request, form, formsets, change):
        pass

    @admin.action(description=_("Withdraw selected invitations…"), permissions=["change"])
    def withdraw_selected(self, request, queryset):
        return reason_action_page(
            self, request, queryset,
            title=_("Withdraw category invitations"),
            templates=RejectionReasonTemplate.objects.filter(
                scope=RejectionReasonTemplate.Scope.INVITATION),
            apply=lambda obj, reason: invitations.category_invitation_withdraw(
                invitation=obj, actor=request.user, reason=reason
            ),
            done_message=_("%(n)d withdrawn."),
        )


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
review_queues.register(
    _("Store profile changes"),
    lambda: StoreProfileChange.objects.filter(status=StoreProfileChange.Status.PENDING),
    "admin:shop_storeprofilechange_changelist",
    "submitted_at",
    "shop.view_storeprofilechange",
)
