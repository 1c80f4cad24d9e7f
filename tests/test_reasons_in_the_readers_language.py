"""Reasons show in the reader's language on every history page.

Each event here is written the way the system writes it — by a sweep, a provider's
callback or a reviewer — while Chinese is the active language (as it is for the worker and
for reviewers by default). An English reader then opens the page: the reason is in English,
and its Chinese wording is nowhere on the page."""

import html
from datetime import date, datetime, timedelta

import pytest
from django.conf import settings
from django.utils import timezone
from django.utils.translation import override
from rest_framework.test import APIClient

from common.reasons import Label
from compliance import services as compliance_services
from compliance.models import Qualification
from compliance.reasons import R as CR
from disputes import sweeps as aftersale_sweeps
from disputes.models import AfterSaleRequest
from disputes.reasons import R as DR
from payments.models import Payment
from shop import sweeps as shop_sweeps
from shop.models import (
    ClosureApplication,
    DepositAccount,
    DepositPayIn,
    MerchantApplication,
    StoreAccount,
)
from shop.reasons import R as SR
from shop.services.closure import closure_withdraw
from shop.services.onboarding import application_approve
from tests.compliance.conftest import approved_qualification, qtype, tree  # noqa: F401
from tests.disputes.aftersale_factories import (
    RETURN_ADDRESS,
    escalate_and_take,
    fund_deposit,
    open_request,
    signed_order,
    sku_for,
)
from tests.disputes.conftest import travel  # noqa: F401
from tests.factories import MerchantApplicationFactory, ProductFactory
from tests.shop.order_factories import listed_sku, place, store_for

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(480))


def english(client, url) -> str:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    res = client.get(url)
    assert res.status_code == 200, (url, res.status_code)
    return html.unescape(res.content.decode())


def assert_in_english(page: str, *reasons) -> None:
    for reason in reasons:
        with override("en"):
            english_text = str(reason)
        with override("zh-hans"):
            chinese_text = str(reason)
        assert english_text != chinese_text  # the message is translated
        assert english_text in page
        assert chinese_text not in page


@pytest.fixture
def store(merchant):
    return store_for(merchant)


# --- orders, the store account, payments -------------------------------------------------------
def test_orders_store_account_and_payments(travel, buyer, merchant, store,  # noqa: F811
                                           merchant_client, reviewer_client):
    travel(START)
    order = signed_order(buyer, sku_for(store))
    unpaid = place(buyer, listed_sku(store))
    with override("zh-hans"):
        shop_sweeps.cancel_unpaid_orders(START + timedelta(days=1))
        shop_sweeps.complete_signed_orders(START + timedelta(days=30))
    completed = SR("auto_completed")
    settled = SR("order_completed", number=order.number)

    assert_in_english(english(merchant_client, f"/seller/orders/{order.number}/"), completed)
    assert_in_english(english(merchant_client, f"/seller/orders/{unpaid.number}/"),
                      SR("not_paid_in_time"))
    assert_in_english(english(merchant_client, "/seller/account/"), settled)
    page = english(reviewer_client, f"/admin/shop/order/{order.pk}/change/")
    assert_in_english(page, completed)
    assert "Completed" in page and "OrderEvent object" not in page
    account = StoreAccount.objects.get(store=store)
    assert_in_english(english(reviewer_client, f"/admin/shop/storeaccount/{account.pk}/change/"),
                      settled)
    entry = account.entries.get()
    assert_in_english(
        english(reviewer_client, f"/admin/shop/storeaccountentry/{entry.pk}/change/"), settled)

    # the API too: the buyer's and the merchant's order timelines
    buyer_api, merchant_api = APIClient(), APIClient()
    buyer_api.force_authenticate(buyer)
    merchant_api.force_authenticate(merchant)
    for api, url in ((buyer_api, f"/api/buyer/orders/{unpaid.number}/"),
                     (merchant_api, f"/api/seller/orders/{unpaid.number}/")):
        events = api.get(url, HTTP_ACCEPT_LANGUAGE="en").json()["events"]
        with override("en"):
            assert str(SR("not_paid_in_time")) in [e["reason"] for e in events]

    payment = Payment.objects.filter(purpose="order.payment", subject_id=str(order.pk)).get()
    page = english(reviewer_client, f"/admin/payments/payment/{payment.pk}/change/")
    assert "Confirmed by the payment provider" in page
    assert "provider_confirmed" not in page


