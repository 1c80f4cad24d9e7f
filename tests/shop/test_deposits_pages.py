"""Merchant pages through the real URLs and templates: deposit (requirement lines, pay,
ledger with filters and pages, chart), store account (ledger, withdraw), closure
(checklist, confirmation step, apply, withdraw). Another merchant's objects are 404;
list pages run a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shop.models import (
    ClosureApplication,
    DepositEntry,
    DepositPayIn,
    StoreAccountEntry,
    Withdrawal,
)
from shop.selectors import deposits as selectors
from shop.services.accounts import store_account_adjust
from shop.services.deposits import deposit_deduct
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)
from tests.shop.test_deposits_fixtures import D, account, opened_store, pay_deposit, token

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_open_cases(monkeypatch):
    monkeypatch.setattr(selectors, "OPEN_CASE_PROVIDERS", ())


@pytest.fixture
def store(merchant):
    return opened_store(merchant)


@pytest.fixture
def other_store(other_merchant):
    return opened_store(other_merchant)


def test_deposit_page_explains_the_requirement_and_shows_the_shortfall(merchant_client, store):
    pay_deposit(store, "500")
    deposit_deduct(store=store, amount=D("200"), cause_type="after_sale", cause_id="3",
                   actor=None, reason="先行赔付")
    body = merchant_client.get("/seller/deposit/").content.decode()
    assert "基础金额" in body or "Base amount" in body
    assert "¥200.00" in body  # missing
    assert "<svg" in body and "<polyline" in body
    assert "先行赔付" in body
    assert 'name="amount"' in body and 'value="200.00"' in body


def test_pay_through_the_pages(merchant_client, store):
    page = merchant_client.get("/seller/deposit/").content.decode()
    tok = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    res = merchant_client.post("/seller/deposit/pay/", {"kind": "store", "amount": "500",
                                                          "token": tok})
    payin = DepositPayIn.objects.get()
    assert res.status_code == 302 and res["Location"] == f"/seller/deposit/payments/{payin.pk}/"
    assert "¥500.00" in merchant_client.get(res["Location"]).content.decode()
    res = merchant_client.post(f"/seller/deposit/payments/{payin.pk}/sandbox-pay/")
    assert res.status_code == 302
    assert account(store).balance == D("500.00")
    # Posting the same form again does not start a second payment.
    merchant_client.post("/seller/deposit/pay/", {"kind": "store", "amount": "500", "token": tok})
    assert DepositPayIn.objects.count() == 1


def test_bad_pay_form_shows_the_error(merchant_client, store):
    res = merchant_client.post("/seller/deposit/pay/", {"kind": "store", "amount": "-1",
                                                          "token": "t"}, follow=True)
    assert res.status_code == 200 and not DepositPayIn.objects.exists()


def test_deposit_ledger_filters_and_fixed_queries(merchant_client, store, reviewer):
    pay_deposit(store, "500")
    pay_deposit(store, "500", kind="promotion")

    def count(url):
        with CaptureQueriesContext(connection) as ctx:
            assert merchant_client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = count("/seller/deposit/")
    for n in range(30):
        deposit_deduct(store=store, amount=D("1"), cause_type="after_sale", cause_id=str(n),
                       actor=None, reason=f"赔付{n}")
    assert count("/seller/deposit/") == few
    body = merchant_client.get("/seller/deposit/?kind=deduction").content.decode()
    assert len(re.findall(r"赔付\d+", body)) == 20 and "?kind=deduction&amp;page=2" in body
    body = merchant_client.get("/seller/deposit/?account=promotion").content.decode()
    assert not re.findall(r"赔付\d+", body)
    assert merchant_client.get("/seller/deposit/?page=abc").status_code == 200
    assert merchant_client.get("/seller/deposit/?date_from=bad").status_code == 200


def test_account_page_withdraw_and_fixed_queries(merchant_client, store, reviewer):
    store_account_adjust(store=store, amount=D("300"), actor=reviewer, reason="货款", token=token())

    def count():
        with CaptureQueriesContext(connection) as ctx:
            res = merchant_client.get("/seller/account/")
        assert res.status_code == 200
        return len(ctx.captured_queries), res.content.decode()

    few, body = count()
    assert "¥300.00" in body
    tok = re.search(r'name="token" value="([0-9a-f]+)"', body).group(1)
    res = merchant_client.post("/seller/account/withdraw/", {"amount": "100", "token": tok})
    assert res.status_code == 302
    assert Withdrawal.objects.get().status == "paid"
    for n in range(30):
        store_account_adjust(store=store, amount=D("1"), actor=reviewer, reason=f"调整{n}",
                             token=token())
    many, body = count()
    assert many == few
    assert len(re.findall(r"调整\d+", body)) == 20


def test_withdraw_too_much_shows_the_error(merchant_client, store):
    res = merchant_client.post("/seller/account/withdraw/", {"amount": "100", "token": "t"},
                               follow=True)
    assert "msg-error" in res.content.decode() and not Withdrawal.objects.exists()
    assert not StoreAccountEntry.objects.exists()


def test_closure_checklist_confirmation_and_apply(merchant_client, store):
    body = merchant_client.get("/seller/closure/").content.decode()
    assert "condition-products" in body and "condition-notice" in body
    data = {"refund_store_deposit": "on", "refund_promotion_deposit": "on", "reason": "转行"}
    res = merchant_client.post("/seller/closure/apply/", data)
    assert res.status_code == 200 and 'name="confirm"' in res.content.decode()
    assert not ClosureApplication.objects.exists()  # nothing happens before confirming
    res = merchant_client.post("/seller/closure/apply/", {**data, "confirm": "yes"})
    assert res.status_code == 302
    application = ClosureApplication.objects.get()
    assert application.refund_store_deposit and application.refund_promotion_deposit
    body = merchant_client.get("/seller/closure/").content.decode()
    assert f"/seller/closure/{application.pk}/withdraw/" in body


def test_closure_blocked_shows_why(merchant_client, store, buyer):
    from tests.factories import ProductFactory

    ProductFactory(store=store)
    body = merchant_client.get("/seller/closure/").content.decode()
    row = re.search(r'<tr class="condition-products">(.*?)</tr>', body, re.S).group(1)
    assert "badge-bad" in row
    res = merchant_client.post("/seller/closure/apply/", {"refund_store_deposit": "on",
                                                          "confirm": "yes"})
    assert res.status_code == 302 and not ClosureApplication.objects.exists()


def test_another_merchants_objects_are_404(merchant_client, other_merchant_client, store,
                                          other_store):
    pay_deposit(store, "777")
    payin = DepositPayIn.objects.get()
    assert other_merchant_client.get(f"/seller/deposit/payments/{payin.pk}/").status_code == 404
    res = other_merchant_client.post(f"/seller/deposit/payments/{payin.pk}/sandbox-pay/")
    assert res.status_code == 404
    from shop.services.closure import closure_apply

    application = closure_apply(store=store, actor=store.merchant, refund_store_deposit=True,
                                refund_promotion_deposit=True)
    res = other_merchant_client.post(f"/seller/closure/{application.pk}/withdraw/")
    assert res.status_code == 404
    application.refresh_from_db()
    assert application.status == "pending"
    # Each merchant's pages show only its own store's money.
    assert "¥777.00" in merchant_client.get("/seller/deposit/").content.decode()
    assert "¥777.00" not in other_merchant_client.get("/seller/deposit/").content.decode()
    assert DepositEntry.objects.get().reason not in other_merchant_client.get(
        "/seller/deposit/").content.decode()
    assert str(application.pk) not in re.findall(
        r"/seller/closure/(\d+)/", other_merchant_client.get("/seller/closure/").content.decode())


def test_pages_need_a_merchant_with_a_store(buyer_client, client, merchant_client):
    for url in ("/seller/deposit/", "/seller/account/", "/seller/closure/"):
        assert buyer_client.get(url).status_code == 403
        res = client.get(url)
        assert res.status_code == 302 and "/seller/login/" in res["Location"]
        assert merchant_client.get(url).status_code == 404  # no store yet


def test_the_public_store_page_block_shows_the_closure_notice(rf, store):
    from django.contrib.auth.models import AnonymousUser
    from django.template.loader import render_to_string

    from shop.services.closure import closure_apply

    def render():
        request = rf.get(f"/s/{store.slug}/")
        request.user = AnonymousUser()
        return render_to_string("shop/public_store.html", {
            "store": store, "products": [], "licences": [],
            "closure_notice": selectors.closure_notice(store)}, request=request)

    assert "closure-notice" not in render()
    application = closure_apply(store=store, actor=store.merchant, refund_store_deposit=True,
                                refund_promotion_deposit=False)
    body = render()
    assert "closure-notice" in body
    assert timezone.localtime(application.notice_until).strftime("%Y-%m-%d") in body
