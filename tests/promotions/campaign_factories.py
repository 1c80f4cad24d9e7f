"""Platform campaigns and eligible stores built through the real services, for the campaign
tests."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from promotions.services.campaigns import campaign_create, campaign_entry_submit
from shop.models import DepositAccount
from shop.services.ratings import store_rating_create
from tests.factories import ProductFactory, SkuFactory, StoreFactory, UserFactory
from tests.promotions.live_factories import png
from tests.shop.order_factories import completed_order, listed_sku


def soon(days=10):
    """A start in the future relative to the real clock (the DSR window is read at now)."""
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0)


def make_campaign(actor, *, name="年货节", starts_at=None, days=3, now=None, **kwargs):
    starts_at = starts_at or soon()
    return campaign_create(actor=actor, name=name, banner=png("banner.png"),
                           starts_at=starts_at, ends_at=starts_at + timedelta(days=days),
                           now=now or starts_at - timedelta(days=1), **kwargs)


def pay_deposit(store, amount="500.00"):
    return DepositAccount.objects.create(store=store, kind="store", balance=Decimal(amount),
                                         required_amount=Decimal(amount))


def rate_store(store, scores=(5, 5, 5)):
    """One DSR rating of the store, from a completed order of a throw-away buyer."""
    buyer = UserFactory(role="buyer")
    order = completed_order(buyer, listed_sku(store, price="10.00", stock=5))
    d, s, lg = scores
    return store_rating_create(order=order, actor=buyer, description=d, service=s,
                               logistics=lg)


def eligible_store(merchant, *, rated=True):
    """An open store with its deposit paid (and a 5-star DSR unless told otherwise)."""
    store = StoreFactory(merchant=merchant)
    pay_deposit(store)
    if rated:
        rate_store(store)
    return store


def product_with_skus(store, prices=("100.00", "200.00"), **kwargs):
    product = ProductFactory(store=store, **kwargs)
    skus = [SkuFactory(product=product, price=Decimal(p), stock=50) for p in prices]
    return product, skus


def sign_up(campaign, store, product, skus, prices=None, now=None):
    prices = prices or [str(Decimal(s.price) * Decimal("0.8")) for s in skus]
    items = [{"sku": s.pk, "campaign_price": p} for s, p in zip(skus, prices, strict=True)]
    return campaign_entry_submit(campaign=campaign, store=store, actor=store.merchant,
                                 product=product, items=items, now=now)
