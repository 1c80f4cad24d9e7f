from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommonConfig(AppConfig):
    name = "common"
    verbose_name = _("Platform")

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        from common import bulk, checks  # noqa: F401 - the any_of lookup; the system checks

        # Each app's reason catalogue (`<app>/reasons.py`) registers its codes.
        autodiscover_modules("reasons")
        # Each app's notification kinds (`<app>/notifications.py`), with common's own keys.
        autodiscover_modules("notifications")
