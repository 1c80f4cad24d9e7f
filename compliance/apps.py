from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance")

    def ready(self):
        # configuration keys, deadline sweeps, demo loader, admin home queues, and the
        # signal that tells the compiled screener a term changed
        from compliance import admin_queues, conf, demo, purposes, sweeps  # noqa: F401
        from compliance.enforcement import conf as enforcement_conf  # noqa: F401
        from compliance.screening import runtime  # noqa: F401
