"""The buyer and seller after-sale APIs through the real URLs: opening, acting, state,
deadlines and allowed actions; another buyer's or merchant's request is a 404."""

import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image
from rest_framework.test import APIClient

from disputes.models import AfterSaleAttachment, AfterSaleRequest
from tests.disputes.aftersale_factories import START, fresh, open_request, signed_order

pytestmark = pytest.mark.django_db
BASE = "/api/buyer/after-sales/"
SELLER = "/api/seller/after-sales/"


def png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_buyer_opens_a_request_and_sees_state_deadlines_and_actions(travel, buyer_api, buyer,
                                                                   sku):
    travel(START)
    order = signed_order(buyer, sku)
    line = order.lines.get()
    res = buyer_api.post(BASE, {"order_number": order.number, "line": line.pk,
                                "kind": "return_refund", "reason": "quality",
                                "amount": "50.00", "description": "线头"}, format="json")
    assert res.status_code == 201, res.content
    body = res.json()
    assert body["status"] == "pending" and body["amount"] == "50.00"
    assert set(body["deadlines"]) == {"contact_by", "review_by"}
    assert body["deadlines"]["review_by"].startswith("2025-06-05T10:00:00")
    assert set(body["allowed_actions"]) == {"escalate", "cancel", "message", "evidence"}
    waybill = next(a for a in body["actions"] if a["name"] == "upload_waybill")
    assert waybill["allowed"] is False and waybill["why_code"] == "wrong_status"
    assert body["events"][0]["to_status"] == "pending"
    listing = buyer_api.get(BASE).json()
    assert listing["count"] == 1 and listing["results"][0]["id"] == body["id"]


def test_open_on_another_buyers_order_is_404_and_errors_are_400(travel, buyer, other_buyer,
                                                               sku):
    travel(START)
    order = signed_order(buyer, sku)
    line = order.lines.get()
    payload = {"order_number": order.number, "line": line.pk, "kind": "refund_only",
               "reason": "quality"}
    assert api_for(other_buyer).post(BASE, payload, format="json").status_code == 404
    res = api_for(buyer).post(BASE, dict(payload, amount="999"), format="json")
    assert res.status_code == 400 and res.json()["code"] == "amount_too_large"
    res = api_for(buyer).post(BASE, dict(payload, kind="nonsense"), format="json")
    assert res.status_code == 400


def test_buyer_sees_only_their_own_requests(travel, buyer, other_buyer, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku))
    other = api_for(other_buyer)
    assert other.get(f"{BASE}{request.pk}/").status_code == 404
    assert other.post(f"{BASE}{request.pk}/cancel/", {}, format="json").status_code == 404
    assert other.get(BASE).json()["count"] == 0
    assert fresh(request).status == "pending"


def test_merchant_a_cannot_see_or_act_on_b(travel, buyer, other_merchant, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku))
    b = api_for(other_merchant)
    assert b.get(f"{SELLER}{request.pk}/").status_code == 404
    assert b.post(f"{SELLER}{request.pk}/contact/", {"message": "hi"},
                  format="json").status_code == 404
    assert b.get(SELLER).json()["count"] == 0


def test_roles_are_checked(travel, buyer, merchant, agent, buyer_api, merchant_api, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku))
    assert buyer_api.get(SELLER).status_code == 403
    assert merchant_api.get(BASE).status_code == 403
    # Agents work through the workbench only.
    agent_api = api_for(agent)
    assert agent_api.get(f"{BASE}{request.pk}/").status_code == 403
    assert agent_api.get(f"{SELLER}{request.pk}/").status_code == 403
    assert merchant_api.get(f"{SELLER}{request.pk}/").status_code == 200


def test_whole_return_path_through_the_apis(travel, buyer, merchant, buyer_api, merchant_api,
                                            sku, return_address):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="return_refund")
    url, surl = f"{BASE}{request.pk}/", f"{SELLER}{request.pk}/"
    res = merchant_api.post(surl + "reject/", {"reason": "no"}, format="json")
    assert res.status_code == 400 and res.json()["code"] == "contact_first"
    assert merchant_api.post(surl + "contact/", {"message": "您好"},
                             format="json").status_code == 200
    body = merchant_api.post(surl + "approve/", {"return_required": True}, format="json").json()
    assert body["status"] == "awaiting_return" and body["return_address"]["name"] == "售后部"
    body = buyer_api.get(url).json()
    assert body["allowed_actions"] == ["upload_waybill", "escalate", "cancel", "message",
                                       "evidence"]
    assert set(body["deadlines"]) == {"buyer_ship_by", "auto_close_at"}
    body = buyer_api.post(url + "waybill/", {"courier": "SF", "waybill_number": "SF12345678"},
                          format="json").json()
    assert body["status"] == "returning" and set(body["deadlines"]) == {"receive_by"}
    body = merchant_api.post(surl + "confirm-receipt/", {}, format="json").json()
    assert body["status"] == "refunded" and body["refunded_amount"] == "100.00"


