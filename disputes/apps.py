from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("After-sales and disputes")

    def ready(self):
        # configuration keys, deadline sweeps, demo loader, admin home queue, payment purposes
        from disputes import admin_queues, conf, demo, purposes, sweeps  # noqa: F401
