"""Paid promotion bought for a live session ends with the session: a running order ends at
once with its unspent budget refunded through the store account (once, the ledgers
balanced) and the merchant told; one awaiting review is cancelled."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from common import deadlines
from common.models import Notification
from promotions.services import ads as services
from promotions.services.live import live_session_end
from shop.models import StoreAccountEntry
from shop.selectors.deposits import ledgers_reconcile
from tests.promotions.ad_factories import balance, fund, ingest, row
from tests.promotions.live_factories import selling_session
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    store_for,
)

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def funded(merchant, reviewer):
    store = store_for(merchant)
    fund(store, "500.00", reviewer)
    return store


def _live_order(store, session, budget="200.00", now=None):
    return services.promotion_order_create(
        store=store, actor=store.merchant, subject_type="live", subject_id=session.pk,
        kind="fans_headline", goal="fans", budget=budget, duration_hours=24, now=now)


def test_ending_the_session_ends_its_running_promotion_with_a_refund(funded, reviewer):
    now = timezone.now()
    session = selling_session(funded, listed_sku(funded).product)
    order = _live_order(funded, session, now=now)
    services.promotion_order_approve(order=order, actor=reviewer, now=now)
    ingest("s-1", row(order, exposures=500, spend="30.00"), now=now + timedelta(minutes=30))
    live_session_end(session=session, actor=funded.merchant, now=now + timedelta(hours=1))
    order.refresh_from_db()
    assert order.status == "ended" and order.ended_at == now + timedelta(hours=1)
    assert order.refunded == D("170.00")
    event = order.events.get(to_status="ended")
    assert event.actor == funded.merchant
    assert event.reason_code == "promotions.ad_ended_session_ended"
    assert list(StoreAccountEntry.objects.filter(account__store=funded, kind="promotion_refund")
                .values_list("amount", flat=True)) == [D("170.00")]
    assert balance(funded) == D("470.00")
    assert not ledgers_reconcile().problems
    assert Notification.objects.filter(recipient=funded.merchant,
                                       kind="promotions.ad_session_ended").count() == 1
    # the end clock later finds nothing to do, and refunds nothing twice
    assert deadlines.registered()["paid_promotion.end"](now + timedelta(hours=30)) == 0
    assert balance(funded) == D("470.00")


def test_a_promotion_awaiting_review_is_cancelled_with_the_session(funded, reviewer):
    session = selling_session(funded, listed_sku(funded).product)
    order = _live_order(funded, session)
    live_session_end(session=session, actor=funded.merchant)
    order.refresh_from_db()
    assert order.status == "cancelled"
    assert order.events.latest("pk").reason_code == "promotions.ad_cancelled_session_ended"
    assert balance(funded) == D("500.00")
