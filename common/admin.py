from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from common import config
from common.models import PlatformSetting


@admin.register(PlatformSetting)
class PlatformSettingAdmin(SimpleHistoryAdmin):
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
