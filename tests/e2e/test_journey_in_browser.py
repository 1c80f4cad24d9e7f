"""One journey across every role, in a real browser against a live server (headless
Chromium; the demo data as `make run` loads it):

1. a new merchant signs up and applies for a store;
2. a reviewer approves the application in the admin;
3. the merchant lists a product, and the reviewer passes it in the admin;
4. the merchant runs a flash sale of it;
5. a buyer orders the flash price through the buyer API (and pays);
6. the buyer asks for a refund; the merchant answers it on the after-sale page;
7. the buyer asks for a second refund, the merchant refuses, the buyer escalates, and a
   support agent takes the case and rules on it in the workbench.

The worker is not running in tests: where a clock would move things on (the flash sale
starting at its minute), the step says so and runs the sweeps once, as the worker does.

JOURNEY_SCREENSHOTS=<folder> saves a screenshot of each main screen on the way (and
JOURNEY_LOCALE=en-US shows the pages in English instead of Chinese)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import time_machine
from django.utils import timezone

from common import deadlines
from disputes.models import AfterSaleRequest, Ruling
from promotions.models import FlashSale
from shop.identity import make_credit_code, make_resident_id
from shop.models import MerchantApplication, Order, Product, Store
from tests.e2e.test_pages_in_browser import (  # noqa: F401 (fixtures)
    CHROMIUM,
    browser,
    demo,
)
from tests.factories import PDF_BYTES

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

NEW_MERCHANT, NEW_PASSWORD = "journey_shop", "Journey!pass-2026"
STORE_NAME = "旅程小店"
TITLE = "旅程纯棉T恤"
ADDRESS = {"name": "张三", "phone": "13800138000", "province": "上海市", "city": "上海市",
           "district": "浦东新区", "detail": "世纪大道 1 号"}


def _login(page, base, area, username, password):
    page.goto(f"{base}/{area}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.click("main form button[type=submit], #login-form input[type=submit]")
    assert "/login/" not in page.url, f"{username} could not log in"


def _submit(page, selector="main form button[type=submit]"):
    with page.expect_navigation():
        page.click(selector)


SHOTS = os.environ.get("JOURNEY_SCREENSHOTS")
LOCALE = os.environ.get("JOURNEY_LOCALE", "zh-CN")


def _shot(page, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        language = LOCALE.split("-")[0]
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{language}.png"), full_page=True)


def _act(page, action, **fields):
    """Fill and send the form that posts to `.../<action>/`, ticking its confirmation box
    when it has one."""
    form = page.locator(f'form[action$="/{action}/"]').first
    for name, value in fields.items():
        field = form.locator(f'[name="{name}"]')
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    confirm = form.locator('input[name="confirm"][type="checkbox"]')
    if confirm.count():
        confirm.check()
    # An action that moves money or ends a case asks for a second look first.
    asks = form.get_attribute("data-confirm") is not None
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
        if asks:
            page.locator("dialog.confirm-dialog button[data-confirm-ok]").click()


def _errors(page):
    return page.eval_on_selector_all(
        ".errorlist, .field-error, [id$='-error'], .messages, [role=alert]",
        "els => els.map(e => e.innerText.trim()).filter(Boolean)")


def _admin_action(page, base, changelist, search, action):
    """In the stock admin: find the row, tick it, run the action."""
    page.goto(f"{base}{changelist}?q={search}")
    page.locator("input.action-select").first.check()
    page.select_option("select[name=action]", action)
    _submit(page, "button[name=index]")
    # Bulk approvals show what will change first and act once that is confirmed.
    confirm = page.locator("input[type=submit][name=apply]")
    if confirm.count():
        with page.expect_navigation():
            confirm.click()


class Buyer:
    """The buyer's app: the buyer REST API with a token."""

    def __init__(self, base, username, password):
        self.base = base
        token = requests.post(f"{base}/api/auth/token/",
                              json={"username": username, "password": password}).json()
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token['token']}"

    def post(self, path, body=None, expect=(200, 201), **kw):
        response = self.session.post(self.base + path, json=body, **kw)
        assert response.status_code in expect, (path, response.status_code, response.text)
        return response.json()

    def order_and_pay(self, sku_id):
        order = self.post("/api/buyer/orders/", {"items": [{"sku": sku_id, "quantity": 1}],
                                                 "address": ADDRESS})
        info = self.post(f"/api/buyer/orders/{order['number']}/pay/")
        callback = info["sandbox_callback"]
        self.post("/api/webhooks/payments/sandbox/", data=callback["body"].encode(),
                  headers={"X-Signature": callback["signature"],
                           "Content-Type": "application/json"})
        return order

    def refund(self, order, description):
        return self.post("/api/buyer/after-sales/", {
            "order_number": order["number"], "line": order["lines"][0]["id"],
            "kind": "refund_only", "reason": "no_reason", "description": description})


