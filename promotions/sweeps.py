"""Deadline sweeps of the promotions app (common.deadlines).

Each takes what is due in batches (select_for_update(skip_locked=True) on an indexed
(status, clock) pair) and moves the rows through their service, which leaves alone what is
no longer in the clock's state: running a sweep twice, or in two processes at once, moves
nothing the second time."""

from datetime import datetime

from django.db import transaction

from common.deadlines import register, sweep_batches
from promotions.models import CouponClaim, FlashSale, PromotionOrder
from promotions.services.ads import promotion_order_end
from promotions.services.coupons import coupon_claims_expire
from promotions.services.flash_sales import flash_sale_end, flash_sale_start

BATCH_SIZE = 500
FLASH_SALE_BATCH_SIZE = 100


# --- coupons ----------------------------------------------------------------------------
@register("coupons.expire_claims")
def expire_coupon_claims(now: datetime, batch_size: int = BATCH_SIZE) -> int:
    """Claimed coupons still unused at `valid_until` expire (a claim that moved meanwhile,
    or is locked by an order using it, is left to that transaction)."""
    moved = 0
    due = CouponClaim.objects.filter(status=CouponClaim.Status.UNUSED, valid_until__lte=now)
    while True:
        with transaction.atomic():
            ids = list(due.select_for_update(skip_locked=True).order_by("pk")
                       .values_list("pk", flat=True)[:batch_size])
            if not ids:
                return moved
            moved += len(coupon_claims_expire(claim_ids=ids, now=now))
        if len(ids) < batch_size:
            return moved


def _sweep(due_qs, handle, batch_size: int) -> int:
    moved = 0
    while True:
        with transaction.atomic():
            ids = list(due_qs.select_for_update(skip_locked=True, no_key=True)
                       .order_by("pk").values_list("pk", flat=True)[:batch_size])
            for pk in ids:
                handle(pk)
            moved += len(ids)
        if len(ids) < batch_size:
            return moved


# --- flash sales (start before end: after an outage a sale starts, then ends) -----------
@register("flash_sales.start")
def start_due_flash_sales(now: datetime, batch_size: int = FLASH_SALE_BATCH_SIZE) -> int:
    """Scheduled flash sales whose start has come begin (their flash stock is taken)."""
    due = FlashSale.objects.filter(status=FlashSale.Status.SCHEDULED, starts_at__lte=now)
    return _sweep(due, lambda pk: flash_sale_start(sale=pk, now=now), batch_size)


@register("flash_sales.end")
def end_due_flash_sales(now: datetime, batch_size: int = FLASH_SALE_BATCH_SIZE) -> int:
    """Running flash sales whose end has come end (their unsold stock is returned)."""
    due = FlashSale.objects.filter(status=FlashSale.Status.RUNNING, ends_at__lte=now)
    return _sweep(due, lambda pk: flash_sale_end(sale=pk, now=now), batch_size)


# --- paid promotion ---------------------------------------------------------------------
@register("paid_promotion.end")
def end_due_promotion_orders(now: datetime, batch_size: int = FLASH_SALE_BATCH_SIZE) -> int:
    """Running promotion orders whose time is up end (their unspent budget is refunded)."""
    due = PromotionOrder.objects.filter(status=PromotionOrder.Status.RUNNING, ends_at__lte=now)
    return _sweep(due, lambda pk: promotion_order_end(order=pk, now=now), batch_size)


# --- platform campaigns (start before end) ----------------------------------------------
CAMPAIGN_BATCH_SIZE = 50


def _each(service, now: datetime):
    def handle(ids):
        for pk in ids:
            service(campaign=pk, now=now)

    return handle


@register("campaigns.start")
def start_due_campaigns(now: datetime, batch_size: int = CAMPAIGN_BATCH_SIZE) -> int:
    """Scheduled campaigns whose start has come begin: accepted products take the campaign
    price and badge."""
    from promotions.models import Campaign
    from promotions.services.campaigns import campaign_start

    due = Campaign.objects.filter(status=Campaign.Status.SCHEDULED, starts_at__lte=now)
    return sweep_batches(due, _each(campaign_start, now), batch_size)


@register("campaigns.end")
def end_due_campaigns(now: datetime, batch_size: int = CAMPAIGN_BATCH_SIZE) -> int:
    """Running campaigns whose end has come end; sign-ups still waiting expire."""
    from promotions.models import Campaign
    from promotions.services.campaigns import campaign_end

    due = Campaign.objects.filter(status=Campaign.Status.RUNNING, ends_at__lte=now)
    return sweep_batches(due, _each(campaign_end, now), batch_size)
