from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Stores and orders")

    def ready(self):
        # configuration keys, demo-data loaders, deadline sweeps and worker tasks
        from shop import conf, conf_deposits, demo, demo_deposits, demo_orders, sweeps, tasks  # noqa: F401