def test_merchant_reviewer_buyer_and_agent_journey(live_server, browser, demo,  # noqa: F811
                                                   settings):
    base, password = live_server.url, settings.DEMO_PASSWORD
    pages = []
    for _ in range(3):
        context = browser.new_context(locale=LOCALE, viewport={"width": 1280, "height": 900})
        # The pages follow the language cookie (the header's language switch sets it).
        context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "url": base,
                              "value": "en" if LOCALE.startswith("en") else "zh-hans"}])
        pages.append(context.new_page())
    merchant, reviewer, agent = pages

    # 1. A new merchant signs up and applies for a store.
    merchant.goto(f"{base}/seller/signup/")
    merchant.fill("#id_username", NEW_MERCHANT)
    merchant.fill("#id_password1", NEW_PASSWORD)
    merchant.fill("#id_password2", NEW_PASSWORD)
    _submit(merchant)
    assert merchant.url.endswith("/seller/apply/")
    for field, value in {
        "real_name": "韩梅梅", "id_number": make_resident_id(timezone.datetime(1991, 3, 4)),
        "credit_code": make_credit_code("91310115MA1K2L3M5"),
        "registered_name": "上海韩梅梅贸易有限公司", "business_scope": "服装销售",
        "contact_phone": "13700137001", "store_name": STORE_NAME,
    }.items():
        merchant.fill(f"#id_{field}", value)
    merchant.select_option("#id_entity_type", "enterprise")
    _shot(merchant, "01-merchant-application")
    merchant.set_input_files("#id_licence_file", files=[{
        "name": "licence.pdf", "mimeType": "application/pdf", "buffer": PDF_BYTES}])
    _submit(merchant)
    assert merchant.url.endswith("/seller/application/")
    assert STORE_NAME in merchant.content()

    # 2. The reviewer approves it in the admin: the store opens.
    _login(reviewer, base, "admin", "reviewer", password)
    _admin_action(reviewer, base, "/admin/shop/merchantapplication/", STORE_NAME,
                  "approve_selected")
    _shot(reviewer, "02-admin-application-approved")
    assert MerchantApplication.objects.get(store_name=STORE_NAME).status == "approved"
    store = Store.objects.get(merchant__username=NEW_MERCHANT)

    # 3. The merchant lists a product; the reviewer passes it.
    merchant.goto(f"{base}/seller/products/new/")
    merchant.fill("#id_title", TITLE)
    category = merchant.eval_on_selector_all(
        "#id_category option", "os => os.map(o => o.value).filter(Boolean)")[0]
    merchant.select_option("#id_category", category)
    merchant.fill('[name="attr_name_1"]', "颜色")
    merchant.fill('[name="sku-0-a1"]', "白")
    merchant.fill('[name="sku-0-price"]', "99.00")
    merchant.fill('[name="sku-0-stock"]', "20")
    _shot(merchant, "03-merchant-product-form")
    _submit(merchant, 'main form button[name="submit"]')
    product = Product.objects.get(store=store, title=TITLE)
    assert product.status == "in_review", merchant.content()[:3000]
    _admin_action(reviewer, base, "/admin/compliance/productreview/", TITLE,
                  "approve_without_hits")
    product.refresh_from_db()
    assert product.status == "listed"
    sku = product.skus.get()

    # 4. The merchant runs a flash sale of it from the next minute.
    merchant.goto(f"{base}/seller/promotions/flash-sales/new/?product={product.pk}")
    start = timezone.localtime().replace(second=0, microsecond=0) + timedelta(minutes=2)
    merchant.fill("#id_starts_at", start.strftime("%Y-%m-%dT%H:%M"))
    merchant.fill("#id_duration_hours", "1")
    merchant.fill("#id_per_buyer_limit", "2")
    merchant.fill(f'[name="sku-{sku.pk}-price"]', "59.00")
    merchant.fill(f'[name="sku-{sku.pk}-stock"]', "10")
    _shot(merchant, "04-merchant-flash-sale-form")
    _submit(merchant, "main form[method=post] button[type=submit]")
    assert FlashSale.objects.filter(product=product).exists(), _errors(merchant)
    sale = FlashSale.objects.get(product=product)
    with time_machine.travel(start + timedelta(seconds=5), tick=True):
        deadlines.run_all()  # the worker's minute: the sale starts
        sale.refresh_from_db()
        assert sale.status == "running"

        # 5. A buyer orders at the flash price through the API, and pays.
        buyer = Buyer(base, "buyer_a", password)
        first = buyer.order_and_pay(sku.pk)
        assert first["lines"][0]["unit_price"] == "59.00"
        second = buyer.order_and_pay(sku.pk)
        assert Order.objects.get(number=first["number"]).status == "paid"

        # 6. The buyer asks for a refund; the merchant answers on the after-sale page.
        answered = buyer.refund(first, "拍错了")
        merchant.goto(f"{base}/seller/after-sales/{answered['id']}/")
        _shot(merchant, "05-merchant-after-sale")
        _act(merchant, "contact", message="您好，马上为您退款")
        _act(merchant, "approve_refund")
        assert AfterSaleRequest.objects.get(pk=answered["id"]).status == "refunded", \
            _errors(merchant)

        # 7. A second refund is refused by the merchant; the buyer escalates; an agent
        #    takes the case and rules.
        disputed = buyer.refund(second, "不想要了")
        merchant.goto(f"{base}/seller/after-sales/{disputed['id']}/")
        _act(merchant, "contact", message="您好，请说明原因")
        _act(merchant, "reject", reason="商品已发出，无法仅退款")
        assert AfterSaleRequest.objects.get(pk=disputed["id"]).status == "rejected", \
            _errors(merchant)
        buyer.post(f"/api/buyer/after-sales/{disputed['id']}/escalate/",
                   {"reason": "商家拒绝退款"})
        _login(agent, base, "support", "agent", password)
        agent.goto(f"{base}/support/cases/{disputed['id']}/")
        _act(agent, "take")
        _shot(agent, "06-support-case")
        _act(agent, "rule", outcome="full_refund", fault="merchant_other",
             reasoning="未发货，支持买家仅退款")
        assert Ruling.objects.filter(request_id=disputed["id"]).exists(), _errors(agent)
        ruling = Ruling.objects.get(request_id=disputed["id"])
        assert ruling.outcome == "full_refund"
        assert AfterSaleRequest.objects.get(pk=disputed["id"]).status == "refunded"
        assert "未发货，支持买家仅退款" in agent.content()
        _shot(agent, "07-support-ruling")
