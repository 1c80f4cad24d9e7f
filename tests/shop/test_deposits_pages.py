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


def _start_payin(merchant_client, amount="500"):
    page = merchant_client.get("/seller/deposit/").content.decode()
    tok = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)
    res = merchant_client.post("/seller/deposit/pay/", {"kind": "store", "amount": amount,
                                                          "token": tok})
    payin = DepositPayIn.objects.get()
    assert res.status_code == 302 and res["Location"] == f"/seller/deposit/payments/{payin.pk}/"
    return payin, tok


def test_pay_through_the_pages_where_the_sandbox_is_enabled(merchant_client, store, settings):
    # Only a developer's machine or a demo enables the sandbox's "pay now" button.
    settings.PAYMENT_SANDBOX_ENABLED = True
    payin, tok = _start_payin(merchant_client)
    body = merchant_client.get(f"/seller/deposit/payments/{payin.pk}/").content.decode()
    assert "¥500.00" in body and f"/seller/deposit/payments/{payin.pk}/sandbox-pay/" in body
    res = merchant_client.post(f"/seller/deposit/payments/{payin.pk}/sandbox-pay/")
    assert res.status_code == 302
    assert account(store).balance == D("500.00")
    # Posting the same form again does not start a second payment.
    merchant_client.post("/seller/deposit/pay/", {"kind": "store", "amount": "500", "token": tok})
    assert DepositPayIn.objects.count() == 1


@pytest.mark.parametrize("setting", ["off", "unset"])
def test_in_production_a_merchant_cannot_credit_a_deposit_without_paying(
        merchant_client, store, settings, setting):
    """DEBUG off and the sandbox not enabled (or the setting absent, which follows DEBUG):
    no "pay now" button, no such page, and the balance does not move. Only the provider's
    signed callback credits the deposit."""
    settings.DEBUG = False
    if setting == "off":
        settings.PAYMENT_SANDBOX_ENABLED = False
    else:
        del settings.PAYMENT_SANDBOX_ENABLED
    payin, _tok = _start_payin(merchant_client)
    body = merchant_client.get(f"/seller/deposit/payments/{payin.pk}/").content.decode()
    assert "¥500.00" in body and "sandbox-pay" not in body
    res = merchant_client.post(f"/seller/deposit/payments/{payin.pk}/sandbox-pay/")
    assert res.status_code == 404
    payin.refresh_from_db()
    assert payin.status == "pending"
    assert account(store).balance == D("0.00") and not DepositEntry.objects.exists()
    from common.errors import ApplicationError
    from shop.services.deposits import deposit_payin_sandbox_confirm

    with pytest.raises(ApplicationError) as exc:
        deposit_payin_sandbox_confirm(payin)
    assert exc.value.code == "sandbox_disabled"
    assert account(store).balance == D("0.00")
    # The provider's own signed callback still works.
    from payments.services import sandbox_pay

    sandbox_pay(payin)
    assert account(store).balance == D("500.00")


def test_bad_pay_form_shows_the_error(merchant_client, store):
    res = merchant_client.post("/seller/deposit/pay/", {"kind": "store", "amount": "-1",
                                                          "token": "t"}, follow=True)
    assert res.status_code == 200 and not DepositPayIn.objects.exists()
    body = res.content.decode()
    messages = re.findall(r'class="msg msg-error"[^>]*>(.*?)<', body, re.S)
    assert messages, "the error is not shown"
    # The amount field's own error, in the page's language (zh-hans by default).
    assert any("0.01" in m for m in messages), messages


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
    res = merchant_client.post("/seller/account/withdraw/", {"amount": "100", "token": tok,
                                                               "confirm": "on"})
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
    assert DepositEntry.objects.get().reason_display not in other_merchant_client.get(
        "/seller/deposit/").content.decode()
    assert str(application.pk) not in re.findall(
        r"/seller/closure/(\d+)/", other_merchant_client.get("/seller/closure/").content.decode())


def test_pages_need_a_merchant_with_a_store(buyer_client, client, merchant_client):
    for url in ("/seller/deposit/", "/seller/account/", "/seller/closure/"):
        assert buyer_client.get(url).status_code == 403
        res = client.get(url)
        assert res.status_code == 302 and "/seller/login/" in res["Location"]
        assert merchant_client.get(url).status_code == 404  # no store yet


def test_the_public_store_page_shows_the_closure_notice_before_and_after_closing(
        client, store, reviewer):
    """Through the real URL: the notice during the 30 days, then a closed store's page
    with the notice only (no products); a store closed without one is gone."""
    from datetime import timedelta

    from shop.models import Product, Store
    from shop.services.closure import closure_apply, closure_approve
    from tests.factories import ProductFactory

    url = f"/s/{store.slug}/"
    pay_deposit(store, "500")
    product = ProductFactory(store=store, status=Product.Status.LISTED, title="告别款手串")
    body = client.get(url).content.decode()
    assert "closure-notice" not in body and "告别款手串" in body
    Product.objects.filter(pk=product.pk).update(status=Product.Status.DELISTED)
    start = timezone.now() - timedelta(days=31)
    application = closure_apply(store=store, actor=store.merchant, refund_store_deposit=True,
                                refund_promotion_deposit=True, now=start)
    body = client.get(url).content.decode()
    assert "closure-notice" in body
    assert timezone.localtime(application.notice_until).strftime("%Y-%m-%d") in body
    closure_approve(application=application, actor=reviewer)
    store.refresh_from_db()
    assert store.status == Store.Status.CLOSED
    res = client.get(url)
    assert res.status_code == 200
    body = res.content.decode()
    assert "closure-notice" in body and "product-grid" not in body and "告别款手串" not in body
    application.refresh_from_db()
    closed_on = timezone.localtime(application.decided_at).strftime("%Y-%m-%d")
    assert closed_on in body
    Store.objects.filter(pk=store.pk).update(slug="gone-store")
    from shop.models import ClosureApplication

    ClosureApplication.objects.filter(pk=application.pk).update(status="rejected")
    assert client.get("/s/gone-store/").status_code == 404
