"""The promotions read of the order path: the flash prices, the campaign prices and whether
the buyer holds a usable coupon of the store come with one statement before the order's
transaction, whatever applies; the coupons themselves are read only for a buyer who holds
one."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from promotions.models import CouponClaim
from promotions.selectors.flash_sales import (
    _promotion_union,
    order_promotion_reads,
)
from promotions.services.campaigns import campaign_entry_accept
from promotions.services.coupons import coupon_claim
from promotions.services.flash_sales import flash_sale_create
from promotions.sweeps import start_due_campaigns, start_due_flash_sales
from shop.services.orders import order_place
from tests.factories import StoreFactory
from tests.promotions.campaign_factories import (
    eligible_store,
    make_campaign,
    product_with_skus,
    sign_up,
)
from tests.promotions.coupon_factories import make_coupon
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    store_for,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _reads_before_the_transaction(queries) -> list[str]:
    """The SELECTs before the order's INSERT, but for platform settings (cached: the SKU
    admission's size, common.gates, is read at most every few seconds per process)."""
    reads = []
    for q in queries:
        sql = q["sql"]
        if sql.startswith('INSERT INTO "shop_order"'):
            return reads
        if '"common_platformsetting"' in sql:
            continue
        if sql.startswith(("SELECT", "(SELECT")):  # a UNION is parenthesised on PG
            reads.append(sql)
    raise AssertionError("no order was written")


def _place(buyer, sku, now=None):
    with CaptureQueriesContext(connection) as ctx:
        order = order_place(actor=buyer, address=ADDRESS, now=now,
                            items=[{"sku": sku.pk, "quantity": 1}])
    return order, _reads_before_the_transaction(ctx.captured_queries)


def test_flash_and_campaign_prices_come_with_one_read_and_the_lower_wins(
        reviewer, merchant, buyer):
    store = eligible_store(merchant)
    campaign = make_campaign(reviewer, max_price_percent=90, days=2)
    product, (a, b) = product_with_skus(store)  # 100.00 and 200.00
    entry = sign_up(campaign, store, product, [a, b], ["80.00", "150.00"])
    campaign_entry_accept(entry=entry, actor=reviewer)
    start = campaign.starts_at + timedelta(hours=1)
    sale = flash_sale_create(
        store=store, actor=merchant, product=product, per_buyer_limit=3, starts_at=start,
        items=[{"sku": a.pk, "flash_price": "90.00", "stock": 5},
               {"sku": b.pk, "flash_price": "120.00", "stock": 5}],
        duration=timedelta(hours=2), now=start - timedelta(hours=1))
    start_due_campaigns(campaign.starts_at)
    start_due_flash_sales(start)
    at = start + timedelta(minutes=1)

    order, reads = _place(buyer, a, at)
    assert len(reads) == 2, reads  # the SKUs (with the store's check), the promotions
    assert all(table in reads[1] for table in (
        "promotions_flashsaleitem", "promotions_campaignentryitem", "promotions_couponclaim"))
    line = order.lines.get()
    assert line.unit_price == D("80.00")  # the campaign's is lower
    assert line.stock_held_by == "flash_sale" and line.promotion["flash_sale"]["sale"] == sale.pk
    assert line.promotion["campaign"]["campaign"] == campaign.pk
    assert line.promotion["campaign"]["name"] == campaign.name

    order, reads = _place(buyer, b, at)
    assert len(reads) == 2, reads
    line = order.lines.get()
    assert line.unit_price == D("120.00") and "campaign" not in line.promotion  # flash lower

    # On PostgreSQL the statement is compiled once and each read binds its own
    # values: the rows are those the ORM's statement gives, for any SKUs, buyer and time.
    for skus in ([a.pk], [b.pk], [a.pk, b.pk], [b.pk, a.pk]):
        for when in (at, start - timedelta(minutes=1)):
            args = {"buyer_id": buyer.pk, "store_id": store.pk, "now": when}
            assert sorted(_promotion_union.run(sku_ids=skus, **args)) == sorted(
                _promotion_union.build(skus, **args)), (skus, when)


def test_the_lowest_running_campaign_price_of_a_sku_wins(reviewer, merchant, buyer):
    store = eligible_store(merchant)
    first = make_campaign(reviewer, max_price_percent=90, days=2)
    second = make_campaign(reviewer, name="双十一", max_price_percent=90, days=2)
    product, (a, _b) = product_with_skus(store)
    for campaign, price in ((first, "85.00"), (second, "75.00")):
        campaign_entry_accept(entry=sign_up(campaign, store, product, [a], [price]),
                              actor=reviewer)
        start_due_campaigns(campaign.starts_at)
    at = max(first.starts_at, second.starts_at) + timedelta(minutes=1)
    reads = order_promotion_reads([a.pk], buyer_id=buyer.pk, store_id=store.pk, now=at)
    assert reads.campaign[a.pk].price == D("75.00")
    assert reads.campaign[a.pk].campaign_id == second.pk
    assert reads.flash == {} and not reads.has_usable_coupon


def test_the_coupons_are_read_only_for_a_buyer_holding_a_usable_one(merchant, buyer):
    store = store_for(merchant)
    other = StoreFactory()
    sku = listed_sku(store, price="80.00", stock=20)
    _place(buyer, sku)  # the platform settings the order path reads are cached from here

    _order, reads = _place(buyer, sku)
    assert len(reads) == 2, reads  # no coupon: the coupons are not read

    claim = coupon_claim(coupon=make_coupon(other), actor=buyer)  # another store's
    _order, reads = _place(buyer, sku)
    assert len(reads) == 2, reads

    mine = coupon_claim(coupon=make_coupon(store), actor=buyer)
    order, reads = _place(buyer, sku)
    assert len(reads) > 2 and order.discount_amount > 0  # read, and applied
    assert CouponClaim.objects.get(pk=mine.pk).status == "used"

    # used now: the next order does not read the coupons again
    _order, reads = _place(buyer, sku)
    assert len(reads) == 2, reads
    assert CouponClaim.objects.get(pk=claim.pk).status == "unused"


def test_an_expired_or_not_yet_valid_coupon_is_not_a_usable_one(merchant, buyer):
    store = store_for(merchant)
    sku = listed_sku(store, price="80.00", stock=20)
    claim = coupon_claim(coupon=make_coupon(store), actor=buyer)
    claim = CouponClaim.objects.get(pk=claim.pk)
    inside = claim.valid_from + timedelta(seconds=1)
    assert order_promotion_reads([sku.pk], buyer_id=buyer.pk, store_id=store.pk,
                                 now=inside).has_usable_coupon
    for at in (claim.valid_from - timedelta(seconds=1), claim.valid_until):
        assert not order_promotion_reads([sku.pk], buyer_id=buyer.pk, store_id=store.pk,
                                         now=at).has_usable_coupon
