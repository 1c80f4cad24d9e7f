"""Market-management measures: applied and lifted with a reason, each move an event; they
restrict through the same selector, end on their clock, delist through shop; frozen funds
stop withdrawals and payouts."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from common.errors import ApplicationError
from compliance.enforcement import measures
from compliance.enforcement.models import Measure, Restriction
from shop.models import Product
from shop.selectors.stores import store_abilities
from shop.services.accounts import store_account_adjust, withdrawal_request
from tests.factories import ProductFactory, StoreFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=TZ)


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant)


@pytest.mark.parametrize(("kind", "restricts"), [
    ("warning", {"warning"}),
    ("restrict_publish", {"publish"}),
    ("restrict_campaign", {"campaign"}),
    ("suspend_cart", {"cart"}),
    ("close_store", {"publish", "campaign", "cart"}),
    ("freeze_funds", {"funds"}),
    ("delist_store", set()),
])
def test_each_measure_restricts_what_it_says(store, reviewer, kind, restricts):
    measure = measures.measure_apply(store=store, kind=kind, reason="消费者保障风险",
                                     actor=reviewer, now=NOW)
    assert {r.kind for r in measure.restrictions.all()} == restricts
    assert [e.to_status for e in measure.events.all()] == ["active"]


@pytest.mark.parametrize(("kind", "ends", "product", "code"), [
    ("account_ban_step", NOW + timedelta(days=3), False, "end_from_ladder"),
    ("permanent_ban", NOW + timedelta(days=3), False, "end_not_allowed"),
    ("delist_product", None, False, "product_missing"),
    ("suspend_cart", NOW - timedelta(days=1), False, "end_in_past"),
])
def test_measures_refused_as_asked(store, reviewer, kind, ends, product, code):
    with pytest.raises(ApplicationError) as exc:
        measures.measure_apply(store=store, kind=kind, reason="x", ends_at=ends, actor=reviewer,
                               now=NOW)
    assert exc.value.code == code
    assert not Measure.objects.exists()


def test_a_reason_is_needed_to_apply_and_to_lift(store, reviewer):
    with pytest.raises(ApplicationError):
        measures.measure_apply(store=store, kind="warning", reason=" ", actor=reviewer)
    measure = measures.measure_apply(store=store, kind="warning", reason="警告", actor=reviewer)
    with pytest.raises(ApplicationError):
        measures.measure_lift(measure=measure, reason="", actor=reviewer)


def test_frozen_funds_stop_withdrawals_until_lifted(store, reviewer, merchant):
    store_account_adjust(store=store, amount=Decimal("100.00"), actor=reviewer, reason="入账",
                         token="t1")
    measure = measures.measure_apply(store=store, kind="freeze_funds", reason="账户安全风险",
                                     actor=reviewer)
    abilities = store_abilities(store)
    assert not abilities.may_withdraw and abilities.may_sell
    with pytest.raises(ApplicationError) as exc:
        withdrawal_request(store=store, amount="50", actor=merchant, token="w1")
    assert exc.value.code == "withdrawal_blocked"
    measures.measure_lift(measure=measure, reason="风险解除", actor=reviewer)
    assert store_abilities(store).may_withdraw
    assert measure.restrictions.get().status == "lifted"
    assert [e.to_status for e in Measure.objects.get(pk=measure.pk).events.all()] == [
        "active", "lifted"]
    withdrawal_request(store=store, amount="50", actor=merchant, token="w2")


def test_a_measure_ends_on_its_clock_with_its_restrictions(store, reviewer):
    end = NOW + timedelta(days=7)  # the first step of the ban ladder
    measure = measures.measure_apply(store=store, kind="account_ban_step", reason="梯度封禁",
                                     actor=reviewer, now=NOW)
    assert measure.ends_at == end
    assert not store_abilities(store, now=NOW + timedelta(days=1)).may_sell
    assert measures.measures_end_due(now=end - timedelta(seconds=1)) == 0
    assert measures.measures_end_due(now=end) == 1
    assert measures.measures_end_due(now=end) == 0
    measure.refresh_from_db()
    assert measure.status == "ended"
    assert not Restriction.objects.filter(measure=measure, status="active").exists()


def test_delisting_measures_take_products_off_sale(store, reviewer, other_merchant):
    one, two = ProductFactory(store=store), ProductFactory(store=store)
    elsewhere = ProductFactory(store=StoreFactory(merchant=other_merchant))
    measures.measure_apply(store=store, kind="delist_product", product=one, reason="违规商品",
                           actor=reviewer)
    assert Product.objects.get(pk=one.pk).status == "delisted"
    assert Product.objects.get(pk=two.pk).status == "listed"
    with pytest.raises(ApplicationError) as exc:
        measures.measure_apply(store=store, kind="delist_product", product=elsewhere,
                               reason="x", actor=reviewer)
    assert exc.value.code == "product_not_of_store"
    measures.measure_apply(store=store, kind="delist_store", reason="全店下架", actor=reviewer)
    assert Product.objects.get(pk=two.pk).status == "delisted"
    assert Product.objects.get(pk=two.pk).delisted_cause == "reviewer"
    assert Product.objects.get(pk=elsewhere.pk).status == "listed"


def test_admin_applies_and_lifts_a_measure(reviewer_client, store):
    response = reviewer_client.post(reverse("admin:compliance_measure_apply"), {
        "store": store.pk, "kind": "suspend_cart", "reason": "诉讼应对"})
    assert response.status_code == 302
    measure = Measure.objects.get()
    assert measure.applied_by.username == "t_reviewer"
    assert reviewer_client.get(reverse("admin:compliance_measure_change",
                                       args=[measure.pk])).status_code == 200
    response = reviewer_client.post(reverse("admin:compliance_measure_lift", args=[measure.pk]),
                                    {"reason": "已妥善处理"})
    assert response.status_code == 302
    measure.refresh_from_db()
    assert measure.status == "lifted" and measure.lift_reason == "已妥善处理"
