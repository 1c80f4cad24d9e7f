"""Reads of paid promotion (推广), scoped to who asks: the merchant's orders with their
derived rates, what a merchant may promote, the comparison of orders, and the reviewers'
queue."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from common import config
from promotions.models import (
    LiveSession,
    PromotionOrder,
    PromotionResult,
    ShortVideo,
)
from promotions.rules import ads as rules


@dataclass(frozen=True)
class PromotionFigures:
    """An order's totals with the derived rates (None where the denominator is zero)."""

    exposures: int
    plays: int
    new_fans: int
    clicks: int
    spent: Decimal
    cost_per_fan: Decimal | None
    cover_click_rate: Decimal | None


def promotion_figures(order: PromotionOrder) -> PromotionFigures:
    return PromotionFigures(
        exposures=order.exposures, plays=order.plays, new_fans=order.new_fans,
        clicks=order.clicks, spent=order.spent,
        cost_per_fan=rules.cost_per_fan(order.spent, order.new_fans),
        cover_click_rate=rules.cover_click_rate(order.plays, order.exposures))


def promotion_orders_for_merchant(user, *, status: str = "") -> QuerySet[PromotionOrder]:
    qs = (PromotionOrder.objects.for_merchant(user).select_related("session", "video")
          .order_by("-created_at", "-pk"))
    if status in PromotionOrder.Status.values:
        qs = qs.filter(status=status)
    return qs


def promotion_order_for_merchant(user, pk: int) -> PromotionOrder:
    return (PromotionOrder.objects.for_merchant(user)
            .select_related("store", "session", "video").get(pk=pk))


def promotion_orders_to_compare(user, ids) -> list[PromotionOrder]:
    """The merchant's own orders among `ids` (at most the configured number), in the
    order asked; another merchant's ids are simply not there."""
    wanted = []
    for value in ids:
        try:
            pk = int(value)
        except (TypeError, ValueError):
            continue
        if pk not in wanted:
            wanted.append(pk)
    wanted = wanted[:config.get("paid_promotion.compare_max_orders")]
    found = {o.pk: o for o in promotion_orders_for_merchant(user).filter(pk__in=wanted)}
    return [found[pk] for pk in wanted if pk in found]


def promotion_recent_results(order: PromotionOrder, limit: int = 20) -> list[PromotionResult]:
    return list(PromotionResult.objects.filter(order=order).order_by("-at", "-pk")[:limit])


def promotable_sessions_for_merchant(user) -> QuerySet[LiveSession]:
    return (LiveSession.objects.for_merchant(user).filter(status=LiveSession.Status.LIVE)
            .order_by("-started_at", "-pk"))


def promotable_videos_for_merchant(user) -> QuerySet[ShortVideo]:
    return (ShortVideo.objects.for_merchant(user).filter(status=ShortVideo.Status.PUBLISHED)
            .order_by("-published_at", "-pk"))


def promotion_review_queue() -> QuerySet[PromotionOrder]:
    return PromotionOrder.objects.filter(status=PromotionOrder.Status.PENDING)
