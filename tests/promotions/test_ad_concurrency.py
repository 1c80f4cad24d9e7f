"""The spend of a promotion order never passes its budget, even when many delivery
batches (and the same batch several times) arrive at once: PostgreSQL, many threads."""

from decimal import Decimal

import pytest

from promotions.models import PromotionOrder, PromotionResult
from promotions.services import ads as services
from tests.concurrency import postgres_only, run_threads
from tests.promotions.ad_factories import fund, ingest, row, submit
from tests.promotions.live_factories import video
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    store_for,
)

pytestmark = [postgres_only, pytest.mark.django_db(transaction=True)]


def test_concurrent_batches_never_spend_past_the_budget(merchant, reviewer):
    store = store_for(merchant)
    fund(store, "1000.00", reviewer)
    order = submit(store, video(store, listed_sku(store).product), budget="100.00")
    services.promotion_order_approve(order=order, actor=reviewer)

    def deliver(i):
        # 12 distinct batches of 15.00 and each sent twice: 180.00 reported in all
        return ingest(f"batch-{i // 2}", row(order, exposures=10, spend="15.00"))[1]

    results, errors = run_threads(24, deliver)
    assert not errors and sum(results) == 12
    order = PromotionOrder.objects.get(pk=order.pk)
    assert order.spent == Decimal("100.00") and order.exposures == 120
    counted = sum(r.spend_counted for r in PromotionResult.objects.filter(order=order))
    assert counted == Decimal("100.00")
