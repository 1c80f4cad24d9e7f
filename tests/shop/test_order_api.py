"""The buyer, seller ERP and webhook APIs through their real URLs."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from payments.models import Payment
from payments.providers import payment_provider
from shop.models import Order, StoreRating
from shop.services.shipping import courier_sign
from tests.factories import ProductFactory, SkuFactory
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    ADDRESS,
    _fast_password_hashing,
    courier_body,
    listed_sku,
    pay,
    place,
    ship,
    store_for,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.fixture
def sku(store):
    return listed_sku(store, price="59.00", stock=10)


def test_whole_path_through_the_api(buyer_api, merchant, sku, store):
    client = buyer_api
    # browse
    res = client.get(f"/api/buyer/stores/{store.slug}/products/")
    assert res.status_code == 200
    product = res.json()["results"][0]
    assert product["orderable"] and product["skus"][0]["id"] == sku.pk
    # order
    res = client.post("/api/buyer/orders/", {
        "items": [{"sku": sku.pk, "quantity": 2}], "address": ADDRESS,
        "invoice_title": "某某公司", "invoice_tax_number": "91350100M000100Y43",
    }, format="json")
    assert res.status_code == 201, res.json()
    number = res.json()["number"]
    assert res.json()["total_amount"] == "118.00"
    assert res.json()["events"][0]["to_status"] == "pending_payment"
    # pay: payment info, then the provider's signed callback (twice)
    res = client.post(f"/api/buyer/orders/{number}/pay/")
    assert res.status_code == 200 and res.json()["amount"] == "118.00"
    payment = Payment.objects.get(provider_ref=res.json()["payment_ref"])
    provider = payment_provider("sandbox")
    body = provider.callback_body(payment)
    hook = APIClient()
    for changed in (True, False):
        res = hook.post("/api/webhooks/payments/sandbox/", body, content_type="application/json",
                        HTTP_X_SIGNATURE=provider.sign(body))
        assert res.status_code == 200 and res.json()["changed"] is changed
    assert client.get(f"/api/buyer/orders/{number}/").json()["status"] == "paid"
    # merchant ships via ERP API (token)
    erp = APIClient()
    erp.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=merchant).key}")
    res = erp.post(f"/api/seller/orders/{number}/ship/",
                   {"courier": "SF", "waybill_number": "SF1234567890"}, format="json")
    assert res.status_code == 200 and res.json()["status"] == "shipped"
    # courier signs
    order = Order.objects.get(number=number)
    body = courier_body(order, "signed", signed_by="本人")
    res = hook.post("/api/webhooks/couriers/", body, content_type="application/json",
                    HTTP_X_SIGNATURE=courier_sign(body))
    assert res.status_code == 200 and res.json()["changed"] is True
    # buyer confirms and rates
    res = client.post(f"/api/buyer/orders/{number}/confirm-receipt/")
    assert res.status_code == 200 and res.json()["status"] == "completed"
    res = client.post(f"/api/buyer/orders/{number}/rating/",
                      {"description": 5, "service": 4, "logistics": 5}, format="json")
    assert res.status_code == 201
    res = client.post(f"/api/buyer/orders/{number}/rating/",
                      {"description": 5, "service": 4, "logistics": 5}, format="json")
    assert res.status_code == 400 and res.json()["code"] == "already_rated"
    timeline = [e["to_status"] for e in client.get(f"/api/buyer/orders/{number}/").json()["events"]]
    assert timeline == ["pending_payment", "paid", "shipped", "signed", "completed"]


def test_bad_input_gives_clear_json_errors(buyer_api, sku, other_merchant):
    other = listed_sku(store_for(other_merchant))
    url = "/api/buyer/orders/"
    cases = [
        ({"items": [{"sku": sku.pk, "quantity": 0}], "address": ADDRESS}, "items"),
        ({"items": [{"sku": sku.pk, "quantity": 11}], "address": ADDRESS}, "out_of_stock"),
        ({"items": [{"sku": sku.pk, "quantity": 1}, {"sku": other.pk, "quantity": 1}],
          "address": ADDRESS}, "several_stores"),
        ({"items": [{"sku": sku.pk, "quantity": 1}], "address": {**ADDRESS, "phone": "12"}},
         "address"),
        ({"items": [], "address": ADDRESS}, "items"),
    ]
    for payload, expected in cases:
        res = buyer_api.post(url, payload, format="json", HTTP_ACCEPT_LANGUAGE="en")
        assert res.status_code == 400
        body = res.json()
        assert body.get("code") == expected or expected in body, body
    assert not Order.objects.exists()
    sku.refresh_from_db()
    assert sku.stock == 10


def test_other_platform_product_is_browsable_not_orderable(buyer_api, store):
    product = ProductFactory(store=store, kind="other_platform", platform="jd",
                             external_url="https://item.jd.com/100012043978.html")
    sku = SkuFactory(product=product)
    res = buyer_api.get(f"/api/buyer/stores/{store.slug}/products/")
    assert [p["orderable"] for p in res.json()["results"]] == [False]
    res = buyer_api.post("/api/buyer/orders/", {"items": [{"sku": sku.pk, "quantity": 1}],
                                                "address": ADDRESS}, format="json")
    assert res.status_code == 400 and res.json()["code"] == "other_platform_product"


def test_buyer_sees_only_own_orders(buyer, other_buyer, buyer_api, sku):
    mine = place(buyer, sku)
    theirs = place(other_buyer, sku)
    numbers = [o["number"] for o in buyer_api.get("/api/buyer/orders/").json()["results"]]
    assert numbers == [mine.number]
    for suffix in ["", "pay/", "cancel/", "confirm-receipt/", "rating/"]:
        method = buyer_api.get if suffix == "" else buyer_api.post
        assert method(f"/api/buyer/orders/{theirs.number}/{suffix}").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending_payment"


def test_cancel_via_api_releases_stock(buyer, buyer_api, sku):
    order = place(buyer, sku, quantity=3)
    res = buyer_api.post(f"/api/buyer/orders/{order.number}/cancel/", {"reason": "不想要了"},
                         format="json")
    assert res.status_code == 200 and res.json()["status"] == "cancelled"
    sku.refresh_from_db()
    assert sku.stock == 10
    assert buyer_api.post(f"/api/buyer/orders/{order.number}/cancel/").status_code == 400


def test_rating_out_of_range_via_api(buyer, buyer_api, sku):
    order = place(buyer, sku)
    res = buyer_api.post(f"/api/buyer/orders/{order.number}/rating/",
                         {"description": 6, "service": 0, "logistics": 3}, format="json")
    assert res.status_code == 400 and {"description", "service"} <= set(res.json())
    res = buyer_api.post(f"/api/buyer/orders/{order.number}/rating/",
                         {"description": 5, "service": 5, "logistics": 5}, format="json")
    assert res.status_code == 400 and res.json()["code"] == "not_completed"
    assert not StoreRating.objects.exists()


def test_merchant_cannot_use_buyer_api_and_vice_versa(merchant_api, buyer_api):
    assert merchant_api.get("/api/buyer/orders/").status_code == 403
    assert buyer_api.get("/api/seller/orders/").status_code == 403
    assert APIClient().get("/api/seller/orders/").status_code in (401, 403)


def test_seller_api_scoping(buyer, merchant_api, other_merchant, sku):
    other_sku = listed_sku(store_for(other_merchant))
    theirs = pay(place(buyer, other_sku))
    mine = pay(place(buyer, sku))
    numbers = [o["number"] for o in merchant_api.get("/api/seller/orders/").json()["results"]]
    assert numbers == [mine.number]
    assert merchant_api.get(f"/api/seller/orders/{theirs.number}/").status_code == 404
    res = merchant_api.post(f"/api/seller/orders/{theirs.number}/ship/",
                            {"courier": "SF", "waybill_number": "SF1234567890"}, format="json")
    assert res.status_code == 404
    assert merchant_api.post(f"/api/seller/skus/{other_sku.pk}/stock/", {"stock": 1},
                             format="json").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "paid"


def test_seller_filters_and_to_ship_first(buyer, merchant_api, sku):
    unpaid = place(buyer, sku)
    first_paid = pay(place(buyer, sku))
    second_paid = pay(place(buyer, sku))
    res = merchant_api.get("/api/seller/orders/").json()["results"]
    assert [o["number"] for o in res] == [first_paid.number, second_paid.number, unpaid.number]
    res = merchant_api.get("/api/seller/orders/", {"status": "pending_payment"}).json()
    assert [o["number"] for o in res["results"]] == [unpaid.number]
    res = merchant_api.get("/api/seller/orders/", {"number": second_paid.number}).json()
    assert [o["number"] for o in res["results"]] == [second_paid.number]
    res = merchant_api.get("/api/seller/orders/", {"created_from": "2000-01-01",
                                                   "created_to": "2000-01-02"}).json()
    assert res["results"] == []
    Order.objects.filter(pk=first_paid.pk).update(shipped_late=True)
    res = merchant_api.get("/api/seller/orders/", {"late": "true"}).json()
    assert [o["number"] for o in res["results"]] == [first_paid.number]
    assert merchant_api.get("/api/seller/orders/", {"status": "bogus"}).status_code == 400


def test_seller_ship_unpaid_is_a_clear_400(buyer, merchant_api, sku):
    order = place(buyer, sku)
    res = merchant_api.post(f"/api/seller/orders/{order.number}/ship/",
                            {"courier": "SF", "waybill_number": "SF1234567890"}, format="json",
                            HTTP_ACCEPT_LANGUAGE="en")
    assert res.status_code == 400 and res.json()["code"] == "not_paid"
    assert "not been paid" in res.json()["detail"]


def test_seller_updates_stock(merchant_api, sku):
    res = merchant_api.post(f"/api/seller/skus/{sku.pk}/stock/", {"stock": 42}, format="json")
    assert res.status_code == 200 and res.json() == {"id": sku.pk, "stock": 42}
    res = merchant_api.post(f"/api/seller/skus/{sku.pk}/stock/", {"stock": -1}, format="json")
    assert res.status_code == 400
    sku.refresh_from_db()
    assert sku.stock == 42


def _count_queries(client, url):
    client.get(url)  # warm up: the role lookup is cached on the forced user
    with CaptureQueriesContext(connection) as ctx:
        res = client.get(url)
    assert res.status_code == 200
    return len(ctx.captured_queries), res


@pytest.mark.parametrize("prefix,actor", [("/api/seller/orders/", "merchant"),
                                          ("/api/buyer/orders/", "buyer")])
def test_list_endpoints_run_a_fixed_number_of_queries(prefix, actor, buyer, merchant, sku,
                                                      request):
    client = request.getfixturevalue(f"{actor}_api")
    Order.objects.all().delete()
    for _ in range(3):
        pay(place(buyer, sku))
    few, res = _count_queries(client, f"{prefix}?page_size=50")
    assert len(res.json()["results"]) == 3
    sku.stock = 100
    sku.save()
    for _ in range(27):
        pay(place(buyer, sku))
    many, res = _count_queries(client, f"{prefix}?page_size=50")
    assert len(res.json()["results"]) == 30
    assert few == many


def test_store_products_fixed_queries(buyer_api, store):
    url = f"/api/buyer/stores/{store.slug}/products/"
    for _ in range(3):
        listed_sku(store)
    few, _res = _count_queries(buyer_api, url)
    for _ in range(10):
        listed_sku(store)
    many, res = _count_queries(buyer_api, url)
    assert res.json()["count"] == 13
    assert few == many
    assert buyer_api.get("/api/buyer/stores/nope/products/").status_code == 404


def test_webhook_bad_signature_is_a_400_json_error(buyer, sku):
    order = place(buyer, sku)
    from shop.services.order_payments import order_payment_start

    payment, _ = order_payment_start(order=order, actor=buyer)
    body = payment_provider("sandbox").callback_body(payment)
    hook = APIClient()
    res = hook.post("/api/webhooks/payments/sandbox/", body, content_type="application/json",
                    HTTP_X_SIGNATURE="bad", HTTP_ACCEPT_LANGUAGE="en")
    assert res.status_code == 400
    assert res.json() == {"detail": "The callback signature is invalid.", "code": "bad_signature"}
    res = hook.post("/api/webhooks/couriers/", json.dumps({}), content_type="application/json")
    assert res.status_code == 400 and res.json()["code"] == "bad_signature"
    res = hook.post("/api/webhooks/payments/paypal/", body, content_type="application/json",
                    HTTP_X_SIGNATURE="bad")
    assert res.status_code == 400 and res.json()["code"] == "unknown_provider"
    order.refresh_from_db()
    assert order.status == "pending_payment"


def test_schema_builds(client, settings):
    settings.API_DOCS_PUBLIC = True
    res = client.get("/api/schema/")
    assert res.status_code == 200
    assert b"/api/buyer/orders/{number}/pay/" in res.content


def test_a_missing_order_is_a_translated_404_without_the_model_name(buyer_api):
    res = buyer_api.get("/api/buyer/orders/NOPE123/")
    assert res.status_code == 404
    assert "matches the given query" not in res.json()["detail"]
    assert res.json()["detail"] == "未找到。"
