"""Coupons made through the real services, for the promotions tests."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from promotions.models import Coupon
from promotions.services.coupons import coupon_create


def coupon_terms(now=None, **changes) -> dict:
    now = now or timezone.now()
    data = {
        "title": "满50减5",
        "kind": Coupon.Kind.THRESHOLD,
        "amount": Decimal("5.00"),
        "threshold": Decimal("50.00"),
        "scope": Coupon.Scope.STORE,
        "quantity": 100,
        "per_buyer_limit": 1,
        "claim_starts_at": now - timedelta(hours=1),
        "claim_ends_at": now + timedelta(days=7),
        "validity": Coupon.Validity.AFTER_CLAIM,
        "valid_days": 7,
        "channel": Coupon.Channel.STORE_PAGE,
    }
    data.update(changes)
    return data


def make_coupon(store, *, product_ids=(), now=None, **changes) -> Coupon:
    return coupon_create(store=store, actor=store.merchant, data=coupon_terms(now, **changes),
                         product_ids=product_ids, now=now)
