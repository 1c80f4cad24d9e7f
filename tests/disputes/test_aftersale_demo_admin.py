"""The demo loader (idempotent, one escalated case for the agent) and the reviewer's admin
screens (read-mostly, reopening a ruling with a reason)."""

import pytest
from django.core.management import call_command

from disputes.models import AfterSaleRequest, Ruling
from tests.disputes.aftersale_factories import (
    START,
    escalate_and_take,
    fresh,
    open_request,
    rule,
    signed_order,
)

pytestmark = pytest.mark.django_db


def test_demo_loader_is_idempotent_and_gives_the_agent_a_case(settings):
    settings.DEBUG = True
    settings.PAYMENT_SANDBOX_ENABLED = True  # read from DEBUG once, when settings load
    call_command("seed_demo", verbosity=0)
    requests = AfterSaleRequest.objects.filter(buyer__username="buyer_a")
    assert set(requests.values_list("status", flat=True)) == {
        "pending", "awaiting_return", "refunded", "escalated"}
    case = requests.get(status="escalated")
    assert case.agent.username == "agent" and case.store.merchant.username == "merchant_a"
    assert case.evidence.count() == 2 and case.messages.count() >= 2
    call_command("seed_demo", verbosity=0)
    assert AfterSaleRequest.objects.count() == 4


def test_reviewer_sees_requests_read_only(travel, buyer, reviewer_client, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku))
    res = reviewer_client.get("/admin/disputes/aftersalerequest/")
    assert res.status_code == 200 and f"{request.pk}" in res.content.decode()
    res = reviewer_client.get(f"/admin/disputes/aftersalerequest/{request.pk}/change/")
    assert res.status_code == 200
    assert reviewer_client.post(f"/admin/disputes/aftersalerequest/{request.pk}/change/",
                                {"status": "refunded"}).status_code == 403
    assert fresh(request).status == "pending"
    assert reviewer_client.get("/admin/").status_code == 200


def test_reviewer_reopens_a_ruling_in_the_admin(travel, buyer, agent, reviewer,
                                                reviewer_client, agent_client, sku):
    travel(START)
    request = escalate_and_take(open_request(signed_order(buyer, sku), kind="refund_only"),
                                by=buyer, agent=agent)
    ruling = rule(request, agent, outcome="rejected", fault="buyer")
    page = reviewer_client.get(f"/admin/disputes/aftersalerequest/{request.pk}/change/")
    url = f"/admin/disputes/ruling/{ruling.pk}/reopen/"
    assert url in page.content.decode()
    assert reviewer_client.get(url).status_code == 200
    res = reviewer_client.post(url, {"reason": ""})
    assert res.status_code == 200 and Ruling.objects.get().reopened_at is None
    res = reviewer_client.post(url, {"reason": "买家补充了新证据"})
    assert res.status_code == 302
    ruling.refresh_from_db()
    assert ruling.reopened_by == reviewer and ruling.reopen_reason == "买家补充了新证据"
    request = fresh(request)
    assert request.status == "escalated"
    event = request.events.order_by("-at", "-pk").first()
    assert event.actor == reviewer and event.side == "reviewer"
    # Agents cannot reach the reviewer's screen.
    assert agent_client.get(url).status_code in (302, 403)
