"""Merchant after-sale pages and the support workbench through the real URLs and
templates: scoping, allowed actions only, escalation lock, query counts, who may enter."""

import io
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from disputes.models import AfterSaleRequest, MerchantReturnAddress, Ruling
from tests.disputes.aftersale_factories import (
    RETURN_ADDRESS,
    START,
    escalate_and_take,
    fresh,
    open_request,
    signed_order,
    sku_for,
)

pytestmark = pytest.mark.django_db


def page(client, url, status=200):
    # Text is asserted in English (the msgids); Chinese wording may be reworded freely.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    res = client.get(url)
    assert res.status_code == status, res.content[:500]
    return res.content.decode()


def test_merchant_list_shows_only_own_requests_in_clock_order(travel, buyer, merchant_client,
                                                              store, other_store):
    travel(START)
    mine = open_request(signed_order(buyer, sku_for(store)))
    theirs = open_request(signed_order(buyer, sku_for(other_store)))
    html = page(merchant_client, "/seller/after-sales/")
    assert f"#{mine.pk}<" in html and f"#{theirs.pk}<" not in html
    assert "left" in html and 'class="countdown' in html


def test_merchant_list_query_count_is_fixed(travel, buyer, merchant_client, store):
    travel(START)
    open_request(signed_order(buyer, sku_for(store)))
    page(merchant_client, "/seller/after-sales/")
    with CaptureQueriesContext(connection) as one:
        page(merchant_client, "/seller/after-sales/")
    for _ in range(5):
        open_request(signed_order(buyer, sku_for(store)))
    with CaptureQueriesContext(connection) as six:
        html = page(merchant_client, "/seller/after-sales/")
    assert html.count('href="/seller/after-sales/') >= 6
    assert len(six) == len(one)


def test_another_merchants_request_is_404(travel, buyer, other_merchant_client, store):
    travel(START)
    request = open_request(signed_order(buyer, sku_for(store)))
    page(other_merchant_client, f"/seller/after-sales/{request.pk}/", 404)
    res = other_merchant_client.post(f"/seller/after-sales/{request.pk}/contact/",
                                     {"message": "hi"})
    assert res.status_code == 404
    assert fresh(request).contacted_at is None


def test_detail_offers_allowed_actions_and_explains_disabled_ones(travel, buyer,
                                                                  merchant_client, sku,
                                                                  return_address):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="return_refund")
    url = f"/seller/after-sales/{request.pk}/"
    html = page(merchant_client, url)
    assert f'action="{url}contact/"' in html
    assert f'action="{url}approve_return/"' in html
    assert f'action="{url}reject/"' not in html  # contact first…
    assert "Contact the buyer before rejecting" in html  # …and why
    res = merchant_client.post(url + "contact/", {"message": "您好，已收到"})
    assert res.status_code == 302
    html = page(merchant_client, url)
    assert f'action="{url}reject/"' in html and f'action="{url}contact/"' not in html
    res = merchant_client.post(url + "approve_return/")
    assert fresh(request).status == "awaiting_return"
    html = page(merchant_client, url)
    assert RETURN_ADDRESS["detail"] in html


def test_escalated_request_locks_the_merchant_page(travel, buyer, merchant_client, sku):
    from disputes import services

    travel(START)
    request = open_request(signed_order(buyer, sku), kind="refund_only")
    services.after_sale_request_escalate(request=request, actor=buyer, reason="不退")
    url = f"/seller/after-sales/{request.pk}/"
    html = page(merchant_client, url)
    assert "disabled" in html and f'action="{url}approve_refund/"' not in html
    assert f'action="{url}message/"' in html and f'action="{url}evidence/"' in html
    res = merchant_client.post(url + "approve_refund/")
    assert res.status_code == 302 and fresh(request).status == "escalated"
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = "invoice.jpg"
    merchant_client.post(url + "evidence/", {"kind": "invoice", "note": "发票", "files": buffer})
    assert request.evidence.get().attachments.count() == 1
    attachment = request.attachments.get()
    assert merchant_client.get(f"/seller/after-sales/files/{attachment.pk}/").status_code == 200


def test_unknown_action_is_404_and_get_is_refused(travel, buyer, merchant_client, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku))
    assert merchant_client.post(f"/seller/after-sales/{request.pk}/delete/").status_code == 404
    assert merchant_client.get(f"/seller/after-sales/{request.pk}/contact/").status_code == 405


def test_merchant_sets_the_return_address(merchant_client, store):
    html = page(merchant_client, "/seller/after-sales/return-address/")
    assert "No return address yet" in html
    res = merchant_client.post("/seller/after-sales/return-address/", RETURN_ADDRESS)
    assert res.status_code == 302
    res = merchant_client.post("/seller/after-sales/return-address/",
                               dict(RETURN_ADDRESS, phone="123"))
    assert res.status_code == 200
    assert MerchantReturnAddress.objects.filter(store=store).count() == 1


