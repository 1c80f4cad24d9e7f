"""Configuration keys of the shop app (see common.config)."""

from django.utils.translation import gettext_lazy as _

from common.config import define

define("order.pay_within_minutes", 30, _("Unpaid orders are cancelled after"), "min")
define("order.ship_within_hours", 48, _("Merchant ships within (after payment)"), "h")
define("order.pickup_within_hours", 72, _("Courier pickup visible within (after payment)"), "h")
define("order.complete_after_signing_days", 7, _("Orders complete automatically after signing"), "d")
define("courier.future_skew_minutes", 10,
       _("Courier events dated further ahead than this are refused"), "min")
define("dsr.window_days", 90, _("DSR is averaged over the last"), "d")
