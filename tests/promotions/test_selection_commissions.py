"""A promoter's commission through the order's life: snapshotted at order time, recorded
when paid, settled into the promoter's store account at completion out of the seller's
settlement, reversed on refund before or after settlement; the ledgers stay balanced."""

from decimal import Decimal

import pytest
from django.urls import reverse

from common import config
from promotions.models import Commission, OrderSource
from promotions.services.selection import offer_change_rate, offer_withdraw
from shop.models import Order, StoreAccountEntry
from shop.services.order_payments import order_refund
from shop.services.orders import order_confirm_receipt
from tests.promotions.live_factories import video
from tests.promotions.selection_factories import (
    assert_ledgers_balanced,
    balance,
    entries,
    offer,
    promoter_session,
)
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    listed_sku,
    pay,
    place,
    ship,
    sign,
    store_for,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def seller(merchant):
    return store_for(merchant)


@pytest.fixture
def promoter(other_merchant):
    return store_for(other_merchant)


@pytest.fixture
def sku(seller):
    return listed_sku(seller, price="100.00", stock=50)


@pytest.fixture
def session(sku, promoter):
    offer(sku.product, "0.20")
    return promoter_session(promoter, sku.product)


def promoted_order(buyer, sku, session, quantity=1):
    return place(buyer, sku, quantity, options={"source": f"live:{session.pk}"})


def complete(order):
    order = sign(ship(order))
    order_confirm_receipt(order=order, actor=order.buyer)
    return Order.objects.get(pk=order.pk)


def test_an_order_from_the_promoters_cart_snapshots_promoter_and_rate(buyer, sku, session,
                                                                      promoter, seller):
    order = promoted_order(buyer, sku, session, quantity=2)
    assert order.store == seller
    assert order.promotion == {"source": f"live:{session.pk}", "promoter": promoter.pk}
    assert order.lines.get().promotion["commission_rate"] == "0.2000"
    assert OrderSource.objects.get(order=order).session == session
    # the rate changes later: the order keeps its own
    offer_change_rate(offer=sku.product.offers.get(), rate=D("0.30"), actor=seller.merchant)
    pay(order)
    commission = Commission.objects.get(order=order)
    assert commission.status == "pending" and commission.amount == D("40.00")
    assert commission.rate == D("0.2000") and commission.promoter == promoter
    assert not entries(promoter).exists()  # nothing moves before completion


def test_the_api_places_an_order_from_a_promoters_cart(buyer_api, sku, session, promoter):
    response = buyer_api.post(reverse("buyer-orders"), {
        "items": [{"sku": sku.pk, "quantity": 1}], "address": ADDRESS,
        "source": f"live:{session.pk}"}, format="json")
    assert response.status_code == 201, response.content
    assert "promoter" not in response.content.decode()
    order = Order.objects.get(number=response.json()["number"])
    assert order.promotion["promoter"] == promoter.pk


def test_an_order_of_the_sellers_own_cart_has_no_commission(buyer, sku, seller):
    own = promoter_session(seller, sku.product)
    order = pay(place(buyer, sku, options={"source": f"live:{own.pk}"}))
    assert "promoter" not in order.promotion
    assert not Commission.objects.exists()


def test_a_promoters_video_attributes_too(buyer, sku, promoter):
    offer(sku.product, "0.10")
    clip = video(promoter, sku.product)
    order = pay(place(buyer, sku, options={"source": f"video:{clip.pk}"}))
    assert Commission.objects.get(order=order).amount == D("10.00")


def test_an_order_of_a_withdrawn_offer_is_refused(buyer, sku, session, seller):
    offer_withdraw(offer=sku.product.offers.get(), actor=seller.merchant)
    from common.errors import ApplicationError
    with pytest.raises(ApplicationError) as info:
        promoted_order(buyer, sku, session)
    assert info.value.field == "source"
    assert not Order.objects.exists()
    # the withdrawal took it out of the promoter's cart
    assert not session.cart_items.exists()


def test_completion_settles_the_commission_out_of_the_sellers_settlement(buyer, sku, session,
                                                                         seller, promoter):
    order = complete(pay(promoted_order(buyer, sku, session)))
    commission = Commission.objects.get(order=order)
    assert commission.status == "settled" and commission.settled_at is not None
    settlement = entries(seller, "settlement").get()
    fee = D(settlement.data["fee"])
    paid_out = entries(seller, "commission").get()
    earned = entries(promoter, "commission_earned").get()
    assert paid_out.amount == -D("20.00") and earned.amount == D("20.00")
    assert balance(seller) == D("100.00") - fee - D("20.00")
    assert balance(promoter) == D("20.00")
    assert_ledgers_balanced(seller, promoter)


