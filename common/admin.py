from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common import config
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


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """A reviewer screen over rows that change only through their services (orders,
    payments, ledgers, after-sale requests): viewing needs the view_ permission; adding,
    changing and deleting are never offered."""

    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
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
