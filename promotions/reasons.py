"""Reasons the promotions app writes on its timelines (common.reasons)."""

from django.utils.translation import gettext_lazy as _

from common.reasons import Catalogue

# --- coupons and live sessions ----------------------------------------------------------
R = Catalogue("promotions", {
    "coupon_created": _("Coupon created"),
    "coupon_copied": _("Copied from coupon #%(source)s"),
    "coupon_quantity_changed": _("Quantity changed from %(old)s to %(new)s"),
    "coupon_stopped": _("Stopped by the merchant"),
    "coupon_dropped": _("Dropped in live session #%(session)s"),
    "claim_claimed": _("Claimed"),
    "claim_used": _("Used by order %(number)s"),
    "claim_returned": _("Returned: the order did not go ahead"),
    "claim_expired": _("Validity ended"),
    "live_started": _("Live session started"),
    "live_ended": _("Live session ended"),
    # --- flash sales
    "flash_created": _("Flash sale scheduled"),
    "flash_started": _("Flash sale started: %(taken)s of %(requested)s units moved to the "
                       "flash stock"),
    "flash_ended": _("Flash sale ended: %(returned)s unsold units returned to stock"),
    "flash_ended_early": _("Ended early by the merchant: %(returned)s unsold units returned "
                           "to stock"),
    "flash_cancelled": _("Cancelled by the merchant before it started"),
    "flash_store_restricted": _("Cancelled at its start: the store cannot sell right now"),
    # --- live selling and short videos
    "live_cart_enabled": _("Selling in this session turned on"),
    "live_cart_disabled": _("Selling in this session turned off"),
    "live_cart_added": _("Product #%(product)s added to the cart"),
    "live_cart_removed": _("Product #%(product)s removed from the cart"),
    "live_cart_moved": _("Product #%(product)s moved in the cart"),
    "live_cart_presenting": _("Presenting product #%(product)s"),
    "live_cart_presenting_none": _("No product presented"),
    "video_published": _("Short video published"),
    "video_products_linked": _("Linked products changed: %(count)s linked"),
    "video_removed": _("Removed by the merchant"),
    # --- lightning purchase (闪电购)
    "lightning_turned_on": _("Lightning purchase turned on: every condition is met"),
    "lightning_turned_off": _("Lightning purchase turned off by the merchant"),
    "lightning_listed": _("Quick listing made: the screening found nothing, on sale in "
                          "the cart at once"),
    "lightning_to_review": _("Quick listing made: the screening found %(hits)s hits, the "
                             "product waits in the review queue"),
    "lightning_cart_added": _("Lightning product #%(product)s added to the cart"),
    "lightning_ended": _("Lightning listing ended by the merchant"),
    "lightning_session_ended": _("Lightning listing ended with its live session"),
    "lightning_spot_checked": _("Spot-checked by a reviewer: nothing found"),
    "lightning_taken_down": _("Taken down by a reviewer after a spot check"),
    "lightning_review_rejected": _("Taken down: the product's review was rejected"),
    # --- selection center and commissions
    "offer_created": _("Offered in the selection center at %(rate)s commission"),
    "offer_rate_changed": _("Commission rate changed from %(old)s to %(new)s"),
    "offer_withdrawn": _("Withdrawn from the selection center"),
    "commission_recorded": _("Commission recorded: order %(number)s was paid"),
    "commission_reduced": _("Commission recalculated after a refund of order %(number)s"),
    "commission_settled": _("Commission settled: order %(number)s completed"),
    "commission_reversed": _("Commission reversed: order %(number)s was refunded"),
    "commission_paid": _("Commission paid to the promoter of order %(number)s"),
    "commission_earned": _("Commission earned on order %(number)s"),
    "commission_returned": _("Commission returned: order %(number)s was refunded"),
    "commission_taken_back": _("Commission taken back: order %(number)s was refunded"),
    "commission_restored": _("Commission restored: a refund of order %(number)s failed"),
    # --- paid promotion
    "ad_submitted": _("Promotion order submitted for review"),
    "ad_approved": _("Approved: budget %(amount)s charged from the store account"),
    "ad_cancelled": _("Cancelled by the merchant before review"),
    "ad_extended": _("Extended (追投): budget +%(amount)s, time +%(hours)s h"),
    "ad_ended": _("Ended: %(amount)s unspent budget refunded to the store account"),
    "ad_ended_session_ended": _("Ended with its live session: %(amount)s unspent budget "
                                "refunded to the store account"),
    "ad_cancelled_session_ended": _("Cancelled: its live session ended before the review"),
    "ad_charged": _("Promotion order #%(order)s: budget"),
    "ad_extension_charged": _("Promotion order #%(order)s: extension budget"),
    "ad_refunded": _("Promotion order #%(order)s: unspent budget refunded"),
    # --- platform campaigns
    "campaign_created": _("Campaign created"),
    "campaign_started": _("Campaign started"),
    "campaign_ended": _("Campaign ended"),
    "campaign_cancelled": _("Campaign cancelled"),
    "campaign_entry_submitted": _("Signed up with %(skus)s SKUs at the campaign price"),
    "campaign_entry_accepted": _("Accepted for the campaign"),
    "campaign_entry_withdrawn": _("Withdrawn by the merchant"),
    "campaign_entry_expired": _("Not reviewed before the campaign was over (%(status)s)"),
    "campaign_reject_price": _("Rejected: the campaign price is not attractive enough"),
    "campaign_reject_quality": _("Rejected: the product or its listing is below the "
                                 "campaign's standard"),
    "campaign_reject_stock": _("Rejected: not enough stock for the campaign"),
    "campaign_reject_quota": _("Rejected: the campaign's places for this category are full"),
    "campaign_reject_other": _("Rejected"),
})
