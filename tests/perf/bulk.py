"""Many orders and after-sale requests at once (bulk_create, no services): the lists are
measured on how they read, not on how the rows came to be."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from disputes.models import AfterSaleRequest
from shop.models import Order, OrderLine
from tests.factories import SkuFactory, StoreFactory


def store_with_sku(merchant=None):
    store = StoreFactory(**({"merchant": merchant} if merchant else {}))
    return store, SkuFactory(product__store=store)


def orders(store, sku, buyer, n, *, status="completed", tag="o") -> list[Order]:
    start = timezone.now() - timedelta(days=30)
    rows = Order.objects.bulk_create([
        Order(number=f"P{store.pk:04d}{tag}{i:07d}", buyer=buyer, store=store, status=status,
              address={}, goods_amount=Decimal("10.00"), total_amount=Decimal("10.00"),
              paid_amount=Decimal("10.00"), created_at=start + timedelta(seconds=i),
              ship_by=start + timedelta(hours=48, seconds=-i) if status == "paid" else None)
        for i in range(n)
    ], batch_size=1000)
    OrderLine.objects.bulk_create([
        OrderLine(order=o, product=sku.product, sku=sku, title=sku.product.title,
                  attributes={}, unit_price=Decimal("10.00"), quantity=1,
                  amount=Decimal("10.00"), paid_amount=Decimal("10.00"))
        for o in rows
    ], batch_size=1000)
    return rows


def requests(store, sku, buyer, n, *, open_every=3, escalated_every=0, tag="a"):
    """n requests of the store, one per order line: every `open_every`-th open (pending,
    with a clock; every other open one refunding, without), the rest closed; every
    `escalated_every`-th escalated (half of those ruled and closed)."""
    now = timezone.now()
    made = orders(store, sku, buyer, n, tag=tag)
    lines = {line.order_id: line for line in OrderLine.objects.filter(order__in=made)}
    rows = []
    for i, order in enumerate(made):
        is_open = open_every and i % open_every == 0
        escalated = escalated_every and i % escalated_every == 0
        ruled = escalated and i % (2 * escalated_every) == 0  # half the escalated: ruled
        status = ("closed" if ruled else "escalated" if escalated else
                  ("pending" if i % 2 == 0 else "refunding") if is_open else "closed")
        clock = (now + timedelta(hours=1, minutes=i) if status in ("pending", "escalated")
                 else None)
        rows.append(AfterSaleRequest(
            order=order, line=lines[order.pk], buyer=buyer, store=store,
            kind="refund_only", reason="no_reason", amount=Decimal("10.00"), status=status,
            finished=status == "closed", review_by=clock if status == "pending" else None,
            agent_handle_by=clock if status == "escalated" else None,
            ruled_at=now - timedelta(minutes=i) if ruled else None,
            escalated_at=now - timedelta(minutes=i) if escalated else None,
            next_deadline=clock, created_at=now - timedelta(days=1, seconds=i)))
    return AfterSaleRequest.objects.bulk_create(rows, batch_size=1000)
