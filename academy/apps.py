from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AcademyConfig(AppConfig):
    name = "academy"
    verbose_name = _("Academy")

    def ready(self):
        # configuration keys, reason catalogue, demo loader
        from academy import conf, demo, reasons  # noqa: F401
