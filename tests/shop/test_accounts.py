"""The store account (货款): settlement of completed orders less the service fee per
category, refunds after settlement, withdrawals (automatic under the configured amount,
reviewed above it), and shortfall transfers."""

from decimal import Decimal

import pytest
from django.utils import timezone

from common import config
from common.errors import ApplicationError
from compliance.models import Category
from payments.models import Payment
from shop.models import StoreAccount, StoreAccountEntry, Withdrawal
from shop.services.accounts import (
    store_account_adjust,
    withdrawal_approve,
    withdrawal_reject,
    withdrawal_request,
)
from shop.services.deposits import deposit_deduct
from shop.services.order_payments import order_refund
from shop.sweeps import complete_signed_orders
from tests.factories import leaf_category
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    completed_order,
    listed_sku,
    pay,
    place,
    ship,
    sign,
)
from tests.shop.test_deposits_fixtures import (
    D,
    opened_store,
    pay_deposit,
    token,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return opened_store(merchant)


def balance(store) -> Decimal:
    return StoreAccount.objects.get(store=store).balance


def test_completed_order_is_settled_less_the_default_service_fee(store, buyer):
    order = completed_order(buyer, listed_sku(store, price="200.00"))
    entry = StoreAccountEntry.objects.get(kind="settlement")
    assert entry.order_id == order.pk and entry.cause_id == str(order.pk)
    assert entry.amount == D("190.00")  # 5 % of 200 kept by the platform
    assert entry.data["gross"] == "200.00" and entry.data["fee"] == "10.00"
    assert balance(store) == D("190.00")


def test_the_category_rate_is_inherited_and_used(store, buyer):
    leaf = leaf_category(code="t_root.mid.fee", name="费率类目")
    Category.objects.filter(code="t_root").update(service_fee_rate=Decimal("0.02"))
    completed_order(buyer, listed_sku(store, price="100.00", category=leaf))
    assert balance(store) == D("98.00")
    config.set_value("category.default_service_fee_rate", "0.10")
    Category.objects.filter(code="t_root").update(service_fee_rate=None)
    completed_order(buyer, listed_sku(store, price="100.00", category=leaf))
    assert balance(store) == D("188.00")


def test_the_completion_sweep_settles_each_order_once(store, buyer):
    sku = listed_sku(store, price="100.00")
    orders = [sign(ship(pay(place(buyer, sku)))) for _ in range(3)]
    later = timezone.now() + timezone.timedelta(days=30)
    assert complete_signed_orders(later, batch_size=2) == 3
    assert complete_signed_orders(later) == 0
    assert StoreAccountEntry.objects.filter(kind="settlement").count() == 3
    assert balance(store) == D("285.00")
    assert {e.order_id for e in StoreAccountEntry.objects.all()} == {o.pk for o in orders}


def test_refund_before_settlement_is_not_settled_and_after_is_debited(store, buyer, reviewer):
    sku = listed_sku(store, price="100.00")
    before = sign(ship(pay(place(buyer, sku))))
    order_refund(order=before, amount=D("40"), idempotency_key="r1", actor=reviewer,
                   reason="部分退款")
    from shop.services.orders import order_confirm_receipt

    order_confirm_receipt(order=before, actor=buyer)
    assert balance(store) == D("57.00")  # (100 - 40) less 5 %
    after = completed_order(buyer, sku)
    refund = order_refund(order=after, amount=D("100"), idempotency_key="r2", actor=reviewer,
                            reason="售后退款")
    debit = StoreAccountEntry.objects.get(kind="refund")
    assert debit.payment_id == refund.pk and debit.order_id == after.pk
    assert debit.amount == D("-95.00")  # the fee on it goes back to the merchant
    assert balance(store) == D("57.00")
    # The same refund again (same idempotency key) moves nothing.
    order_refund(order=after, amount=D("100"), idempotency_key="r2", actor=reviewer,
                   reason="售后退款")
    assert StoreAccountEntry.objects.filter(kind="refund").count() == 1


def test_small_withdrawal_is_paid_automatically(store, reviewer):
    store_account_adjust(store=store, amount=D("800"), actor=reviewer, reason="测试", token=token())
    w = withdrawal_request(store=store, amount=D("300"), actor=store.merchant, token="t1")
    assert w.status == Withdrawal.Status.PAID and w.automatic
    assert w.payment.kind == Payment.Kind.PAYOUT and w.payment.payee == store.merchant
    assert balance(store) == D("500.00")
    # The same form posted twice is one withdrawal.
    assert withdrawal_request(store=store, amount=D("300"), actor=store.merchant, token="t1").pk == w.pk
    assert balance(store) == D("500.00")


def test_large_withdrawal_waits_for_review_and_rejection_returns_the_money(store, reviewer):
    config.set_value("account.withdrawal_auto_max", "100")
    store_account_adjust(store=store, amount=D("800"), actor=reviewer, reason="测试", token=token())
    w = withdrawal_request(store=store, amount=D("500"), actor=store.merchant, token="t1")
    assert w.status == Withdrawal.Status.REQUESTED
    assert balance(store) == D("300.00")
    with pytest.raises(ApplicationError):
        withdrawal_reject(withdrawal=w, actor=reviewer, reason="")
    withdrawal_reject(withdrawal=w, actor=reviewer, reason="账户信息不符")
    assert balance(store) == D("800.00")
    with pytest.raises(ApplicationError):
        withdrawal_approve(withdrawal=w, actor=reviewer)
    w2 = withdrawal_request(store=store, amount=D("500"), actor=store.merchant, token="t2")
    w2 = withdrawal_approve(withdrawal=w2, actor=reviewer)
    assert w2.status == Withdrawal.Status.PAID and not w2.automatic and w2.reviewer == reviewer
    assert list(w2.events.values_list("to_status", flat=True)) == ["requested", "paid"]


def test_withdrawal_refused_above_the_available_balance_or_for_another_store(store, reviewer,
                                                                           other_merchant):
    store_account_adjust(store=store, amount=D("100"), actor=reviewer, reason="测试", token=token())
    with pytest.raises(ApplicationError) as exc:
        withdrawal_request(store=store, amount=D("100.01"), actor=store.merchant, token="t1")
    assert exc.value.code == "insufficient_balance"
    with pytest.raises(ApplicationError) as exc:
        withdrawal_request(store=store, amount=D("10"), actor=other_merchant, token="t2")
    assert exc.value.code == "not_yours"
    assert not Withdrawal.objects.exists()


def test_withdrawal_blocked_while_a_deposit_is_short(store, reviewer):
    pay_deposit(store, "500")
    deposit_deduct(store=store, amount=D("300"), cause_type="after_sale", cause_id="1",
                   actor=None, reason="先行赔付")
    with pytest.raises(ApplicationError) as exc:
        withdrawal_request(store=store, amount=D("1"), actor=store.merchant, token="t1")
    assert exc.value.code == "withdrawal_blocked"
    assert "¥300.00" in exc.value.message
