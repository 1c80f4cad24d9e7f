"""The buyer API gives what the app needs: line ids (an after-sale request names one), each
line's image and store, and a catalogue across stores with search and category filter."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compliance.models import Category
from shop.models import Product, Store
from tests.disputes.aftersale_factories import signed_order, sku_for
from tests.factories import StoreFactory
from tests.shop.order_factories import _fast_password_hashing, store_for  # noqa: F401

pytestmark = pytest.mark.django_db


def test_order_lines_carry_their_id_image_and_store(buyer, buyer_api, merchant):
    store = store_for(merchant)
    order = signed_order(buyer, sku_for(store, title="棉麻衬衫"))
    body = buyer_api.get(f"/api/buyer/orders/{order.number}/").json()
    line = body["lines"][0]
    assert line["id"] == order.lines.get().pk
    assert "image" in line and body["store_name"] == store.name
    listed = buyer_api.get("/api/buyer/orders/").json()["results"][0]
    assert listed["lines"][0]["id"] == line["id"]
    # The id from the order response is what opening an after-sale request takes.
    res = buyer_api.post("/api/buyer/after-sales/", {
        "order_number": order.number, "line": line["id"], "kind": "return_refund",
        "reason": "quality", "amount": "10.00", "description": "开线"}, format="json")
    assert res.status_code == 201, res.content


@pytest.fixture
def catalogue(merchant, other_merchant):
    top = Category.objects.filter(level=1).first() or Category.objects.create(
        name="服饰", level=1, code="t1")
    a = store_for(merchant)
    b = store_for(other_merchant)
    shirt = sku_for(a, title="真丝衬衫").product
    cup = sku_for(b, title="保温杯").product
    closed = StoreFactory(status=Store.Status.CLOSED)
    hidden = sku_for(closed, title="真丝围巾").product
    draft = sku_for(a, title="真丝睡衣").product
    Product.objects.filter(pk=draft.pk).update(status=Product.Status.DRAFT)
    return {"shirt": shirt, "cup": cup, "hidden": hidden, "draft": draft, "top": top}


def test_the_catalogue_lists_listed_products_of_open_stores(buyer_api, catalogue):
    body = buyer_api.get("/api/buyer/products/").json()
    ids = {p["id"] for p in body["results"]}
    assert {catalogue["shirt"].pk, catalogue["cup"].pk} <= ids
    assert catalogue["hidden"].pk not in ids and catalogue["draft"].pk not in ids
    first = body["results"][0]
    assert {"image", "store", "store_name", "skus"} <= set(first)


def test_the_catalogue_searches_titles_and_filters_by_category(buyer_api, catalogue):
    found = buyer_api.get("/api/buyer/products/", {"q": "真丝"}).json()["results"]
    assert [p["id"] for p in found] == [catalogue["shirt"].pk]
    shirt_category = catalogue["shirt"].category
    top = shirt_category
    while top.parent_id:
        top = top.parent
    by_top = buyer_api.get("/api/buyer/products/", {"category": top.pk}).json()["results"]
    assert catalogue["shirt"].pk in {p["id"] for p in by_top}
    bad = buyer_api.get("/api/buyer/products/", {"category": "x"})
    assert bad.status_code == 400


def test_the_catalogue_query_count_does_not_grow_with_products(buyer_api, catalogue):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert buyer_api.get("/api/buyer/products/").status_code == 200
        return len(ctx)

    count()  # the first request also loads per-process caches (settings, roles)
    before = count()
    store = catalogue["shirt"].store
    for n in range(5):
        sku_for(store, title=f"商品{n}")
    assert count() == before