def test_a_partial_refund_before_settlement_reduces_the_commission(buyer, sku, session,
                                                                   seller, promoter, reviewer):
    order = pay(promoted_order(buyer, sku, session, quantity=2))
    order_refund(order=order, amount=D("50"), idempotency_key="r1", actor=reviewer,
                 reason="部分退款")
    commission = Commission.objects.get(order=order)
    assert commission.status == "pending" and commission.amount == D("30.00")
    complete(order)
    commission.refresh_from_db()
    assert commission.status == "settled" and commission.amount == D("30.00")
    assert entries(promoter, "commission_earned").get().amount == D("30.00")
    assert_ledgers_balanced(seller, promoter)


def test_a_full_refund_before_settlement_reverses_it_and_nothing_moves(buyer, sku, session,
                                                                       seller, promoter,
                                                                       reviewer):
    order = pay(promoted_order(buyer, sku, session))
    order_refund(order=order, amount=D("100"), idempotency_key="r1", actor=reviewer,
                 reason="退款")
    commission = Commission.objects.get(order=order)
    assert commission.status == "reversed" and commission.reversed_amount == D("20.00")
    assert not StoreAccountEntry.objects.filter(kind__startswith="commission").exists()
    assert list(commission.events.values_list("to_status", flat=True)) == ["pending",
                                                                           "reversed"]


def test_refunds_after_settlement_take_the_commission_back(buyer, sku, session, seller,
                                                           promoter, reviewer):
    order = complete(pay(promoted_order(buyer, sku, session, quantity=2)))
    order_refund(order=order, amount=D("50"), idempotency_key="r1", actor=reviewer,
                 reason="部分退款")
    commission = Commission.objects.get(order=order)
    assert commission.status == "settled" and commission.reversed_amount == D("10.00")
    assert entries(promoter, "commission_reversed").get().amount == -D("10.00")
    assert entries(seller, "commission_returned").get().amount == D("10.00")
    # the same refund delivered again changes nothing
    order_refund(order=order, amount=D("50"), idempotency_key="r1", actor=reviewer,
                 reason="部分退款")
    assert entries(promoter, "commission_reversed").count() == 1
    order_refund(order=order, amount=D("150"), idempotency_key="r2", actor=reviewer,
                 reason="退款")
    commission.refresh_from_db()
    assert commission.status == "reversed" and commission.reversed_amount == D("40.00")
    assert balance(promoter) == D("0.00")
    assert_ledgers_balanced(seller, promoter)
    # the seller is back where a plain refunded order leaves it: settlement less refund debit
    total = sum(e.amount for e in entries(seller).filter(kind__startswith="commission"))
    assert total == D("0.00")


def test_the_configured_rate_bounds_apply_to_new_offers(sku):
    from common.errors import ApplicationError
    config.set_value("selection.max_commission_rate", "0.30")
    with pytest.raises(ApplicationError) as info:
        offer(sku.product, "0.35")
    assert info.value.code == "rate_out_of_bounds" and info.value.field == "rate"
    assert not sku.product.offers.exists()


def test_the_promoters_commission_records_page(buyer, sku, session, seller, promoter,
                                               reviewer, client, other_merchant,
                                               merchant_client):
    settled = complete(pay(promoted_order(buyer, sku, session)))
    pending = pay(promoted_order(buyer, sku, session))
    reversed_ = pay(promoted_order(buyer, sku, session))
    order_refund(order=reversed_, amount=D("100"), idempotency_key="r", actor=reviewer,
                 reason="退款")
    client.force_login(other_merchant)
    url = reverse("seller_promotions:selection_commissions")
    page = client.get(url).content.decode()
    for order in (settled, pending, reversed_):
        assert order.number in page
    assert page.count("¥20.00") >= 3  # pending, settled and reversed totals
    only_pending = client.get(url, {"status": "pending"}).content.decode()
    assert pending.number in only_pending and settled.number not in only_pending
    # the seller has no commission records of its own (it pays them)
    assert settled.number not in merchant_client.get(url).content.decode()


def test_the_demo_data_shows_an_offer_a_promoted_order_and_commissions(settings):
    from django.core.management import call_command

    from promotions.models import ProductOffer

    settings.DEBUG = True
    settings.PAYMENT_SANDBOX_ENABLED = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)  # idempotent
    offers = ProductOffer.objects.filter(store__merchant__username="merchant_a")
    assert [o.status for o in offers] == ["active"]
    commissions = Commission.objects.filter(promoter__merchant__username="merchant_b")
    assert sorted(c.status for c in commissions) == ["pending", "settled"]
    settled = commissions.get(status="settled")
    assert entries(settled.promoter, "commission_earned").get().amount == settled.amount > 0
    assert entries(settled.seller, "commission").get().amount == -settled.amount
    assert_ledgers_balanced(settled.seller, settled.promoter)


