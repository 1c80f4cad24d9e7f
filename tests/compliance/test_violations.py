"""Violations, the credit score and its restrictions, against the database."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from common import config
from common.errors import ApplicationError
from compliance.enforcement import selectors
from compliance.enforcement import services as svc
from compliance.enforcement.models import (
    CreditScore,
    CreditScoreEntry,
    Restriction,
    SourceKind,
    Violation,
    ViolationType,
)
from shop.models import StoreAccountEntry
from shop.selectors.stores import store_abilities
from shop.services import products as product_svc
from shop.services.accounts import store_account_adjust, store_account_get
from tests.factories import StoreFactory, leaf_category
from tests.shop.order_factories import listed_sku, place

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=TZ)
SKUS = [{"attributes": {"颜色": "白", "尺码": "M"}, "price": "59.00", "stock": 10}]

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant)


@pytest.fixture
def other_store(other_merchant):
    return StoreFactory(merchant=other_merchant)


def record(store, points, *, now=NOW, type="false_advertising", actor=None, **kw):
    return svc.violation_record(store=store, type=type, source_kind=SourceKind.COMPLAINT,
                                points=points, reason="查实虚假宣传", actor=actor, now=now, **kw)


def active(store, kind=None):
    rows = Restriction.objects.filter(store=store, status="active")
    return rows.filter(kind=kind) if kind else rows


def test_types_are_seeded_with_points_sources_and_a_lesson_field():
    sampling = ViolationType.objects.get(code="sampling_failure")
    assert sampling.default_points > 0 and "sampling" in sampling.source_kinds
    assert sampling.academy_lesson == ""
    for key in ("violation.shipped_late_type", "violation.pickup_late_type",
                "violation.dispute_contact_missed_type"):
        assert ViolationType.objects.filter(code=config.get(key)).exists()


def test_recording_deducts_points_and_writes_the_timeline(store, reviewer):
    violation = record(store, 6, actor=reviewer)
    assert violation.status == "in_force" and violation.points == 6
    assert CreditScore.objects.get(store=store).score == 94
    entry = CreditScoreEntry.objects.get(store=store)
    assert (entry.change, entry.score_after, entry.kind) == (-6, 94, "deduction")
    assert [e.to_status for e in violation.events.all()] == ["in_force"]
    assert violation.events.get().reason_code == "compliance.violation_recorded"
    # 7 natural days: the end of 8 March, platform time
    assert violation.appeal_by == datetime(2026, 3, 8, 23, 59, 59, tzinfo=TZ)
    assert not active(store).exists()


def test_the_same_source_records_one_violation(store, buyer):
    sku = listed_sku(store)
    order = place(buyer, sku)
    first = svc.violation_record(store=store, type="late_shipment", source=order,
                                 source_kind=SourceKind.DATA_SCREENING, actor=None, now=NOW)
    again = svc.violation_record(store=store, type="late_shipment", source=order,
                                 source_kind=SourceKind.DATA_SCREENING, actor=None, now=NOW)
    assert first.pk == again.pk and first.source == order
    assert CreditScore.objects.get(store=store).score == 100 - first.points


def test_a_node_starts_restrictions_that_block_and_end_by_themselves(store, buyer):
    sku = listed_sku(store)
    leaf = leaf_category(code="t_root.mid.tee", name="T恤")
    violation = record(store, 25)  # 100 → 75: node 80, 14 days
    until = NOW + timedelta(days=14)
    assert {r.kind: r.ends_at for r in active(store)} == {
        "warning": until, "publish": until, "campaign": until, "cart": until}
    abilities = store_abilities(store, now=NOW + timedelta(days=1))
    assert not abilities.may_sell and not abilities.may_list
    assert not abilities.may_sign_up_campaigns and abilities.may_withdraw
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        product = product_svc.product_create(
            store=store, actor=store.merchant, kind="own",
            data={"title": "纯棉T恤", "category_id": leaf.pk}, skus=SKUS)
        with pytest.raises(ApplicationError) as exc:
            product_svc.product_submit(product=product, actor=store.merchant)
        assert exc.value.code == "store_restricted"
        assert "2026-03-15 10:00" in exc.value.message
        with pytest.raises(ApplicationError) as exc:
            place(buyer, sku)
        assert exc.value.code == "store_cannot_sell" and "2026-03-15 10:00" in exc.value.message
    assert violation.restrictions.count() == 4
    # the clock: nothing ends a second early; at 14 days every one ends, once
    assert svc.restrictions_end_due(now=until - timedelta(seconds=1)) == 0
    assert svc.restrictions_end_due(now=until) == 4
    assert svc.restrictions_end_due(now=until) == 0
    assert [e.reason_code for e in Restriction.objects.filter(store=store).first().events.all()
            ] == ["compliance.node_reached", "compliance.restriction_ended"]
    with time_machine.travel(until + timedelta(minutes=1), tick=False):
        assert store_abilities(store).may_sell
        product_svc.product_submit(product=product, actor=store.merchant)
        place(buyer, sku)


def test_a_heavier_node_replaces_the_running_one_and_a_lighter_one_does_not(store):
    record(store, 25)  # 75: node 80
    record(store, 20, now=NOW + timedelta(days=2))  # 55: node 60 replaces it
    kinds = {r.kind: (r.node_score, r.ends_at) for r in active(store)}
    assert kinds["publish"] == (60, NOW + timedelta(days=2 + 21))
    assert Restriction.objects.filter(store=store, status="superseded").count() == 4
    record(store, 2, now=NOW + timedelta(days=3))  # 53: no node
    assert active(store).count() == 4


def test_several_nodes_at_once_apply_only_the_heaviest(store):
    record(store, 65)  # 35: nodes 80, 60 and 40 → 40 only (28 days)
    assert {(r.node_score, r.ends_at) for r in active(store)} == {
        (40, NOW + timedelta(days=28))}
    assert active(store).count() == 4


def test_reaching_zero_closes_the_cart_for_good_takes_the_balance_and_bars_reapplying(
        store, reviewer):
    store_account_adjust(store=store, amount=Decimal("300.00"), actor=reviewer,
                         reason="测试入账", token="t1", now=NOW)
    record(store, 100)
    score = CreditScore.objects.get(store=store)
    assert score.score == 0 and score.zero_reached_at == NOW
    assert {r.kind for r in active(store)} == {"warning", "publish", "campaign", "cart"}
    assert all(r.ends_at is None for r in active(store))
    assert svc.restrictions_end_due(now=NOW + timedelta(days=3650)) == 0
    assert store_account_get(store).balance == 0
    entry = StoreAccountEntry.objects.get(cause_type="credit_zero")
    assert entry.amount == Decimal("-300.00")
    assert entry.reason_code == "compliance.credit_zero_forfeit"
    assert selectors.credit_barred(applicant=store.merchant)
    assert selectors.credit_barred(credit_code=store.application.credit_code)
    # a further violation at 0 deducts nothing more and takes nothing more
    record(store, 5, now=NOW + timedelta(days=1))
    assert StoreAccountEntry.objects.filter(cause_type="credit_zero").count() == 1


def test_the_new_year_resets_deductions_once_and_running_restrictions_continue(store):
    december = datetime(2026, 12, 20, 10, 0, tzinfo=TZ)
    record(store, 85, now=december)  # 15: node 20, 42 days (into 2027)
    midnight = datetime(2027, 1, 1, 0, 0, tzinfo=TZ)
    assert svc.credit_scores_reset_due(now=midnight - timedelta(seconds=1)) == 0
    assert svc.credit_scores_reset_due(now=midnight) == 1
    assert svc.credit_scores_reset_due(now=midnight + timedelta(minutes=1)) == 0
    score = CreditScore.objects.get(store=store)
    assert (score.score, score.year) == (100, 2027)
    assert CreditScoreEntry.objects.filter(store=store, kind="reset").count() == 1
    assert active(store, "cart").get().ends_at == december + timedelta(days=42)
    # in the new year node 80 is reached while the heavier node-20 restrictions run
    record(store, 25, now=midnight + timedelta(days=1))
    assert {r.node_score for r in active(store)} == {20}


def test_a_deduction_before_the_reset_job_runs_starts_from_the_new_year(store):
    record(store, 10, now=datetime(2026, 6, 1, tzinfo=TZ))
    violation = record(store, 10, now=datetime(2027, 1, 1, 0, 5, tzinfo=TZ))
    assert violation.score_year == 2027
    assert CreditScore.objects.get(store=store).score == 90


def test_appeal_within_the_period_and_reviewer_upholds(store, merchant, reviewer):
    violation = record(store, 5)
    svc.violation_appeal(violation=violation, actor=merchant, text="我们已按时发货",
                         now=NOW + timedelta(days=7))
    violation.refresh_from_db()
    assert violation.status == "appealed" and selectors.store_has_open_cases(store)
    with pytest.raises(ApplicationError):
        svc.violation_uphold(violation=violation, actor=reviewer, reason="  ")
    svc.violation_uphold(violation=violation, actor=reviewer, reason="证据不足")
    violation.refresh_from_db()
    assert violation.status == "upheld" and not selectors.store_has_open_cases(store)
    assert CreditScore.objects.get(store=store).score == 95


def test_a_late_appeal_or_another_merchants_appeal_is_refused(store, merchant,
                                                             other_merchant):
    violation = record(store, 5)
    with pytest.raises(ApplicationError) as exc:
        svc.violation_appeal(violation=violation, actor=other_merchant, text="x", now=NOW)
    assert exc.value.code == "not_yours"
    with pytest.raises(ApplicationError) as exc:
        svc.violation_appeal(violation=violation, actor=merchant, text="迟到的申诉",
                             now=datetime(2026, 3, 9, 0, 0, tzinfo=TZ))
    assert exc.value.code == "appeal_late"


def test_revoking_restores_the_points_and_lifts_what_no_longer_holds(store, merchant,
                                                                    reviewer):
    record(store, 15)  # 85
    violation = record(store, 10, now=NOW + timedelta(hours=1))  # 75: node 80
    record(store, 3, now=NOW + timedelta(hours=2))  # 72
    svc.violation_appeal(violation=violation, actor=merchant, text="误判",
                         now=NOW + timedelta(days=1))
    svc.violation_revoke(violation=violation, actor=reviewer, reason="申诉成立",
                         now=NOW + timedelta(days=2))
    assert CreditScore.objects.get(store=store).score == 82
    assert not active(store).exists()
    assert Restriction.objects.filter(store=store, status="lifted").count() == 4
    assert CreditScoreEntry.objects.filter(store=store, kind="restoration").get().change == 10


def test_revoking_keeps_restrictions_the_score_still_reaches(store, merchant, reviewer):
    record(store, 25)  # 75: node 80
    violation = record(store, 2, now=NOW + timedelta(hours=1))  # 73
    svc.violation_revoke(violation=violation, actor=reviewer, reason="录入错误",
                         now=NOW + timedelta(hours=2))
    assert CreditScore.objects.get(store=store).score == 75
    assert active(store).count() == 4


def test_the_preview_says_what_a_deduction_would_do(store):
    record(store, 15)  # 85
    preview = selectors.credit_deduction_preview(store, 30, now=NOW)
    assert (preview.before, preview.after) == (85, 55)
    assert [n.score for n in preview.crossed] == [80, 60] and preview.node.score == 60
    assert {until for _label, until in preview.starts} == {NOW + timedelta(days=21)}
    assert not Restriction.objects.filter(store=store).exists()  # a preview writes nothing


def test_nodes_and_initial_score_are_configuration(store):
    config.set_value("credit.initial_score", 50)
    config.set_value("credit.node1.days", 3)
    config.set_value("credit.node1.score", 45)
    record(store, 6)  # 50 → 44: node 45 for 3 days
    assert {r.ends_at for r in active(store)} == {NOW + timedelta(days=3)}


def test_restrictions_for_is_per_store_and_per_kind(store, other_store):
    record(store, 25)
    later = NOW + timedelta(days=1)
    assert selectors.restrictions_for(store, "publish", later)
    assert not selectors.restrictions_for(other_store, "publish", later)
    assert not selectors.restrictions_for(store, "funds", later)
    message = selectors.restriction_messages(store, "cart", later)[0]
    assert "80" in message and "2026-03-15 10:00" in message
    assert not Violation.objects.for_merchant(other_store.merchant).exists()


def test_a_business_whose_store_reached_zero_cannot_apply_again(store, other_merchant):
    from shop.services.onboarding import application_submit
    from tests.shop.test_onboarding import _data, _pdf

    record(store, 100)
    with pytest.raises(ApplicationError) as exc:
        application_submit(applicant=other_merchant, licence_file=_pdf(),
                           data=_data(credit_code=store.application.credit_code))
    assert exc.value.code == "credit_barred"
    application_submit(applicant=other_merchant, licence_file=_pdf(), data=_data())
