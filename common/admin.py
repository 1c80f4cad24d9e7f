from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common import config
from common.errors import ApplicationError
from common.models import PlatformSetting


class PlatformSettingForm(forms.ModelForm):
    class Meta:
        model = PlatformSetting
        fields = ["key", "value", "note"]

    def clean(self):
        data = super().clean()
        key = data.get("key") or getattr(self.instance, "key", None)
        if key and "value" in data:
            try:
                data["value"] = config._to_json(config.validate(key, data["value"]))
            except forms.ValidationError as exc:
                self.add_error("value", exc)
        return data


class ReadOnlyInline(admin.TabularInline):
    """An inline that only shows rows: timelines, ledgers, payments. Event and ledger rows
    are history and are never added, changed or deleted from the admin."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.display(description=_("reason"))
def reason_label(obj):
    """A row's reason in the reader's language (`common.models.ReasonedModel`), for the
    read-only pages of event and ledger rows in place of the stored code."""
    return obj.reason_display or "—"


def fields_with_reason_label(model) -> list:
    """A read-only page's fields: the model's, with its reason shown by `reason_label`."""
    reason = ("reason", "reason_code", "reason_params")
    return [f.name for f in model._meta.fields if f.name not in reason] + [reason_label]


class TimelineInline(ReadOnlyInline):
    """An event model's rows (`common.models.EventBase`) as a timeline a reviewer reads:
    statuses by their labels, the actor ("System" for a clock) and the reason in the
    reader's language — never raw codes."""

    fields = ["at", "from_label", "to_label", "actor_label", "reason_label"]
    readonly_fields = fields
    ordering = ["at", "pk"]

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

    @admin.display(description=_("reason"))
    def reason_label(self, obj):
        return obj.reason_display or "—"


def timeline_inline(event_model, **attrs) -> type[TimelineInline]:
    """The read-only timeline inline of an event model (`common.models.EventBase`): one
    line in place of a class per model, e.g. ``inlines = [timeline_inline(OfferEvent)]``."""
    return type(f"{event_model.__name__}Inline", (TimelineInline,),
                {"model": event_model, "__module__": event_model.__module__, **attrs})


def apply_to_each(modeladmin, request, queryset, service) -> int:
    """An admin action's loop: `service(row)` for each row of `queryset`; a row the service
    refuses (ApplicationError) is reported as an error with the row's name and the others go
    on. Returns how many rows were done."""
    done = 0
    for obj in queryset:
        try:
            service(obj)
            done += 1
        except ApplicationError as exc:
            modeladmin.message_user(request, f"{obj}: {exc}", messages.ERROR)
    return done


class ReasonForm(forms.Form):
    """The reason of a rejection (or any other decision the merchant is told the reason of).

    With `templates` (a queryset of reason templates, e.g. the rejection reason templates of
    one scope) the reviewer ticks templates and/or writes a text, and at least one is needed;
    the reason is the ticked templates' texts, then the written text, joined by "；". Without
    it the form is one reason field that must be filled in. Either way the reason is
    ``cleaned_data["reason"]``."""

    JOIN = "；"

    text = forms.CharField(
        label=_("Reason (shown to the merchant)"), widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, templates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_templates = templates is not None
        if not self.with_templates:
            self.fields["text"] = forms.CharField(
                label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
            )
            return
        self.fields["templates"] = forms.ModelMultipleChoiceField(
            label=_("Reason templates"), queryset=templates,
            widget=forms.CheckboxSelectMultiple, required=False,
        )
        if not templates.exists():
            self.fields["templates"].help_text = _(
                "No reason templates for this kind of review yet: add them under "
                "“Rejection reason templates”."
            )
        self.order_fields(["templates", "text"])

    def clean(self):
        data = super().clean()
        parts = [str(t) for t in data.get("templates") or []]
        if (data.get("text") or "").strip():
            parts.append(data["text"].strip())
        if self.with_templates and not parts:
            raise forms.ValidationError(_("Choose a reason template or write a reason."))
        data["reason"] = self.JOIN.join(parts)
        return data


def reason_action_page(modeladmin, request, queryset, *, title, apply, templates=None,
                       submit_label=None, done_message=None, form_class=None):
    """An admin action's intermediate page that asks for a reason (`ReasonForm`, with the
    reason `templates` if given) and, once it is given, calls `apply(row, reason)` for each
    row of `queryset` through `apply_to_each`. `done_message` reports how many were done: a
    string with ``%(n)d`` (by default "n rejected.") or a function of n for plural forms.
    Returns the page, or None once done (back to the changelist). `form_class` replaces
    `ReasonForm` (same constructor; its ``cleaned_data["reason"]`` is what `apply` gets, e.g.
    a reason code with the reviewer's words)."""
    form_class = form_class or ReasonForm
    if "apply" in request.POST:
        form = form_class(request.POST, templates=templates)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            done = apply_to_each(modeladmin, request, queryset, lambda row: apply(row, reason))
            if callable(done_message):
                message = done_message(done)
            else:
                message = (done_message or _("%(n)d rejected.")) % {"n": done}
            modeladmin.message_user(request, message, messages.SUCCESS)
            return None
    else:
        form = form_class(templates=templates)
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "form": form,
        "queryset": queryset,
        "opts": modeladmin.model._meta,
        "action": request.POST.get("action"),
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "submit_label": submit_label or _("Reject"),
    }
    return TemplateResponse(request, "admin/reject_with_reason.html", context)


class ServiceModelAdmin(admin.ModelAdmin):
    """A reviewer screen over rows that change only through their services' own pages:
    viewing needs the view_ permission; the admin's change form and deleting are never
    offered (adding is left to the screen)."""

    show_full_result_count = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyModelAdmin(ServiceModelAdmin):
    """A reviewer screen over rows that change only through their services (orders,
    payments, ledgers, after-sale requests): viewing needs the view_ permission; adding,
    changing and deleting are never offered."""

    def has_add_permission(self, request):
        return False


@admin.register(PlatformSetting)
class PlatformSettingAdmin(SimpleHistoryAdmin):
    form = PlatformSettingForm
    list_display = ["key", "label", "value", "default", "updated_at"]
    search_fields = ["key"]
    readonly_fields = ["updated_at"]

    @admin.display(description=_("meaning"))
    def label(self, obj):
        d = config.definitions().get(obj.key)
        return f"{d.label} ({d.unit})" if d and d.unit else (d.label if d else "—")

    @admin.display(description=_("default"))
    def default(self, obj):
        d = config.definitions().get(obj.key)
        return config._to_json(d.default) if d else "—"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        config.forget_cached(obj.key)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser
