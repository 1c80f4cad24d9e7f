"""DSR: one rating per completed order, 1–5; the store's 90-day average and weekly trend."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from common.errors import ApplicationError
from shop.models import StoreRating
from shop.selectors.orders import store_dsr, store_dsr_trend
from shop.services.ratings import store_rating_create
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    completed_order,
    listed_sku,
    pay,
    place,
    ship,
    sign,
    store_for,
)

pytestmark = pytest.mark.django_db
NOW = timezone.datetime(2025, 6, 18, 12, 0, tzinfo=timezone.get_fixed_timezone(480))


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.fixture
def sku(store):
    return listed_sku(store, stock=100)


def rate(order, d, s, lg, now=None):
    return store_rating_create(order=order, actor=order.buyer, description=d, service=s,
                               logistics=lg, now=now)


def test_rate_a_completed_order_once(buyer, sku):
    order = completed_order(buyer, sku)
    rating = rate(order, 5, 4, 3)
    assert (rating.store_id, rating.description, rating.service, rating.logistics) == (
        order.store_id, 5, 4, 3)
    with pytest.raises(ApplicationError) as exc:
        rate(order, 1, 1, 1)
    assert exc.value.code == "already_rated"
    assert StoreRating.objects.count() == 1


@pytest.mark.parametrize("values", [(0, 3, 3), (3, 6, 3), (3, 3, -1), (3, 3, 2.5)])
def test_scores_out_of_range_are_refused(buyer, sku, values):
    order = completed_order(buyer, sku)
    with pytest.raises(ApplicationError) as exc:
        rate(order, *values)
    assert exc.value.code == "invalid_rating"
    assert not StoreRating.objects.exists()


def test_rating_before_completion_or_by_someone_else(buyer, other_buyer, sku):
    for order in [place(buyer, sku), pay(place(buyer, sku)), sign(ship(pay(place(buyer, sku))))]:
        with pytest.raises(ApplicationError) as exc:
            rate(order, 5, 5, 5)
        assert exc.value.code == "not_completed"
    order = completed_order(buyer, sku)
    with pytest.raises(ApplicationError) as exc:
        store_rating_create(order=order, actor=other_buyer, description=5, service=5, logistics=5)
    assert exc.value.code == "not_yours"
    assert not StoreRating.objects.exists()


def test_store_dsr_is_the_90_day_average(buyer, store, sku):
    assert store_dsr(store, NOW) == {"description": None, "service": None, "logistics": None,
                                     "count": 0, "window_days": 90}
    rate(completed_order(buyer, sku), 5, 4, 3, now=NOW - timedelta(days=1))
    rate(completed_order(buyer, sku), 4, 4, 4, now=NOW - timedelta(days=89))
    rate(completed_order(buyer, sku), 4, 5, 5, now=NOW - timedelta(days=30))
    rate(completed_order(buyer, sku), 1, 1, 1, now=NOW - timedelta(days=91))  # outside
    dsr = store_dsr(store, NOW)
    assert dsr == {"description": Decimal("4.33"), "service": Decimal("4.33"),
                   "logistics": Decimal("4.00"), "count": 3, "window_days": 90}


def test_other_stores_ratings_do_not_count(buyer, store, sku, other_merchant):
    other_sku = listed_sku(store_for(other_merchant))
    rate(completed_order(buyer, other_sku), 1, 1, 1, now=NOW - timedelta(days=1))
    assert store_dsr(store, NOW)["count"] == 0


def test_trend_per_week(buyer, store, sku):
    with time_machine.travel(NOW, tick=False):
        rate(completed_order(buyer, sku), 5, 5, 5, now=NOW - timedelta(days=1))  # Tue 17th
        rate(completed_order(buyer, sku), 3, 4, 5, now=NOW - timedelta(days=2))  # Mon 16th
        rate(completed_order(buyer, sku), 2, 2, 2, now=NOW - timedelta(days=3))  # Sun 15th
        trend = store_dsr_trend(store, NOW)
    assert all(w["week"].weekday() == 0 for w in trend)
    assert 13 <= len(trend) <= 15
    last, before = trend[-1], trend[-2]
    assert (last["count"], last["description"], last["service"]) == (
        2, Decimal("4.00"), Decimal("4.50"))
    assert (before["count"], before["description"]) == (1, Decimal("2.00"))
    assert trend[0]["count"] == 0 and trend[0]["description"] is None
