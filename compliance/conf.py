"""Configuration keys of the compliance app (see common.config)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from common.config import define

define(
    "category.default_service_fee_rate",
    Decimal("0.05"),
    _("Technical service fee rate where no category sets one"),
)
define("qualification.expiry_warning_days", 30, _("Warn merchants before a qualification expires"), "d")
