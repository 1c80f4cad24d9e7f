"""A crowd ordering a lightning product from the live session's cart, on PostgreSQL: never
more sold than the listing's stock; and quick listings made at once never pass the
session's limit."""

import pytest

from common import config
from promotions.models import LightningListing
from shop.models import OrderLine, Product, Sku
from shop.services.orders import order_place
from tests.concurrency import postgres_only, run_threads
from tests.promotions.lightning_factories import (
    deposit_paid,
    eligible_store,
    lightning_session,
    load_reference_data,
    quick_listing,
)
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
)

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]

THREADS = 24


def test_a_crowd_buys_exactly_the_lightning_stock(make_user, merchant):
    load_reference_data()
    session = lightning_session(eligible_store(merchant))
    listing = quick_listing(session, stock=7)
    deposit_paid(session.store)
    buyers = [make_user(f"fan{i}", "buyer") for i in range(THREADS)]

    def buy(i):
        return order_place(actor=buyers[i], address=ADDRESS, options={"source": f"live:{session.pk}"},
                           items=[{"sku": listing.sku_id, "quantity": 1}]).pk

    placed, errors = run_threads(THREADS, buy)
    assert len(placed) == 7 and len(errors) == THREADS - 7, errors[:3]
    assert set(errors) == {"out_of_stock"}, errors
    assert Sku.objects.get(pk=listing.sku_id).stock == 0
    assert sum(OrderLine.objects.filter(order_id__in=placed).values_list("quantity",
                                                                         flat=True)) == 7


def test_quick_listings_at_once_stay_within_the_session_limit(merchant):
    load_reference_data()
    session = lightning_session(eligible_store(merchant))
    deposit_paid(session.store)
    config.set_value("lightning.max_listings_per_session", 3)

    def list_one(i):
        return quick_listing(session, title=f"T恤{i}").pk

    made, errors = run_threads(8, list_one)
    assert len(made) == 3 and set(errors) == {"too_many_listings"}
    assert LightningListing.objects.filter(session=session).count() == 3
    assert Product.objects.filter(store=session.store).count() == 3
