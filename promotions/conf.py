"""Configuration keys of the promotions app (see common.config)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from common.config import define

# --- coupons ----------------------------------------------------------------------------
define("coupon.max_quantity", 100000, _("A coupon's total quantity is at most"), "pcs")
define("coupon.max_per_buyer_limit", 10, _("A coupon's per-buyer claim limit is at most"), "pcs")
define("coupon.max_valid_days", 365, _("A claimed coupon is valid for at most"), "d")
define("coupon.max_products", 100, _("A coupon applies to at most this many products"), "pcs")

# --- flash sales ------------------------------------------------------------------------
define("flash_sale.min_duration_minutes", 3, _("A flash sale lasts at least"), "min")
define("flash_sale.max_duration_minutes", 24 * 60, _("A flash sale lasts at most"), "min")
define("flash_sale.max_schedule_ahead_days", 30,
       _("A flash sale may be scheduled to start at most this far ahead"), "d")
define("flash_sale.max_per_buyer_limit", 99,
       _("Largest purchase limit per buyer a flash sale may set"), "pcs")

# --- live selling and short videos -----------------------------------------------------
define("live.cart_max_products", 100,
       _("A live session's shopping cart holds at most this many products"), "pcs")
define("live.results_top_products", 10,
       _("A live session's or short video's results list this many top products"), "pcs")
define("short_video.max_products", 10,
       _("A short video is linked to at most this many products"), "pcs")

# --- lightning purchase (闪电购) ---------------------------------------------------------
define("lightning.min_credit_score", 90,
       _("Lightning purchase: the store's credit score is at least"), "pt")
define("lightning.min_store_days", 30,
       _("Lightning purchase: the store has been open for at least"), "d")
define("lightning.title_max_length", 30,
       _("A lightning listing's title is at most this many characters"), "")
define("lightning.max_price", Decimal("99999.00"),
       _("A lightning listing's price is at most"), "CNY")
define("lightning.max_stock", 9999, _("A lightning listing's stock is at most"), "pcs")
define("lightning.max_listings_per_session", 50,
       _("A live session takes at most this many lightning listings"), "pcs")
# --- selection center (选货中心) and commissions ---------------------------------------
define("selection.min_commission_rate", Decimal(1) / 100,  # 1 %
       _("A selection-center commission rate is at least (0.01 = 1%)"), "")
define("selection.max_commission_rate", Decimal("0.50"),
       _("A selection-center commission rate is at most (0.50 = 50%)"), "")
define("selection.page_size", 20, _("Selection-center products shown per page"), "pcs")
define("selection.max_pages", 50,
       _("The selection center pages through at most this many pages (refine the search "
         "beyond)"), "")
# --- paid promotion (推广) ----------------------------------------------------------------
define("paid_promotion.min_budget", Decimal("30.00"),
       _("A promotion order's budget is at least"), "CNY")
define("paid_promotion.max_budget", Decimal("100000.00"),
       _("A promotion order's budget is at most"), "CNY")
define("paid_promotion.min_extension_budget", Decimal("10.00"),
       _("An extension (追投) adds at least this budget, when it adds budget"), "CNY")
define("paid_promotion.duration_hours_choices", [6, 12, 24, 48],
       _("Durations a promotion order may choose (a list of hours)"), "h")
define("paid_promotion.max_total_hours", 7 * 24,
       _("A promotion order runs at most this long, extensions included"), "h")
define("paid_promotion.other_platform_deposit", Decimal("500.00"),
       _("Promoting other-platform products needs a promotion deposit of at least"), "CNY")
define("paid_promotion.compare_max_orders", 4,
       _("Promotion orders compared side by side at most"), "")
define("paid_promotion.max_results_per_batch", 500,
       _("Order rows in one batch of delivery results at most"), "")
# The sandbox delivery feed (only while sandbox mode is on): plausible figures per run.
define("ad_sandbox.cost_per_mille", Decimal("40.00"),
       _("Sandbox delivery feed: cost of 1,000 exposures"), "CNY")
define("ad_sandbox.max_budget_share_per_run", 5,
       _("Sandbox delivery feed: largest share of the budget spent per run"), "%")
define("ad_sandbox.play_rate", 12, _("Sandbox delivery feed: plays per 100 exposures"), "%")
define("ad_sandbox.fan_rate", 4, _("Sandbox delivery feed: new fans per 100 plays"), "%")
define("ad_sandbox.click_rate", 8, _("Sandbox delivery feed: product clicks per 100 plays"),
       "%")
# --- platform campaigns ----------------------------------------------------------------
define("campaign.dsr_min_ratings", 1,
       _("A store needs at least this many ratings in the DSR window to meet a campaign's "
         "minimum DSR"), "pcs")
define("campaign.max_duration_days", 31, _("A platform campaign lasts at most"), "d")
define("campaign.max_skus_per_entry", 100,
       _("A campaign sign-up holds at most this many SKUs"), "pcs")
