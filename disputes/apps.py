from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DisputesConfig(AppConfig):
    name = "disputes"
    verbose_name = _("After-sales and disputes")

    def ready(self):
        # configuration keys, deadline sweeps, demo loader, admin home queue, payment purposes
        from compliance.enforcement.sampling import register_complaint_counter
        from disputes import academy_sources, admin_queues, conf, demo, purposes, sweeps  # noqa: F401
        from disputes.selectors import quality_complaint_counts

        # the sampling draw favours products with recent quality complaints
        register_complaint_counter(quality_complaint_counts)
