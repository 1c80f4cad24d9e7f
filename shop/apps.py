from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "shop"
    verbose_name = _("Stores and orders")

    def ready(self):
        from shop import conf, demo, demo_orders, sweeps  # noqa: F401  (config, demo data, sweeps)