# --- products and qualifications: the expiry sweep -------------------------------------------
def test_products_and_qualifications(tree, qtype, store, merchant_client,  # noqa: F811
                                     reviewer_client, approved_qualification):  # noqa: F811
    food = qtype("food_business_licence")
    qualification = approved_qualification(store, food, until=date(2026, 6, 30), now=START)
    nuts = ProductFactory(store=store, category=tree["food.snacks.nuts"])
    with override("zh-hans"):
        compliance_services.qualification_expire_due(now=START + timedelta(days=200))
    qualification.refresh_from_db()
    assert qualification.status == Qualification.Status.EXPIRED
    delisted = CR("delisted_expired", type=food.name,
                  date=str(timezone.localdate(qualification.expires_at)))

    page = english(merchant_client, f"/seller/products/{nuts.pk}/")
    assert_in_english(page, delisted)
    assert page.count(str(delisted)) == 2  # the notice and the timeline
    assert_in_english(
        english(merchant_client, f"/seller/compliance/qualifications/{qualification.pk}/"),
        CR("expired"))
    page = english(reviewer_client,
                   f"/admin/compliance/qualification/{qualification.pk}/change/")
    assert_in_english(page, CR("expired"))
    with override("en"):
        assert str(Label("compliance.Qualification.status", "expired")) in page


# --- onboarding ----------------------------------------------------------------------------------
def test_the_application(merchant, reviewer, merchant_client, reviewer_client):
    application = MerchantApplicationFactory(
        applicant=merchant, status=MerchantApplication.Status.PENDING)
    with override("zh-hans"):
        application_approve(application=application, actor=reviewer)
    assert_in_english(english(merchant_client, "/seller/application/"), SR("approved"))
    assert_in_english(
        english(reviewer_client,
                f"/admin/shop/merchantapplication/{application.pk}/change/"),
        SR("approved"))


# --- deposits and closure ------------------------------------------------------------------------
def test_deposits_pay_ins_and_closure(store, merchant, merchant_client, reviewer_client):
    with override("zh-hans"):
        fund_deposit(store)
    paid = SR("paid_through", provider=SR("sandbox_provider"))
    assert_in_english(english(merchant_client, "/seller/deposit/"), paid)
    account = DepositAccount.objects.get(store=store, kind="store")
    assert_in_english(
        english(reviewer_client, f"/admin/shop/depositaccount/{account.pk}/change/"), paid)
    entry = account.entries.get()
    assert_in_english(
        english(reviewer_client, f"/admin/shop/depositentry/{entry.pk}/change/"), paid)
    payin = DepositPayIn.objects.get()
    page = english(reviewer_client, f"/admin/shop/depositpayin/{payin.pk}/change/")
    assert_in_english(page, SR("payin_started"))

    application = ClosureApplication.objects.create(
        store=store, refund_store_deposit=True, applied_by=merchant, applied_at=START,
        notice_until=START, review_by=START)
    with override("zh-hans"):
        closure_withdraw(application=application, actor=merchant)
    assert_in_english(english(merchant_client, "/seller/closure/"), SR("closure_withdrawn"))
    page = english(reviewer_client,
                   f"/admin/shop/closureapplication/{application.pk}/change/")
    assert_in_english(page, SR("closure_withdrawn"))
    assert "Withdrawn" in page


# --- after-sales and support ---------------------------------------------------------------------
def test_after_sales_and_the_support_case(travel, buyer, merchant, agent, store,  # noqa: F811
                                           merchant_client, agent_client, reviewer_client):
    from disputes import services

    travel(START)
    services.merchant_return_address_set(store=store, actor=merchant, address=RETURN_ADDRESS)
    approved = open_request(signed_order(buyer, sku_for(store)))
    escalated = open_request(signed_order(buyer, sku_for(store)))
    escalate_and_take(escalated, by=buyer, agent=agent)
    with override("zh-hans"):
        aftersale_sweeps.auto_approve(START + timedelta(days=4))
        aftersale_sweeps.agent_overdue(START + timedelta(days=30))
    assert AfterSaleRequest.objects.get(pk=approved.pk).status == "awaiting_return"
    opened = DR("opened", kind=Label("disputes.AfterSaleRequest.kind", "return_refund"),
                reason=Label("disputes.AfterSaleRequest.reason", "quality"))

    page = english(merchant_client, f"/seller/after-sales/{approved.pk}/")
    assert_in_english(page, DR("auto_approved"), opened)
    assert_in_english(english(agent_client, f"/support/cases/{escalated.pk}/"),
                      DR("agent_overdue"), opened)
    page = english(reviewer_client, f"/admin/disputes/aftersalerequest/{approved.pk}/change/")
    assert_in_english(page, DR("auto_approved"), opened)
    with override("en"):
        assert str(Label("disputes.AfterSaleRequest.status", "awaiting_return")) in page
