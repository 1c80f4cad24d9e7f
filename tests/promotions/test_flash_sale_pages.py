"""Merchant pages of flash sales through the real URLs and templates: list with live
counters, create with the SKU grid and messages next to the fields, end early and cancel
with a confirmation; another merchant's sale is a 404 everywhere."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from promotions.models import FlashSale, FlashSaleItem
from promotions.sweeps import start_due_flash_sales
from shop.models import Sku
from tests.promotions.flash_factories import START, make_sale, product_with_skus, store_for
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
BASE = "/seller/promotions/flash-sales/"
NOW = START - timedelta(hours=1)


@pytest.fixture
def mine(merchant):
    store = store_for(merchant)
    product, skus = product_with_skus(store, prices=("100.00", "120.00"), stock=50)
    return store, product, skus


@pytest.fixture
def theirs(other_merchant):
    store = store_for(other_merchant)
    product, skus = product_with_skus(store)
    return make_sale(store, product, skus), product


def grid(skus, prices=("59.00", "79.00"), stock="5"):
    data = {}
    for sku, price in zip(skus, prices, strict=True):
        data[f"sku-{sku.pk}-price"] = price
        data[f"sku-{sku.pk}-stock"] = stock
    return data


def form(product, skus, **kw):
    return {"product": product.pk, "starts_at": "2026-06-01T10:00", "duration_hours": "1",
            "duration_minutes": "0", "per_buyer_limit": "2", **grid(skus), **kw}


@time_machine.travel(NOW, tick=False)
def test_create_a_flash_sale_with_the_sku_grid(merchant_client, mine):
    store, product, skus = mine
    page = merchant_client.get(f"{BASE}new/", {"product": product.pk})
    assert page.status_code == 200
    assert f'name="sku-{skus[1].pk}-price"' in page.content.decode()
    response = merchant_client.post(f"{BASE}new/", form(product, skus))
    sale = FlashSale.objects.get()
    assert response.status_code == 302 and response.url == f"{BASE}{sale.pk}/"
    assert sale.store == store and sale.per_buyer_limit == 2
    assert sale.starts_at == START and sale.ends_at == START + timedelta(hours=1)
    assert sorted(FlashSaleItem.objects.values_list("flash_price", flat=True)) == [59, 79]


@time_machine.travel(NOW, tick=False)
def test_a_bad_price_is_shown_next_to_its_cell_and_nothing_is_created(merchant_client, mine):
    _store, product, skus = mine
    response = merchant_client.post(
        f"{BASE}new/", form(product, skus, **grid(skus, prices=("59.00", "120.00"))))
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="sku-{skus[1].pk}-price-error"' in html
    assert f'id="sku-{skus[0].pk}-price-error"' not in html
    assert 'value="120.00"' in html  # what was typed stays
    assert FlashSale.objects.count() == 0


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("hours", "minutes", "ok"), [
    ("0", "2", False), ("0", "3", True), ("24", "0", True), ("24", "1", False)])
def test_the_duration_edges_on_the_page(merchant_client, mine, hours, minutes, ok):
    _store, product, skus = mine
    response = merchant_client.post(
        f"{BASE}new/", form(product, skus, duration_hours=hours, duration_minutes=minutes))
    assert (response.status_code == 302) == ok
    if not ok:
        html = response.content.decode()
        assert "has-error" in html and "id_duration_hours" in html
        assert FlashSale.objects.count() == 0


@time_machine.travel(NOW, tick=False)
def test_another_merchants_product_cannot_be_chosen(merchant_client, mine, theirs):
    _sale, their_product = theirs
    assert merchant_client.get(f"{BASE}new/", {"product": their_product.pk}).status_code == 404
    skus = list(Sku.objects.filter(product=their_product))
    response = merchant_client.post(f"{BASE}new/", form(their_product, skus))
    assert response.status_code == 404
    assert FlashSale.objects.filter(product=their_product).count() == 1


@time_machine.travel(NOW, tick=False)
def test_the_list_shows_only_my_sales_with_counters_and_loads_its_script(
        merchant_client, mine, theirs):
    store, product, skus = mine
    sale = make_sale(store, product, skus, stock=5, now=NOW)
    html = merchant_client.get(BASE).content.decode()
    assert f'data-flash-sale="{sale.pk}"' in html
    assert f'data-flash-sale="{theirs[0].pk}"' not in html
    assert "js/flash-sale-counters.js" in html and "<script>" not in html
    assert 'href="/seller/promotions/flash-sales/"' in html  # the navigation link
    with CaptureQueriesContext(connection) as few:
        merchant_client.get(BASE)
    for hours in range(2, 8):
        p, s = product_with_skus(store)
        make_sale(store, p, s, starts_at=START + timedelta(hours=hours), now=NOW)
    with CaptureQueriesContext(connection) as many:
        merchant_client.get(BASE)
    assert len(many) == len(few)


def test_the_counters_are_live_and_only_mine(merchant_client, mine, theirs):
    store, product, skus = mine
    sale = make_sale(store, product, skus, stock=5)
    start_due_flash_sales(START)
    FlashSaleItem.objects.filter(sale=sale, sku=skus[0]).update(sold=2)
    body = merchant_client.get(f"{BASE}counters/",
                               {"ids": f"{sale.pk},{theirs[0].pk},x"}).json()
    assert body == {"sales": {}}  # a malformed list is ignored
    body = merchant_client.get(f"{BASE}counters/", {"ids": f"{sale.pk},{theirs[0].pk}"}).json()
    assert list(body["sales"]) == [str(sale.pk)]
    assert body["sales"][str(sale.pk)]["sold"] == 2
    assert body["sales"][str(sale.pk)]["remaining"] == 8
    assert body["sales"][str(sale.pk)]["status"] == "running"


def test_end_early_asks_for_confirmation_first(merchant_client, mine):
    store, product, skus = mine
    sale = make_sale(store, product, skus, stock=5)
    start_due_flash_sales(START)
    url = f"{BASE}{sale.pk}/end/"
    assert merchant_client.get(f"{BASE}{sale.pk}/").status_code == 200
    page = merchant_client.get(url)
    assert page.status_code == 200 and 'name="confirm" value="yes"' in page.content.decode()
    merchant_client.post(url)  # no confirmation: nothing happens
    assert FlashSale.objects.get(pk=sale.pk).status == "running"
    response = merchant_client.post(url, {"confirm": "yes"})
    assert response.status_code == 302
    assert FlashSale.objects.get(pk=sale.pk).status == "ended"
    assert Sku.objects.get(pk=skus[0].pk).stock == 50


@time_machine.travel(NOW, tick=False)
def test_cancel_before_the_start(merchant_client, mine):
    store, product, skus = mine
    sale = make_sale(store, product, skus, now=NOW)
    merchant_client.post(f"{BASE}{sale.pk}/cancel/", {"confirm": "yes"})
    assert FlashSale.objects.get(pk=sale.pk).status == "cancelled"
    assert merchant_client.get(f"{BASE}{sale.pk}/nope/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_another_merchants_sale_is_a_404_on_every_page(merchant_client, mine, theirs):
    sale, _product = theirs
    for url in (f"{BASE}{sale.pk}/", f"{BASE}{sale.pk}/end/", f"{BASE}{sale.pk}/cancel/"):
        assert merchant_client.get(url).status_code == 404
    assert merchant_client.post(f"{BASE}{sale.pk}/cancel/",
                                {"confirm": "yes"}).status_code == 404
    assert FlashSale.objects.get(pk=sale.pk).status == "scheduled"


def test_the_pages_are_for_merchants(buyer_client, client):
    assert buyer_client.get(BASE).status_code == 403
    assert buyer_client.get(f"{BASE}counters/").status_code == 403
    assert client.get(BASE).status_code == 302


def test_reviewers_see_flash_sales_read_only(reviewer_client, mine):
    store, product, skus = mine
    sale = make_sale(store, product, skus)
    assert reviewer_client.get("/admin/promotions/flashsale/").status_code == 200
    page = reviewer_client.get(f"/admin/promotions/flashsale/{sale.pk}/change/")
    assert page.status_code == 200 and "90.00" in page.content.decode()
    assert reviewer_client.get("/admin/promotions/flashsale/add/").status_code == 403


def test_the_demo_data_has_one_running_flash_sale(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    settings.PAYMENT_SANDBOX_ENABLED = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    sales = FlashSale.objects.filter(store__merchant__username="merchant_a")
    assert [s.status for s in sales] == ["running"]
    assert all(i.stock >= 1 and i.flash_price < i.regular_price
               for i in sales[0].items.all())
