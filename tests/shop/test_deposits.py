"""Deposits against the database: requirements from the store's products and categories,
paying in through the signed provider callback, the first-payment clock, shortfall →
restrictions (cart/orders, listing, withdrawals) → top-up → lifted at once, manual
adjustments, and entries that are never edited or deleted."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from common import config, deadlines
from common.errors import ApplicationError
from compliance.models import Category
from payments.providers import payment_provider
from payments.services import payment_callback_handle
from shop.models import (
    DepositAccount,
    DepositEntry,
    DepositPayIn,
    LedgerImmutableError,
    Product,
    StoreAccountEntry,
)
from shop.selectors.deposits import deposit_requirements, deposit_shortfall, deposit_states
from shop.selectors.stores import store_abilities, store_may_list_kind
from shop.services.deposits import (
    deposit_adjust,
    deposit_deduct,
    deposit_evaluate,
    deposit_payin_start,
    deposits_first_payment_due,
)
from shop.services.orders import order_place
from shop.services.products import product_submit
from tests.factories import CategoryFactory, ProductFactory, leaf_category
from tests.shop.order_factories import ADDRESS, _fast_password_hashing, listed_sku  # noqa: F401
from tests.shop.test_deposits_fixtures import (
    D,
    account,
    new_store,
    opened_store,
    pay_deposit,
    token,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return opened_store(merchant)


def jade_categories():
    root = CategoryFactory(code="jewelry", name="珠宝文玩", status=Category.Status.OPEN)
    jade = CategoryFactory(code="jewelry.jade", name="珠宝玉石", parent=root, status="")
    return {
        "finished": CategoryFactory(code="jewelry.jade.finished", name="翡翠成品", parent=jade,
                                    deposit_standard=D("20000"), deposit_industry_base=D("5000")),
        "hetian": CategoryFactory(code="jewelry.jade.hetian", name="和田玉", parent=jade,
                                  deposit_standard=D("10000"), deposit_industry_base=D("5000")),
        "rough": CategoryFactory(code="jewelry.jade.rough", name="翡翠原石", parent=jade,
                                 status=Category.Status.NOT_OPEN, deposit_industry_base=D("50000"),
                                 invitation_only=True),
        "jade": jade,
    }


# --- requirements from the database ----------------------------------------------------------
def test_only_listed_and_in_review_products_count(store):
    cats = jade_categories()
    ProductFactory(store=store, category=cats["finished"], status=Product.Status.DRAFT)
    ProductFactory(store=store, category=cats["finished"], status=Product.Status.DELISTED)
    ProductFactory(store=store, category=cats["hetian"], status=Product.Status.REJECTED)
    assert deposit_requirements(store)["store"].amount == D("500")
    ProductFactory(store=store, category=cats["hetian"], status=Product.Status.IN_REVIEW)
    assert deposit_requirements(store)["store"].amount == D("10000")
    ProductFactory(store=store, category=cats["finished"], status=Product.Status.LISTED)
    req = deposit_requirements(store)["store"]
    assert req.amount == D("20000")
    assert req.lines[1]["category"] == "翡翠成品"


def test_industry_base_stores_pay_the_base_price_and_rough_jadeite_counts_only_for_them(store):
    cats = jade_categories()
    ProductFactory(store=store, category=cats["finished"], status=Product.Status.LISTED)
    ProductFactory(store=store, category=cats["rough"], status=Product.Status.IN_REVIEW)
    assert deposit_requirements(store)["store"].amount == D("20000")
    store.industry_base = True
    store.save()
    assert deposit_requirements(store)["store"].amount == D("50000")


def test_a_blank_special_amount_inherits_the_parents(store):
    cats = jade_categories()
    Category.objects.filter(pk=cats["jade"].pk).update(deposit_standard=D("8000"))
    leaf = CategoryFactory(code="jewelry.jade.other", name="其它", parent=cats["jade"])
    ProductFactory(store=store, category=leaf, status=Product.Status.LISTED)
    assert deposit_requirements(store)["store"].amount == D("8000")


def test_the_promotion_deposit_is_required_only_with_other_platform_products(store):
    assert deposit_requirements(store)["promotion"].amount == 0
    ProductFactory(store=store, kind=Product.Kind.OTHER_PLATFORM, status=Product.Status.IN_REVIEW,
                   platform="tmall", external_url="https://detail.tmall.com/item.htm?id=1",
                   external_price=D("10"))
    assert deposit_requirements(store)["promotion"].amount == D("500")


def test_amounts_are_configuration(store):
    config.set_value("deposit.base_store", "800")
    assert deposit_requirements(store)["store"].amount == D("800")


# --- paying in -------------------------------------------------------------------------------
def test_payin_through_the_signed_callback_once(store):
    payin, info = deposit_payin_start(store=store, kind="store", amount=D("500"),
                                      actor=store.merchant, token="t1")
    assert info["payment_ref"] == payin.provider_ref and info["amount"] == "500.00"
    again, _info = deposit_payin_start(store=store, kind="store", amount=D("500"),
                                       actor=store.merchant, token="t1")
    assert again.pk == payin.pk
    provider = payment_provider("sandbox")
    body = provider.callback_body(payin)
    with pytest.raises(ApplicationError):
        payment_callback_handle(provider_name="sandbox", body=body, signature="bad")
    assert account(store).balance == 0
    result, changed = payment_callback_handle(provider_name="sandbox", body=body,
                                              signature=provider.sign(body))
    assert changed and result.status == DepositPayIn.Status.SUCCEEDED
    _result, changed = payment_callback_handle(provider_name="sandbox", body=body,
                                               signature=provider.sign(body))
    assert not changed
    entry = DepositEntry.objects.get()
    assert entry.kind == DepositEntry.Kind.PAYMENT and entry.amount == D("500.00")
    assert entry.cause_type == "payin" and entry.cause_id == str(payin.pk)
    assert entry.actor == store.merchant
    assert account(store).balance == D("500.00")
    pay_deposit(store, "100")
    assert DepositEntry.objects.latest("pk").kind == DepositEntry.Kind.TOP_UP


def test_a_failed_or_mismatched_payin_moves_nothing(store):
    payin, _info = deposit_payin_start(store=store, kind="store", amount=D("500"),
                                       actor=store.merchant, token="t1")
    provider = payment_provider("sandbox")
    body = json.dumps({"payment_ref": payin.provider_ref, "status": "succeeded",
                       "amount": "5.00"}).encode()
    with pytest.raises(ApplicationError):
        payment_callback_handle(provider_name="sandbox", body=body, signature=provider.sign(body))
    body = provider.callback_body(payin, succeeded=False)
    payment_callback_handle(provider_name="sandbox", body=body, signature=provider.sign(body))
    payin.refresh_from_db()
    assert payin.status == DepositPayIn.Status.FAILED
    assert not DepositEntry.objects.exists()


@pytest.mark.parametrize("kwargs, code", [
    ({"amount": D("0")}, "invalid_amount"),
    ({"amount": D("10000000.01")}, "invalid_amount"),
    ({"kind": "other"}, "unknown_deposit"),
    ({"token": ""}, "no_token"),
])
def test_bad_payins_are_refused(store, kwargs, code):
    args = {"kind": "store", "amount": D("10"), "token": "t", **kwargs}
    with pytest.raises(ApplicationError) as exc:
        deposit_payin_start(store=store, actor=store.merchant, **args)
    assert exc.value.code == code


def test_only_the_merchant_pays_into_the_store(store, other_merchant):
    with pytest.raises(ApplicationError) as exc:
        deposit_payin_start(store=store, kind="store", amount=D("1"), actor=other_merchant,
                            token="t")
    assert exc.value.code == "not_yours"


# --- first payment clock ---------------------------------------------------------------------
def test_a_new_store_has_until_the_clock_to_pay_then_is_restricted(merchant):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        store = new_store(merchant, opened_at=start)
        # The sweep opens the accounts of stores that have none; not restricted yet.
        assert deadlines.run_all(start)["deposits.first_payment_due"] == 1
    acc = account(store)
    assert acc.pay_by == start + timedelta(days=7) and acc.shortfall == D("500.00")
    assert store_abilities(store).may_sell
    later = start + timedelta(days=7, minutes=1)
    assert deposits_first_payment_due(later) == 1
    assert deposits_first_payment_due(later) == 0  # the clock fired once
    assert not store_abilities(store).may_sell
    assert account(store).restricted_since == later and account(store).pay_by is None
    with time_machine.travel(later + timedelta(hours=1), tick=False):
        pay_deposit(store, "500")
    assert store_abilities(store).may_sell


@pytest.mark.parametrize("order", ["store_deposit_first", "other_platform_first"])
def test_a_new_stores_first_other_platform_product_is_inside_the_first_payment_period(
        merchant, order):
    """Whichever comes first — paying the store deposit or listing the first
    other-platform product — the promotion deposit keeps its first-payment period while
    it was not required yet (it used to be cleared then, restricting the store at once)."""
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        store = opened_store(merchant, opened_at=start)
        if order == "store_deposit_first":
            pay_deposit(store, "500")
        ProductFactory(store=store, kind=Product.Kind.OTHER_PLATFORM,
                       status=Product.Status.IN_REVIEW, platform="tmall",
                       external_url="https://detail.tmall.com/item.htm?id=1",
                       external_price=D("10"))
        deposit_evaluate(store=store)
        promotion = account(store, "promotion")
        assert promotion.shortfall == D("500.00")
        assert promotion.pay_by == start + timedelta(days=7)
        assert promotion.restricted_since is None
        assert store_may_list_kind(store, "other_platform")
    later = start + timedelta(days=7, minutes=1)
    assert deposits_first_payment_due(later) >= 1
    assert account(store, "promotion").restricted_since == later
    assert not store_may_list_kind(store, "other_platform")


def test_paying_within_the_grace_clears_the_clock(merchant):
    store = opened_store(merchant)
    pay_deposit(store, "500")
    assert account(store).pay_by is None
    # Only the promotion deposit's clock is left (it is not required yet): it lapses
    # without restricting anything.
    assert account(store, "promotion").pay_by is not None
    assert deposits_first_payment_due(timezone.now() + timedelta(days=30)) == 1
    assert account(store, "promotion").restricted_since is None
    assert store_abilities(store).may_sell


# --- shortfall, restriction, lifting ---------------------------------------------------------
def test_shortfall_restricts_cart_listing_withdrawals_until_topped_up(store, buyer):
    sku = listed_sku(store)
    draft = ProductFactory(store=store, status=Product.Status.DRAFT, category=leaf_category(
        code="t_root.mid.leaf2", name="卫衣"))
    pay_deposit(store, "500")
    deposit_deduct(store=store, amount=D("300"), cause_type="after_sale", cause_id="9",
                   actor=None, reason="先行赔付")
    state = deposit_shortfall(store)
    assert state["restricted"] and state["total"] == D("300.00")
    abilities = store_abilities(store)
    assert (abilities.may_sell, abilities.may_list, abilities.may_withdraw) == (False, False, False)
    assert not store_may_list_kind(store, "own")
    with pytest.raises(ApplicationError) as exc:
        order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 1}], address=ADDRESS)
    assert exc.value.code == "store_cannot_sell"
    with pytest.raises(ApplicationError) as exc:
        product_submit(product=draft, actor=store.merchant)
    assert exc.value.code == "store_restricted"
    # The deposit page tells how much to pay, and paying it lifts everything at once.
    [store_state, _promotion] = deposit_states(store)
    assert store_state.to_pay == D("300.00")
    pay_deposit(store, "300")
    assert not deposit_shortfall(store)["restricted"]
    abilities = store_abilities(store)
    assert (abilities.may_sell, abilities.may_list, abilities.may_withdraw) == (True, True, True)
    order_place(actor=buyer, items=[{"sku": sku.pk, "quantity": 1}], address=ADDRESS)


def test_a_larger_requirement_after_a_new_special_category_restricts_on_evaluation(store):
    pay_deposit(store, "500")
    cats = jade_categories()
    ProductFactory(store=store, category=cats["hetian"], status=Product.Status.IN_REVIEW)
    deposit_evaluate(store=store)
    assert store_abilities(store).shortfall == {"store": D("9500.00")}
    pay_deposit(store, "9500")
    assert store_abilities(store).may_list


def test_a_partial_top_up_keeps_the_restriction(store):
    pay_deposit(store, "100")
    deposit_evaluate(store=store, now=timezone.now() + timedelta(days=8))
    assert store_abilities(store).shortfall == {"store": D("400.00")}
    pay_deposit(store, "399.99")
    assert store_abilities(store).shortfall == {"store": D("0.01")}
    pay_deposit(store, "0.01")
    assert store_abilities(store).may_sell


def test_manual_adjustment_needs_a_reason_and_happens_once_per_form(store, reviewer):
    acc = account(store)
    with pytest.raises(ApplicationError):
        deposit_adjust(account=acc, amount=D("50"), actor=reviewer, reason=" ", token="x")
    with pytest.raises(ApplicationError):
        deposit_adjust(account=acc, amount=D("0"), actor=reviewer, reason="r", token="x")
    first = deposit_adjust(account=acc, amount=D("50"), actor=reviewer, reason="补录线下缴纳",
                           token="x")
    second = deposit_adjust(account=acc, amount=D("50"), actor=reviewer, reason="补录线下缴纳",
                            token="x")
    assert first.pk == second.pk and account(store).balance == D("50.00")
    assert first.actor == reviewer and first.reason == "补录线下缴纳"


# --- append-only -----------------------------------------------------------------------------
def test_entries_are_never_edited_or_deleted(store, reviewer):
    pay_deposit(store, "500")
    entry = DepositEntry.objects.get()
    entry.amount = D("1")
    with pytest.raises(LedgerImmutableError):
        entry.save()
    with pytest.raises(LedgerImmutableError):
        entry.delete()
    with pytest.raises(LedgerImmutableError):
        DepositEntry.objects.filter(pk=entry.pk).update(amount=D("1"))
    with pytest.raises(LedgerImmutableError):
        DepositEntry.objects.all().delete()
    from shop.services.accounts import store_account_adjust

    store_account_adjust(store=store, amount=D("5"), actor=reviewer, reason="r", token=token())
    with pytest.raises(LedgerImmutableError):
        StoreAccountEntry.objects.all().delete()
    entry.refresh_from_db()
    assert entry.amount == D("500.00")


def test_reviewers_may_not_delete_entries(reviewer):
    assert reviewer.has_perm("shop.view_depositentry")
    assert not reviewer.has_perm("shop.delete_depositentry")
    assert not reviewer.has_perm("shop.delete_storeaccountentry")


def test_both_accounts_exist_once(store):
    assert DepositAccount.objects.filter(store=store).count() == 2
    deposit_evaluate(store=store)
    assert DepositAccount.objects.filter(store=store).count() == 2
    assert Decimal(account(store).required_amount) == D("500.00")
