"""Paid promotion (推广) orders: submitted for review, approved (the budget charged from the
store account with a ledger entry) or rejected with a reason, extended (追投), ended by
their clock with the unspent budget refunded; the ledgers stay balanced; a merchant
promotes only their own session or video."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from common import deadlines
from common.errors import ApplicationError
from promotions.models import PromotionExtension, PromotionOrder, PromotionOrderEvent
from promotions.services import ads as services
from promotions.services.live import live_session_end
from shop.models import DepositAccount, Product, StoreAccountEntry
from shop.selectors.deposits import ledgers_reconcile
from tests.promotions.ad_factories import balance, fund, ingest, row, submit
from tests.promotions.live_factories import selling_session, video
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    store_for,
)

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.fixture
def clip(store):
    return video(store, listed_sku(store).product)


@pytest.fixture
def funded(store, reviewer):
    fund(store, "500.00", reviewer)
    return store


def entries(store, kind):
    return list(StoreAccountEntry.objects.filter(account__store=store, kind=kind)
                .order_by("pk").values_list("amount", flat=True))


def test_submit_waits_for_review_and_charges_nothing(funded, clip):
    order = submit(funded, clip, budget="100.00", target_gender="female",
                   target_ages=["31-40", "18-23"], target_regions=["上海", "北京"])
    assert order.status == "pending" and order.kind == "shop_work"
    assert order.target_ages == ["18-23", "31-40"] and order.target_regions == ["北京", "上海"]
    assert balance(funded) == D("500.00")
    assert order.events.get().reason_code == "promotions.ad_submitted"


def test_approve_charges_the_budget_with_a_ledger_entry_and_starts_the_clock(funded, clip,
                                                                              reviewer):
    now = timezone.now()
    order = submit(funded, clip, budget="120.00", hours=12)
    services.promotion_order_approve(order=order, actor=reviewer, now=now)
    order.refresh_from_db()
    assert order.status == "running" and order.reviewer == reviewer
    assert order.started_at == now and order.ends_at == now + timedelta(hours=12)
    assert balance(funded) == D("380.00")
    assert entries(funded, "promotion_charge") == [D("-120.00")]
    assert not ledgers_reconcile().problems


def test_approve_refused_when_the_balance_is_short_writes_nothing(store, clip, reviewer):
    fund(store, "50.00", reviewer)
    order = submit(store, clip, budget="100.00")
    with pytest.raises(ApplicationError) as info:
        services.promotion_order_approve(order=order, actor=reviewer)
    assert info.value.code == "insufficient_balance"
    order.refresh_from_db()
    assert order.status == "pending" and order.ends_at is None and order.reviewer is None
    assert balance(store) == D("50.00") and not entries(store, "promotion_charge")
    assert order.events.count() == 1


def test_reject_keeps_the_reason_and_charges_nothing(funded, clip, reviewer):
    order = submit(funded, clip)
    with pytest.raises(ApplicationError):
        services.promotion_order_reject(order=order, actor=reviewer, reason="  ")
    services.promotion_order_reject(order=order, actor=reviewer, reason="视频内容与商品不符")
    order.refresh_from_db()
    assert order.status == "rejected" and order.rejection_reason == "视频内容与商品不符"
    assert order.events.last().reason == "视频内容与商品不符"
    assert balance(funded) == D("500.00")
    with pytest.raises(ApplicationError) as info:
        services.promotion_order_approve(order=order, actor=reviewer)
    assert info.value.code == "bad_state"


def test_cancel_before_review_only(funded, clip, reviewer, other_merchant):
    order = submit(funded, clip)
    with pytest.raises(ApplicationError):
        services.promotion_order_cancel(order=order, actor=other_merchant)
    services.promotion_order_cancel(order=order, actor=funded.merchant)
    assert PromotionOrder.objects.get(pk=order.pk).status == "cancelled"
    with pytest.raises(ApplicationError):
        services.promotion_order_approve(order=order, actor=reviewer)


def test_end_clock_refunds_the_unspent_budget_once(funded, clip, reviewer):
    now = timezone.now()
    order = submit(funded, clip, budget="200.00", hours=24)
    services.promotion_order_approve(order=order, actor=reviewer, now=now)
    ingest("b-1", row(order, exposures=1000, plays=100, new_fans=4, spend="75.50"),
           now=now + timedelta(hours=1))
    later = now + timedelta(hours=24)
    sweep = deadlines.registered()["paid_promotion.end"]
    assert sweep(later - timedelta(seconds=1)) == 0
    assert sweep(later) == 1
    assert sweep(later) == 0
    services.promotion_order_end(order=order, now=later + timedelta(hours=1))
    order.refresh_from_db()
    assert order.status == "ended" and order.spent == D("75.50")
    assert order.refunded == D("124.50") and order.ended_at == later
    assert entries(funded, "promotion_refund") == [D("124.50")]
    # charged − refunded = spent, and the balance is the sum of the entries
    assert balance(funded) == D("500.00") - D("75.50")
    assert not ledgers_reconcile().problems
    assert order.events.filter(to_status="ended").count() == 1


def test_a_fully_spent_order_ends_without_a_refund_entry(funded, clip, reviewer):
    now = timezone.now()
    order = submit(funded, clip, budget="100.00")
    services.promotion_order_approve(order=order, actor=reviewer, now=now)
    ingest("b-all", row(order, spend="100.00"), now=now)
    services.promotion_order_end(order=order, now=now + timedelta(hours=24))
    order.refresh_from_db()
    assert order.status == "ended" and order.refunded == 0
    assert not entries(funded, "promotion_refund")
    assert balance(funded) == D("400.00")


def test_extend_charges_more_budget_and_moves_the_end(funded, clip, reviewer):
    now = timezone.now()
    order = submit(funded, clip, budget="100.00", hours=24)
    services.promotion_order_approve(order=order, actor=reviewer, now=now)
    ext = services.promotion_order_extend(order=order, actor=funded.merchant,
                                          added_budget="50.00", added_hours=12, token="t1",
                                          now=now + timedelta(hours=2))
    again = services.promotion_order_extend(order=order, actor=funded.merchant,
                                            added_budget="50.00", added_hours=12, token="t1",
                                            now=now + timedelta(hours=2))
    assert again.pk == ext.pk and PromotionExtension.objects.count() == 1
    order.refresh_from_db()
    assert order.budget == D("150.00") and order.duration_hours == 36
    assert order.ends_at == now + timedelta(hours=36)
    assert entries(funded, "promotion_charge") == [D("-100.00"), D("-50.00")]
    assert balance(funded) == D("350.00")
    # time only
    services.promotion_order_extend(order=order, actor=funded.merchant, added_hours=6,
                                    token="t2", now=now + timedelta(hours=3))
    order.refresh_from_db()
    assert order.budget == D("150.00") and order.ends_at == now + timedelta(hours=42)
    assert len(entries(funded, "promotion_charge")) == 2
    # the old end no longer ends it; the new one does, refunding the whole unspent budget
    services.promotion_order_end(order=order, now=now + timedelta(hours=24))
    assert PromotionOrder.objects.get(pk=order.pk).status == "running"
    services.promotion_order_end(order=order, now=now + timedelta(hours=42))
    assert entries(funded, "promotion_refund") == [D("150.00")]
    assert balance(funded) == D("500.00")
    assert not ledgers_reconcile().problems


def test_extend_refusals(funded, clip, reviewer, other_merchant):
    now = timezone.now()
    order = submit(funded, clip, budget="100.00", hours=24)
    with pytest.raises(ApplicationError) as info:
        services.promotion_order_extend(order=order, actor=funded.merchant,
                                        added_budget="50", token="p", now=now)
    assert info.value.code == "bad_state"
    services.promotion_order_approve(order=order, actor=reviewer, now=now)
    for kwargs, code in [
        ({"added_budget": "0", "added_hours": 0}, "nothing_added"),
        ({"added_budget": "abc"}, "invalid_budget"),
        ({"added_budget": "1.00"}, "budget_too_low"),
        ({"added_hours": 5}, "invalid_duration"),
        ({"added_budget": "1000.00"}, "insufficient_balance"),
    ]:
        with pytest.raises(ApplicationError) as info:
            services.promotion_order_extend(order=order, actor=funded.merchant, token="x",
                                            now=now, **kwargs)
        assert info.value.code == code
    with pytest.raises(ApplicationError) as info:
        services.promotion_order_extend(order=order, actor=other_merchant,
                                        added_budget="50", token="y", now=now)
    assert info.value.code == "not_yours"
    assert not PromotionExtension.objects.exists()
    assert balance(funded) == D("400.00")
    order.refresh_from_db()
    assert order.budget == D("100.00")


def test_cannot_promote_another_stores_video_or_an_ended_session(funded, other_merchant):
    other_store = store_for(other_merchant)
    other_clip = video(other_store)
    with pytest.raises(ApplicationError) as info:
        submit(funded, other_clip, kind="fans_headline")
    assert info.value.code == "invalid_subject"
    with pytest.raises(ApplicationError) as info:
        services.promotion_order_create(
            store=other_store, actor=funded.merchant, subject_type="video",
            subject_id=other_clip.pk, kind="fans_headline", goal="fans", budget="100",
            duration_hours=24)
    assert info.value.code == "not_yours"
    session = selling_session(funded)
    order = services.promotion_order_create(
        store=funded, actor=funded.merchant, subject_type="live", subject_id=session.pk,
        kind="fans_headline", goal="fans", budget="100", duration_hours=24)
    assert order.session == session
    live_session_end(session=session, actor=funded.merchant)
    with pytest.raises(ApplicationError):
        services.promotion_order_create(
            store=funded, actor=funded.merchant, subject_type="live", subject_id=session.pk,
            kind="fans_headline", goal="fans", budget="100", duration_hours=24)
    assert PromotionOrder.objects.count() == 1


@pytest.mark.parametrize("kwargs, code", [
    ({"kind": "fans_headline"}, "kind_mismatch"),
    ({"budget": "10.00"}, "budget_too_low"),
    ({"budget": "1000000.00"}, "budget_too_high"),
    ({"budget": "NaN"}, "invalid_budget"),
    ({"hours": 5}, "invalid_duration"),
    ({"goal": "likes"}, "invalid_goal"),
    ({"target_ages": ["12-17"]}, "invalid_targeting"),
    ({"target_regions": ["火星"]}, "invalid_targeting"),
    ({"target_gender": "robot"}, "invalid_targeting"),
])
def test_bad_input_is_refused_and_nothing_is_written(funded, clip, kwargs, code):
    with pytest.raises(ApplicationError) as info:
        submit(funded, clip, **kwargs)
    assert info.value.code == code
    assert not PromotionOrder.objects.exists() and not PromotionOrderEvent.objects.exists()


def test_a_video_without_products_is_a_fans_headline(funded):
    bare = video(funded)
    with pytest.raises(ApplicationError) as info:
        submit(funded, bare, kind="shop_work")
    assert info.value.code == "kind_mismatch"
    assert submit(funded, bare, kind="fans_headline").kind == "fans_headline"


def test_other_platform_products_need_the_promotion_deposit(funded, clip, reviewer):
    with pytest.raises(ApplicationError) as info:
        submit(funded, clip, promotes_other_platform=True)
    assert info.value.code == "promotion_deposit_missing"
    # a linked other-platform product sets the flag by itself
    Product.objects.filter(pk=clip.links.get().product_id).update(kind="other_platform")
    with pytest.raises(ApplicationError) as info:
        submit(funded, clip)
    assert info.value.code == "promotion_deposit_missing"
    DepositAccount.objects.create(store=funded, kind="promotion", balance=D("500.00"))
    order = submit(funded, clip)
    assert order.promotes_other_platform
    # the deposit is checked again at approval
    DepositAccount.objects.filter(store=funded, kind="promotion").update(balance=D("100.00"))
    with pytest.raises(ApplicationError) as info:
        services.promotion_order_approve(order=order, actor=reviewer)
    assert info.value.code == "promotion_deposit_missing"
    assert PromotionOrder.objects.get(pk=order.pk).status == "pending"