def test_who_may_enter_which_area(buyer_client, merchant_client, agent_client):
    assert buyer_client.get("/support/").status_code == 403
    assert merchant_client.get("/support/").status_code == 403
    assert agent_client.get("/seller/after-sales/").status_code == 403
    assert agent_client.get("/seller/").status_code == 403
    assert agent_client.get("/support/").status_code == 200


def test_agent_sees_a_case_only_once_escalated(travel, buyer, agent_client, sku):
    from disputes import services

    travel(START)
    request = open_request(signed_order(buyer, sku))
    page(agent_client, f"/support/cases/{request.pk}/", 404)
    services.after_sale_request_escalate(request=request, actor=buyer, reason="不理我")
    html = page(agent_client, "/support/")
    assert f"#{request.pk}<" in html
    html = page(agent_client, f"/support/cases/{request.pk}/")
    assert "Take this case" in html


def test_workbench_take_and_rule_with_fee_suggestion(travel, buyer, agent, agent_client, sku,
                                                     return_address):
    travel(START)
    order = signed_order(buyer, sku)
    request = open_request(order, kind="return_refund", reason="quality")
    from disputes import services

    services.after_sale_request_escalate(request=request, actor=buyer, reason="质量问题")
    url = f"/support/cases/{request.pk}/"
    assert agent_client.post(url + "take/").status_code == 302
    assert fresh(request).agent == agent
    html = page(agent_client, url)
    # order, items, payments, tracking, checks and the suggestion are on the page
    assert order.number in html and "SF" in html
    assert "merchant pays the outbound and the return postage" in html
    res = agent_client.post(url + "rule/", {
        "outcome": "partial_refund", "fault": "merchant_other", "amount": "40.00",
        "outbound_payer": "buyer", "reasoning": "部分责任", "confirm": "1"})
    assert res.status_code == 400
    assert "give a reason" in res.content.decode()
    res = agent_client.post(url + "rule/", {
        "outcome": "partial_refund", "fault": "merchant_other", "amount": "40.00",
        "reasoning": "部分责任", "confirm": "1"})
    assert res.status_code == 302, res.content.decode()[:2000]
    ruling = Ruling.objects.get()
    assert ruling.net_amount == 40 and ruling.outbound_postage_payer == "merchant"
    assert fresh(request).status == "refunded"
    html = page(agent_client, url)
    assert "部分责任" in html


def test_both_sides_see_the_ruling(travel, buyer, merchant, merchant_client, agent, sku):
    from rest_framework.test import APIClient

    travel(START)
    request = escalate_and_take(open_request(signed_order(buyer, sku), kind="refund_only"),
                                by=buyer, agent=agent)
    from tests.disputes.aftersale_factories import rule

    rule(request, agent, outcome="rejected", fault="buyer", reasoning="证据不足，驳回")
    assert "证据不足，驳回" in page(merchant_client, f"/seller/after-sales/{request.pk}/")
    api = APIClient()
    api.force_authenticate(buyer)
    body = api.get(f"/api/buyer/after-sales/{request.pk}/").json()
    assert body["ruling"]["reasoning"] == "证据不足，驳回" and body["status"] == "closed"


def test_support_queue_query_count_is_fixed(travel, buyer, agent_client, store):
    from disputes import services

    def escalate_one():
        r = open_request(signed_order(buyer, sku_for(store)))
        services.after_sale_request_escalate(request=r, actor=buyer, reason="x")

    travel(START)
    escalate_one()
    page(agent_client, "/support/")
    with CaptureQueriesContext(connection) as one:
        page(agent_client, "/support/")
    for _ in range(4):
        escalate_one()
    with CaptureQueriesContext(connection) as five:
        html = page(agent_client, "/support/?assigned=unassigned")
    assert html.count('href="/support/cases/') == 5
    assert len(five) == len(one)


def test_queue_is_ordered_by_the_handling_clock_and_filters(travel, buyer, agent, agent_client,
                                                            store):
    from disputes import services

    travel(START)
    first = open_request(signed_order(buyer, sku_for(store)))
    second = open_request(signed_order(buyer, sku_for(store)))
    services.after_sale_request_escalate(request=second, actor=buyer, reason="x")
    travel(START + timedelta(hours=1))
    services.after_sale_request_escalate(request=first, actor=buyer, reason="x")
    html = page(agent_client, "/support/")
    assert html.index(f"#{second.pk}<") < html.index(f"#{first.pk}<")
    services.after_sale_case_take(request=first, actor=agent)
    html = page(agent_client, "/support/?assigned=me")
    assert f"#{first.pk}<" in html and f"#{second.pk}<" not in html
    html = page(agent_client, f"/support/?store={store.slug}")
    assert f"#{first.pk}<" in html
    html = page(agent_client, "/support/?store=nope")
    assert f"#{first.pk}<" not in html
    assert AfterSaleRequest.objects.filter(status="escalated").count() == 2
