from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionsConfig(AppConfig):
    name = "promotions"
    verbose_name = _("Marketing tools")

    def ready(self):
        # configuration keys, timeline reasons, deadline sweeps and demo data
        from promotions import conf, demo, reasons, sweeps  # noqa: F401
        from promotions.services.coupons import coupon_order_extension
        from promotions.services.flash_sales import flash_sale_orders
        from promotions.services.live import order_source_extension
        from promotions.services.selection import commission_order_extension
        from shop import order_extensions

        # --- flash sales: registered first, they set the flash prices of the lines
        order_extensions.register(flash_sale_orders)

        # --- platform campaigns: after the flash sale (the lower price wins), before the
        # coupons (a coupon's threshold counts the campaign price).
        from promotions.services.campaigns import campaign_pricing

        order_extensions.register(campaign_pricing)

        # --- coupons: the order path applies one store coupon. Registered after the flash
        # sale's extension, so a coupon's threshold counts the flash-priced goods.
        order_extensions.register(coupon_order_extension)

        # --- live sessions and short videos: the order records where it was placed from.
        order_extensions.register(order_source_extension)

        # --- lightning purchase: the reviewers' spot-check queue on the admin home page;
        # a rejected product review takes its lightning listing down.
        from promotions import admin_queues  # noqa: F401
        from promotions.services.lightning import lightning_listings_review_rejected
        from shop import product_hooks

        product_hooks.on_review_rejected(lightning_listings_review_rejected)
        # --- selection center: after the source, an order from a promoter's cart or video
        # snapshots the promoter's commission; it follows the order's payment, settlement
        # and refunds.
        order_extensions.register(commission_order_extension)
