"""Configuration keys of the shop app (see common.config): orders, shipping and DSR;
deposits (保证金), the store account (货款) and store closure (关店), seeded with the
handbook's values (SPEC §2). These declared defaults are the one source of every amount:
compliance.seed_data reads them. Reviewers edit them in the admin and every change is
kept in the settings' history."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from common.config import define

define("order.pay_within_minutes", 30, _("Unpaid orders are cancelled after"), "min")
define("order.ship_within_hours", 48, _("Merchant ships within (after payment)"), "h")
define("order.ship_soon_hours", 6,
       _("The dashboard flags orders to ship whose deadline is within"), "h")
define("order.pickup_within_hours", 72, _("Courier pickup visible within (after payment)"), "h")
define("order.complete_after_signing_days", 7, _("Orders complete automatically after signing"), "d")
define("order.max_in_flight_per_sku", 8,
       _("Orders of one SKU placed at once in one server process (the rest wait in line)"),
       "")
define("courier.future_skew_minutes", 10,
       _("Courier events dated further ahead than this are refused"), "min")
define("dsr.window_days", 90, _("DSR is averaged over the last"), "d")
define("product.description_max_length", 5000,
       _("A product description is at most this many characters"), "")

# --- deposits, store account, closure ---------------------------------------------------
# Base amount of each deposit type.
define("deposit.base_store", Decimal("500"), _("Store deposit: base amount"), "CNY")
define("deposit.base_promotion", Decimal("500"), _("Promotion deposit: base amount"), "CNY")
# Monthly dynamic adjustment (动态调整) by the previous natural month's sales: the highest
# tier whose minimum the sales reach applies; below the first tier the base amount does.
define("deposit.tier1_min_sales", Decimal("100000"), _("Sales tier 1: monthly sales from"), "CNY")
define("deposit.tier1_store", Decimal("5000"), _("Sales tier 1: store deposit"), "CNY")
define("deposit.tier1_promotion", Decimal("3000"), _("Sales tier 1: promotion deposit"), "CNY")
define("deposit.tier2_min_sales", Decimal("500000"), _("Sales tier 2: monthly sales from"), "CNY")
define("deposit.tier2_store", Decimal("50000"), _("Sales tier 2: store deposit"), "CNY")
define("deposit.tier2_promotion", Decimal("30000"), _("Sales tier 2: promotion deposit"), "CNY")
define(
    "deposit.max_negative_balance", Decimal("0"),
    _("A deduction may take a deposit below zero by at most"), "CNY",
)
define(
    "deposit.first_payment_days", 7,
    _("A new store's deposit must be paid within (after opening)"), "d",
)
define(
    "account.withdrawal_auto_max", Decimal("1000"),
    _("Withdrawals up to this amount are paid without review (0: review all)"), "CNY",
)
define("closure.notice_days", 30, _("Closure notice shown on the store page for"), "d")
define("closure.review_days", 30, _("Closure applications are reviewed within"), "d")
define(
    "closure.quiet_days", 30,
    _("A store may close once its last order completed at least"), "d",
)
define(
    "store.profile_link_prefixes",
    "www.kuaishou.com/profile/ live.kuaishou.com/profile/ v.kuaishou.com/ m.gifshow.com/fw/user/",
    _("Accepted merchant profile links (host and path before the id, separated by spaces)"),
)
