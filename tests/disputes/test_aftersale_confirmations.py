"""Actions that move money or end a case need the "I confirm" box, checked on the server:
without it nothing happens (a merchant approving a refund, a support ruling)."""

import pytest

from disputes import services
from disputes.models import Ruling
from tests.disputes.aftersale_factories import START, fresh, open_request, signed_order

pytestmark = pytest.mark.django_db


def test_approving_a_refund_needs_the_confirmation(travel, buyer, merchant_client, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="refund_only", reason="quality")
    url = f"/seller/after-sales/{request.pk}/"
    html = merchant_client.get(url).content.decode()
    form = html.split(f'action="{url}approve_refund/"', 1)[1].split("</form>", 1)[0]
    assert 'name="confirm"' in form and "required" in form
    res = merchant_client.post(url + "approve_refund/", follow=True)
    assert fresh(request).status == "pending"
    assert "I confirm" in res.content.decode() or "确认" in res.content.decode()
    merchant_client.post(url + "approve_refund/", {"confirm": "1"})
    assert fresh(request).status in ("refunded", "refunding")


def test_a_ruling_needs_the_confirmation(travel, buyer, agent, agent_client, sku, return_address):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="return_refund", reason="quality")
    services.after_sale_request_escalate(request=request, actor=buyer, reason="质量问题")
    services.after_sale_case_take(request=request, actor=agent)
    url = f"/support/cases/{request.pk}/"
    assert 'name="confirm"' in agent_client.get(url).content.decode()
    data = {"outcome": "partial_refund", "fault": "merchant_other", "amount": "40.00",
            "reasoning": "部分责任"}
    res = agent_client.post(url + "rule/", data)
    assert res.status_code == 400 and not Ruling.objects.exists()
    assert fresh(request).status == "escalated"
    res = agent_client.post(url + "rule/", {**data, "confirm": "1"})
    assert res.status_code == 302 and Ruling.objects.count() == 1


def test_confirming_receipt_of_a_return_needs_the_confirmation(
        travel, buyer, merchant, merchant_client, sku, return_address):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="return_refund", reason="quality")
    services.after_sale_request_approve(request=request, actor=merchant, return_required=True)
    services.after_sale_request_ship_return(request=request, actor=buyer, courier="sf",
                                            waybill_number="SF1234567890")
    url = f"/seller/after-sales/{request.pk}/"
    html = merchant_client.get(url).content.decode()
    form = html.split(f'action="{url}confirm_receipt/"', 1)[1].split("</form>", 1)[0]
    assert 'name="confirm"' in form and "required" in form
    res = merchant_client.post(url + "confirm_receipt/", follow=True)
    assert fresh(request).status == "returning"
    assert "I confirm" in res.content.decode() or "确认" in res.content.decode()
    merchant_client.post(url + "confirm_receipt/", {"confirm": "1"})
    assert fresh(request).status in ("refunded", "refunding")
