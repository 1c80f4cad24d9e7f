"""Reads of coupons and live sessions, already scoped to who asks."""

from __future__ import annotations

from datetime import datetime

from django.db.models import F, Q, QuerySet

from promotions.models import Coupon, CouponClaim, LiveSession


def coupons_claimable(*, store, now: datetime, product=None) -> QuerySet[Coupon]:
    """What a buyer can claim now: on the store page, its store-page coupons and the coupons
    dropped in its session while live; on a product page, the product-page coupons that
    apply to that product. Newest first."""
    qs = Coupon.objects.filter(
        store=store, status=Coupon.Status.ACTIVE, claim_starts_at__lte=now,
        claim_ends_at__gt=now, claimed__lt=F("quantity"))
    if product is None:
        qs = qs.filter(Q(channel=Coupon.Channel.STORE_PAGE)
                       | Q(channel=Coupon.Channel.LIVE_DROP,
                           live_session__status=LiveSession.Status.LIVE))
    else:
        qs = qs.filter(Q(scope=Coupon.Scope.STORE) | Q(products=product),
                       channel=Coupon.Channel.PRODUCT_PAGE)
    return qs.select_related("store").prefetch_related("products").order_by("-id")


def claims_for_buyer(user, *, status: str = "") -> QuerySet[CouponClaim]:
    """A buyer's own coupons, newest first."""
    qs = CouponClaim.objects.filter(buyer=user)
    if status in CouponClaim.Status.values:
        qs = qs.filter(status=status)
    return (qs.select_related("coupon", "store").prefetch_related("coupon__products")
            .order_by("-id"))


def coupons_for_merchant(user, *, status: str = "", kind: str = "", channel: str = "",
                         q: str = "") -> QuerySet[Coupon]:
    """The merchant's coupons, newest first, narrowed by the list's filters."""
    qs = Coupon.objects.for_merchant(user)
    if status in Coupon.Status.values:
        qs = qs.filter(status=status)
    if kind in Coupon.Kind.values:
        qs = qs.filter(kind=kind)
    if channel in Coupon.Channel.values:
        qs = qs.filter(channel=channel)
    if q:
        qs = qs.filter(title__icontains=q)
    return qs.select_related("live_session").order_by("-id")


def live_session_current(store) -> LiveSession | None:
    """The store's session while it is live."""
    if store is None:
        return None
    return LiveSession.objects.filter(store=store, status=LiveSession.Status.LIVE).first()


def live_sessions_for_merchant(user) -> QuerySet[LiveSession]:
    return LiveSession.objects.for_merchant(user).order_by("-started_at", "-pk")