def test_reviewers_see_offers_and_commissions_read_only(buyer, sku, session, reviewer_client):
    order = pay(promoted_order(buyer, sku, session))
    commission = Commission.objects.get(order=order)
    assert reviewer_client.get("/admin/promotions/commission/").status_code == 200
    page = reviewer_client.get(f"/admin/promotions/commission/{commission.pk}/change/")
    assert page.status_code == 200 and "20.00" in page.content.decode()
    assert reviewer_client.get("/admin/promotions/productoffer/").status_code == 200
    assert reviewer_client.get("/admin/promotions/commission/add/").status_code == 403


# --- a refund that fails at the provider gives the commission back ----------------------
@pytest.fixture
def slow_provider(monkeypatch, settings):
    from payments import providers
    from tests.shop.test_payments_fixes import FakeProvider

    provider = FakeProvider()
    monkeypatch.setitem(providers._PROVIDERS, "fake", provider)

    def refunds_pending():
        """From now on the provider answers PENDING (the buyer paid through the sandbox)."""
        from payments.models import Payment

        settings.PAYMENT_PROVIDER = "fake"
        provider.default = Payment.Status.PENDING

    provider.refunds_pending = refunds_pending
    return provider


def provider_fails(provider, payment):
    from payments.services import payment_callback_handle

    body = provider.callback_body(payment, succeeded=False)
    return payment_callback_handle(provider_name=provider.name, body=body,
                                   signature=provider.sign(body))[1]


def test_a_failed_refund_after_settlement_restores_the_commission(buyer, sku, session, seller,
                                                                  promoter, reviewer,
                                                                  slow_provider):
    from shop.selectors.deposits import ledgers_reconcile

    order = complete(pay(promoted_order(buyer, sku, session)))
    slow_provider.refunds_pending()
    refund = order_refund(order=order, amount=D("100"), idempotency_key="r1", actor=reviewer,
                          reason="退款")
    commission = Commission.objects.get(order=order)
    assert commission.status == "reversed" and balance(promoter) == D("0.00")
    assert provider_fails(slow_provider, refund)
    commission.refresh_from_db()
    assert commission.status == "settled" and commission.reversed_amount == 0
    assert balance(promoter) == D("20.00")
    assert provider_fails(slow_provider, refund) is False  # a repeated callback
    assert balance(promoter) == D("20.00")
    assert_ledgers_balanced(seller, promoter)
    assert ledgers_reconcile().problems == []
    fee = D(entries(seller, "settlement").get().data["fee"])
    assert balance(seller) == D("100.00") - fee - D("20.00")


def test_a_failed_refund_before_settlement_brings_the_pending_commission_back(
        buyer, sku, session, reviewer, slow_provider):
    order = pay(promoted_order(buyer, sku, session))
    slow_provider.refunds_pending()
    refund = order_refund(order=order, amount=D("100"), idempotency_key="r1", actor=reviewer,
                          reason="退款")
    commission = Commission.objects.get(order=order)
    assert commission.status == "reversed"
    assert provider_fails(slow_provider, refund)
    commission.refresh_from_db()
    assert commission.status == "pending" and commission.amount == D("20.00")
    assert commission.reversed_amount == 0
    complete(order)
    commission.refresh_from_db()
    assert commission.status == "settled" and commission.amount == D("20.00")


def test_the_commission_and_offer_pages_run_a_fixed_number_of_queries(
        buyer, sku, session, seller, client, other_merchant, merchant_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(other_merchant)
    commissions = reverse("seller_promotions:selection_commissions")
    offers = reverse("seller_promotions:selection_offers")
    pay(promoted_order(buyer, sku, session))
    client.get(commissions)
    merchant_client.get(offers)
    with CaptureQueriesContext(connection) as few:
        client.get(commissions)
    with CaptureQueriesContext(connection) as few_offers:
        merchant_client.get(offers)
    for _ in range(3):
        pay(promoted_order(buyer, sku, session))
        offer(listed_sku(seller).product)
    with CaptureQueriesContext(connection) as many:
        client.get(commissions)
    with CaptureQueriesContext(connection) as many_offers:
        merchant_client.get(offers)
    assert len(many) == len(few)
    assert len(many_offers) == len(few_offers)