def test_messages_with_images_and_evidence_files(travel, buyer, merchant, buyer_api,
                                                 merchant_api, other_buyer, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku))
    url = f"{BASE}{request.pk}/"
    res = buyer_api.post(url + "messages/", {"text": "看图", "images": [png()]},
                         format="multipart")
    assert res.status_code == 200, res.content
    message = res.json()["messages"][0]
    assert message["side"] == "buyer" and message["attachments"][0]["content_type"] == "image/png"
    file_url = message["attachments"][0]["url"]
    assert file_url.startswith(url + "files/")
    got = buyer_api.get(file_url)
    assert got.status_code == 200 and got["Content-Type"] == "image/png"
    assert api_for(other_buyer).get(file_url).status_code == 404
    attachment = AfterSaleAttachment.objects.get()
    seller_url = f"{SELLER}{request.pk}/files/{attachment.pk}/"
    assert merchant_api.get(seller_url).status_code == 200
    bad = io.BytesIO(b"<svg onload=alert(1)></svg>")
    bad.name = "x.png"
    res = buyer_api.post(url + "evidence/", {"kind": "photo", "files": [bad]},
                         format="multipart")
    assert res.status_code == 400 and res.json()["code"] == "upload_markup"
    res = merchant_api.post(f"{SELLER}{request.pk}/evidence/",
                            {"kind": "invoice", "note": "进货发票", "files": [png("i.png")]},
                            format="multipart")
    assert res.status_code == 200
    evidence = res.json()["evidence"]
    assert [(e["side"], e["kind"]) for e in evidence] == [("merchant", "invoice")]


def test_escalation_disables_merchant_buttons_with_the_reason(travel, buyer, buyer_api,
                                                              merchant_api, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku))
    body = buyer_api.post(f"{BASE}{request.pk}/escalate/", {"reason": "商家不回复"},
                          format="json").json()
    assert body["status"] == "escalated"
    body = merchant_api.get(f"{SELLER}{request.pk}/").json()
    assert body["allowed_actions"] == ["message", "evidence"]
    approve = next(a for a in body["actions"] if a["name"] == "approve_refund")
    assert approve["why_code"] == "escalated" and approve["why"]
    res = merchant_api.post(f"{SELLER}{request.pk}/approve/", {"return_required": False},
                            format="json")
    assert res.status_code == 400 and res.json()["code"] == "escalated"


def test_seller_list_filters_and_order_by_nearest_clock(travel, buyer, merchant, merchant_api,
                                                        store):
    from tests.disputes.aftersale_factories import sku_for

    travel(START)
    first = open_request(signed_order(buyer, sku_for(store)))
    travel(START + timedelta(hours=1))
    second = open_request(signed_order(buyer, sku_for(store)), kind="refund_only")
    # The first one's contact clock runs out first.
    ids = [r["id"] for r in merchant_api.get(SELLER).json()["results"]]
    assert ids == [first.pk, second.pk]
    ids = [r["id"] for r in merchant_api.get(SELLER + "?kind=refund_only").json()["results"]]
    assert ids == [second.pk]
    assert merchant_api.get(SELLER + "?status=refunded").json()["count"] == 0
    # An unknown status is refused (it was an empty page), as the schema says.
    assert merchant_api.get(SELLER + "?status=bogus").status_code == 400
    number = first.order.number
    assert [r["id"] for r in merchant_api.get(SELLER + f"?q={number}").json()["results"]] == [
        first.pk]


def test_list_query_count_does_not_grow(travel, buyer, buyer_api, store):
    from tests.disputes.aftersale_factories import sku_for

    travel(START)
    open_request(signed_order(buyer, sku_for(store)))
    buyer_api.get(BASE)  # the role lookup is cached on the user from here on
    with CaptureQueriesContext(connection) as one:
        assert buyer_api.get(BASE).status_code == 200
    for _ in range(4):
        open_request(signed_order(buyer, sku_for(store)))
    with CaptureQueriesContext(connection) as five:
        assert buyer_api.get(BASE).json()["count"] == 5
    assert len(five) == len(one) == 2  # count + one page with its joins
    assert AfterSaleRequest.objects.count() == 5


def test_schema_still_builds(client, settings):
    settings.API_DOCS_PUBLIC = True
    res = client.get("/api/schema/")
    assert res.status_code == 200
    assert b"/api/buyer/after-sales/{id}/waybill/" in res.content


def test_the_schema_and_the_service_agree_on_the_offline_proposal_reason():
    """The service keeps the reason to 200 characters; the API says so up front."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    component = schema["components"]["schemas"]["ShortReasonInRequest"]
    assert component["properties"]["reason"]["maxLength"] == 200
