"""Each decision and clock that concerns a merchant leaves one notification for them, with
a link to the object, written in the transaction of the event (rolled back with it)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction
from django.utils import translation

from common import config
from common.models import Notification
from common.notifications import notification_message, notification_url
from compliance import services as compliance_services
from compliance.enforcement import measures
from compliance.enforcement import services as enforcement
from compliance.enforcement.models import SourceKind
from compliance.models import Qualification, QualificationType
from disputes import services as disputes
from shop.models import DepositAccount, MerchantApplication, ProductRevision
from shop.services import onboarding
from shop.services import products as product_svc
from shop.services.accounts import store_account_adjust, withdrawal_reject, withdrawal_request
from shop.services.deposits import deposit_deduct, deposit_evaluate
from tests.disputes.aftersale_factories import (
    RETURN_ADDRESS,
    escalate_and_take,
    open_request,
    rule,
    signed_order,
    sku_for,
)
from tests.factories import MerchantApplicationFactory, StoreFactory, leaf_category
from tests.shop.order_factories import (  # noqa: F401
    _fast_password_hashing,
    completed_order,
    listed_sku,
    store_for,
)
from tests.shop.test_deposits_fixtures import D, opened_store, pay_deposit, token

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
SKUS = [{"attributes": {"颜色": "白", "尺码": "M"}, "price": "59.00", "stock": 10}]


def notes(user, kind):
    return list(Notification.objects.filter(recipient=user, kind=kind))


def only(user, kind) -> Notification:
    found = notes(user, kind)
    assert len(found) == 1, [n.kind for n in Notification.objects.filter(recipient=user)]
    return found[0]


def english(notification) -> str:
    with translation.override("en"):
        return notification_message(notification)


# --- store applications -------------------------------------------------------------------------
def test_an_approved_application_tells_its_applicant(merchant, reviewer):
    application = MerchantApplicationFactory(applicant=merchant,
                                             status=MerchantApplication.Status.PENDING)
    onboarding.application_approve(application=application, actor=reviewer)
    note = only(merchant, "shop.application_approved")
    assert application.store_name in english(note)
    assert notification_url(note) == "/seller/store/"


def test_a_rejected_application_tells_its_applicant_why(merchant, reviewer):
    application = MerchantApplicationFactory(applicant=merchant,
                                             status=MerchantApplication.Status.PENDING)
    onboarding.application_reject(application=application, actor=reviewer, reason="营业执照模糊")
    note = only(merchant, "shop.application_rejected")
    assert note.text == "营业执照模糊" and english(note).endswith("— 营业执照模糊")
    assert notification_url(note) == "/seller/application/"


# --- product review -----------------------------------------------------------------------------
@pytest.fixture
def in_review(merchant):
    store = StoreFactory(merchant=merchant)
    leaf = leaf_category(code="t_root.mid.tee", name="T恤")
    product = product_svc.product_create(
        store=store, actor=merchant, kind="own",
        data={"title": "纯棉T恤", "category_id": leaf.pk}, skus=SKUS)
    return product_svc.product_submit(product=product, actor=merchant)


def test_a_rejected_product_tells_the_merchant_the_reviewers_reason(merchant, reviewer,
                                                                    in_review):
    product_svc.product_revision_reject(revision=in_review, actor=reviewer, reason="主图不清晰")
    note = only(merchant, "shop.product_rejected")
    assert note.text == "主图不清晰" and note.read_at is None
    assert "纯棉T恤" in english(note) and "主图不清晰" in english(note)
    assert notification_url(note) == f"/seller/products/{in_review.product_id}/"
    assert not notes(merchant, "shop.product_approved")


def test_an_approved_product_tells_the_merchant(merchant, reviewer, in_review):
    product_svc.product_revision_approve(revision=in_review, actor=reviewer)
    note = only(merchant, "shop.product_approved")
    assert note.text == "" and "纯棉T恤" in english(note)


def test_the_notification_rolls_back_with_the_decision(merchant, reviewer, in_review):
    with pytest.raises(RuntimeError), transaction.atomic():
        product_svc.product_revision_reject(revision=in_review, actor=reviewer, reason="主图不清晰")
        assert notes(merchant, "shop.product_rejected")
        raise RuntimeError("the caller's transaction fails after the decision")
    assert not Notification.objects.exists()
    in_review.refresh_from_db()
    assert in_review.status == ProductRevision.Status.IN_REVIEW


def test_a_failing_notification_undoes_the_decision(merchant, reviewer, in_review, monkeypatch):
    from shop import notifications

    def broken(**kwargs):
        raise RuntimeError("no notification")

    monkeypatch.setattr(notifications, "notification_create", broken)
    with pytest.raises(RuntimeError):
        product_svc.product_revision_reject(revision=in_review, actor=reviewer, reason="主图不清晰")
    in_review.refresh_from_db()
    assert in_review.status == ProductRevision.Status.IN_REVIEW
    assert not in_review.product.events.filter(to_status="rejected").exists()


# --- deposits -----------------------------------------------------------------------------------
def test_a_shortfall_and_the_restriction_it_brings_are_told_once_each(merchant):
    start = datetime(2026, 3, 1, 10, 0, tzinfo=TZ)
    with time_machine.travel(start, tick=False):
        store = opened_store(merchant, opened_at=start)
        deposit_evaluate(store=store, now=start)
        deposit_evaluate(store=store, now=start)
    # The new store owes its first payment: a shortfall (once), not yet a restriction.
    shortfall = only(merchant, "shop.deposit_shortfall")
    assert "500.00" in english(shortfall) and notification_url(shortfall) == "/seller/deposit/"
    from shop.services.deposits import deposits_first_payment_due

    later = start + timedelta(days=8)
    deposits_first_payment_due(later)
    deposits_first_payment_due(later)
    restricted = only(merchant, "shop.deposit_restricted")
    assert "500.00" in english(restricted)
    assert len(notes(merchant, "shop.deposit_shortfall")) == 1


def test_a_deduction_below_the_requirement_restricts_and_says_so(merchant):
    store = opened_store(merchant)
    pay_deposit(store, "500")
    Notification.objects.all().delete()
    deposit_deduct(store=store, amount=D("300"), cause_type="after_sale", cause_id="9",
                   actor=None, reason="先行赔付")
    note = only(merchant, "shop.deposit_restricted")
    assert "300.00" in english(note)
    assert note.params["deposit"] == {"$label": "shop.DepositAccount.kind",
                                      "value": DepositAccount.Kind.STORE}


# --- settlement and withdrawals -----------------------------------------------------------------
def test_a_settled_order_tells_what_became_available(merchant, buyer):
    store = opened_store(merchant)
    order = completed_order(buyer, listed_sku(store, price="200.00"))
    note = only(merchant, "shop.order_settled")
    assert order.number in english(note) and "190.00" in english(note)
    assert notification_url(note) == f"/seller/orders/{order.number}/"


def test_withdrawal_results_are_told(merchant, reviewer):
    store = opened_store(merchant)
    store_account_adjust(store=store, amount=D("800"), actor=reviewer, reason="测试",
                         token=token())
    withdrawal_request(store=store, amount=D("300"), actor=merchant, token="t1")  # paid at once
    paid = only(merchant, "shop.withdrawal_result")
    assert "300.00" in english(paid) and "Paid out" in english(paid)
    config.set_value("account.withdrawal_auto_max", "100")
    waiting = withdrawal_request(store=store, amount=D("400"), actor=merchant, token="t2")
    assert len(notes(merchant, "shop.withdrawal_result")) == 1  # a request is no result
    withdrawal_reject(withdrawal=waiting, actor=reviewer, reason="账户信息不符")
    rejected = Notification.objects.filter(kind="shop.withdrawal_result").first()
    assert rejected.text == "账户信息不符" and "Rejected" in english(rejected)
    assert notification_url(rejected) == "/seller/account/"


# --- compliance ---------------------------------------------------------------------------------
@pytest.fixture
def qualification(merchant, db):
    from compliance import loaders

    loaders.load_categories()
    store = StoreFactory(merchant=merchant)
    return Qualification.objects.create(
        store=store, type=QualificationType.objects.get(code="food_business_licence"),
        number="JY1", issuer="市场监管局", valid_from=date(2025, 1, 1),
        valid_until=date(2026, 6, 30), status=Qualification.Status.APPROVED,
        warn_at=datetime(2026, 6, 1, tzinfo=TZ), expires_at=datetime(2026, 7, 1, tzinfo=TZ))


def test_an_expiring_then_expired_qualification_is_told_once_each(merchant, qualification):
    warn = datetime(2026, 6, 1, 0, 1, tzinfo=TZ)
    assert compliance_services.qualification_expiry_warn_due(now=warn) == 1
    note = only(merchant, "compliance.qualification_expiring")
    assert "2026-07-01" in english(note)
    assert notification_url(note) == f"/seller/compliance/qualifications/{qualification.pk}/"
    expired = datetime(2026, 7, 1, 0, 1, tzinfo=TZ)
    assert compliance_services.qualification_expire_due(now=expired) == 1
    assert compliance_services.qualification_expire_due(now=expired) == 0
    only(merchant, "compliance.qualification_expired")


def test_a_credit_score_node_tells_the_restrictions_it_starts(merchant):
    store = StoreFactory(merchant=merchant)
    now = datetime(2026, 3, 1, 10, 0, tzinfo=TZ)
    enforcement.violation_record(store=store, type="false_advertising",
                                 source_kind=SourceKind.COMPLAINT, points=25,
                                 reason="查实虚假宣传", actor=None, now=now)
    started = notes(merchant, "compliance.restriction_started")
    restrictions = store.restrictions.filter(node_score__isnull=False)
    assert started and len(started) == restrictions.count()
    text = english(started[0])
    assert "75" in text and "80" in text  # the score reached and the node
    assert notification_url(started[0]) == "/seller/compliance/credit/"


def test_a_measure_is_told_once_with_its_reason(merchant, reviewer):
    store = StoreFactory(merchant=merchant)
    measures.measure_apply(store=store, kind="close_store", reason="消费者保障风险",
                           actor=reviewer)
    note = only(merchant, "compliance.measure_applied")
    assert note.text == "消费者保障风险"
    # Its restrictions come with the measure, not as notifications of their own.
    assert not notes(merchant, "compliance.restriction_started")


# --- after-sales --------------------------------------------------------------------------------
def test_an_after_sale_request_opened_escalated_and_ruled_is_told(merchant, buyer, agent):
    store = store_for(merchant)
    disputes.merchant_return_address_set(store=store, actor=merchant, address=RETURN_ADDRESS)
    order = signed_order(buyer, sku_for(store))
    request = open_request(order, kind="refund_only", reason="quality")
    opened = only(merchant, "disputes.aftersale_opened")
    assert order.number in english(opened) and "100.00" in english(opened)
    assert notification_url(opened) == f"/seller/after-sales/{request.pk}/"
    escalate_and_take(request, by=buyer, agent=agent)
    only(merchant, "disputes.aftersale_escalated")
    rule(request, agent, outcome="full_refund", fault="merchant_quality",
         reasoning="质量问题属实")
    ruled = only(merchant, "disputes.aftersale_ruled")
    assert ruled.text == "质量问题属实" and "Full refund" in english(ruled)


def test_another_merchant_is_never_told(merchant, other_merchant, reviewer, in_review):
    product_svc.product_revision_reject(revision=in_review, actor=reviewer, reason="主图不清晰")
    assert not Notification.objects.filter(recipient=other_merchant).exists()
