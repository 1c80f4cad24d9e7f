"""The merchant's lists show what they list: the product list with thumbnails, stock and
units sold; the order list with product names, thumbnails, buyer and the running clock;
each in a number of queries that does not grow with the rows; breadcrumbs on detail pages."""

import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from PIL import Image

from shop.models import Product
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    pay,
    place,
    store_for,
)

pytestmark = pytest.mark.django_db


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 60, 0)).save(buffer, "PNG")
    return SimpleUploadedFile("p.png", buffer.getvalue(), content_type="image/png")


@pytest.fixture
def store(merchant):
    return store_for(merchant)


def _with_image(sku):
    product = sku.product
    product.image = _png()
    product.save(update_fields=["image"])
    return sku


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        res = client.get(url)
    assert res.status_code == 200
    return len(ctx), res.content.decode()


def test_order_rows_show_products_buyer_and_clock_without_a_query_per_row(
        merchant_client, buyer, store):
    sku = _with_image(listed_sku(store, stock=100))
    other = listed_sku(store, stock=100)
    first = pay(place(buyer, sku, quantity=2))
    few, html = _queries(merchant_client, "/seller/orders/?view=all")
    row = re.search(rf'<tr data-order="{first.number}">(.*?)</tr>', html, re.S).group(1)
    assert f"{sku.product.title} × 2" in row
    assert re.search(r'<img class="list-thumb" src="[^"]+"', row)
    from shop.rules.orders import buyer_masked
    assert f">{buyer_masked(buyer.username)}</td>" in row
    assert 'data-clock' in row and 'class="countdown' in row
    for _ in range(6):
        pay(place(buyer, other))
        place(buyer, sku)
    many, html = _queries(merchant_client, "/seller/orders/?view=all")
    assert html.count("<tr data-order=") == 13
    assert many == few


def test_order_with_several_products_names_the_first_and_counts_the_rest(
        merchant_client, buyer, store):
    from shop.services.orders import order_place
    from tests.shop.order_factories import ADDRESS

    a, b = listed_sku(store, stock=5), listed_sku(store, stock=5)
    order = order_place(actor=buyer, items=[{"sku": a.pk, "quantity": 1},
                                            {"sku": b.pk, "quantity": 1}], address=ADDRESS)
    html = merchant_client.get("/seller/orders/?view=all").content.decode()
    row = re.search(rf'<tr data-order="{order.number}">(.*?)</tr>', html, re.S).group(1)
    with translation.override(settings.LANGUAGE_CODE):
        more = translation.ngettext("and %(n)s more item", "and %(n)s more items", 1) % {"n": 1}
    assert a.product.title in row and more in row


def test_product_rows_show_thumbnail_stock_and_units_sold_in_fixed_queries(
        merchant_client, buyer, store):
    sku = _with_image(listed_sku(store, stock=30))
    pay(place(buyer, sku, quantity=3))
    place(buyer, sku, quantity=4)  # unpaid: not sold
    few, html = _queries(merchant_client, "/seller/products/")
    row = re.search(rf'<tr data-product="{sku.product_id}">(.*?)</tr>', html, re.S).group(1)
    assert "<img" in row and "list-thumb" in row
    assert re.search(r"data-stock>\s*23\b", row), row  # 30 − 3 paid − 4 held
    assert re.search(r"data-sold>3<", row), row
    for _ in range(5):
        pay(place(buyer, listed_sku(store, stock=2)))
    many, html = _queries(merchant_client, "/seller/products/")
    assert html.count("<tr data-product=") == 6
    assert many == few


def test_sold_out_listed_product_is_flagged(merchant_client, store):
    sku = listed_sku(store, stock=0)
    Product.objects.filter(pk=sku.product_id).update(status=Product.Status.LISTED)
    html = merchant_client.get("/seller/products/").content.decode()
    row = re.search(rf'<tr data-product="{sku.product_id}">(.*?)</tr>', html, re.S).group(1)
    assert "badge-bad" in row


def test_rows_carry_labels_for_the_phone_cards(merchant_client, buyer, store):
    pay(place(buyer, listed_sku(store, stock=3)))
    html = merchant_client.get("/seller/orders/?view=all").content.decode()
    assert 'class="list cards order-list"' in html
    assert 'data-label="' in html
    assert re.search(r'class="card table-wrap" tabindex="0" role="region" aria-label="[^"]+"', html)


def test_detail_pages_have_breadcrumbs(merchant_client, buyer, store):
    sku = listed_sku(store, stock=3)
    order = pay(place(buyer, sku))
    for url, last in ((f"/seller/orders/{order.number}/", order.number),
                      (f"/seller/products/{sku.product_id}/", sku.product.title),
                      (f"/seller/products/{sku.product_id}/edit/", None)):
        html = merchant_client.get(url).content.decode()
        crumbs = re.search(r'<nav class="breadcrumbs" aria-label="[^"]+"><ol>(.*?)</ol></nav>',
                           html, re.S)
        assert crumbs, url
        assert 'href="/seller/"' in crumbs.group(1)
        if last:
            assert f'<li aria-current="page">{last}</li>' in crumbs.group(1)
