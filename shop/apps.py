from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Stores and orders")

    def ready(self):
        # configuration keys, demo-data loaders, deadline sweeps, worker tasks, the payment
        # purposes shop owns and its subscriptions to compliance's announcements
        from shop import (  # noqa: F401
            academy_sources,
            conf,
            demo,
            purposes,
            reasons,
            subscribers,
            sweeps,
            tasks,
        )
