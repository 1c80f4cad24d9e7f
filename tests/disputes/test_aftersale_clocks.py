"""Every after-sale clock firing on its own, with time travel: nothing a second before,
the move at the deadline, nothing more on a second run."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from common import config, deadlines
from common.errors import ApplicationError
from disputes import services, sweeps
from disputes.models import AfterSaleEvent, AfterSaleRequest
from payments.models import Payment
from shop.models import DepositEntry, Order
from tests.disputes.aftersale_factories import (
    RETURN_ADDRESS,
    START,
    deposit_balance,
    escalate_and_take,
    fresh,
    fund_deposit,
    open_request,
    paid_order,
    refused_and_returned,
    rule,
    signed_order,
)
from tests.shop.order_factories import ship

pytestmark = pytest.mark.django_db
SECOND = timedelta(seconds=1)


def fire(sweep, at):
    """Run a sweep at `at` twice: returns what the first run moved (the second moves 0)."""
    moved = sweep(at)
    assert sweep(at) == 0
    return moved


def violations(request):
    return list(AfterSaleEvent.objects.filter(request=request, data__has_key="violation")
                .values_list("data__violation", flat=True))


def test_every_clock_is_registered():
    assert {
        "aftersale.contact_missed", "aftersale.auto_approve", "aftersale.return_reminder",
        "aftersale.auto_close", "aftersale.auto_receive", "aftersale.reship_overdue",
        "aftersale.refusal_intake", "aftersale.refusal_refund", "aftersale.quality_review",
        "aftersale.agent_overdue",
    } <= set(deadlines.registered())


def test_36h_contact_missed_is_recorded_against_the_merchant(travel, buyer, sku):
    travel(START)
    order = signed_order(buyer, sku)
    request = open_request(order)
    assert sweeps.contact_missed(START + timedelta(hours=36) - SECOND) == 0
    assert fire(sweeps.contact_missed, START + timedelta(hours=36)) == 1
    request = fresh(request)
    assert request.contact_missed and request.status == "pending"
    assert violations(request) == ["contact_missed"]
    missed = request.events.filter(actor=None, from_status="pending", to_status="pending",
                                   data={})
    assert missed.count() == 1 and missed.get().at == START + timedelta(hours=36)


def test_contact_in_time_stops_the_36h_clock(travel, buyer, merchant, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku))
    travel(START + timedelta(hours=35))
    services.after_sale_request_contact(request=request, actor=merchant, message="您好")
    assert sweeps.contact_missed(START + timedelta(hours=37)) == 0
    assert not fresh(request).contact_missed


def test_72h_without_review_approves_a_return_with_the_last_address(travel, buyer, merchant,
                                                                    store, sku,
                                                                    return_address):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="return_refund")
    newer = dict(RETURN_ADDRESS, detail="新仓库 8 号")
    travel(START + timedelta(hours=1))
    services.merchant_return_address_set(store=store, actor=merchant, address=newer)
    deadline = START + timedelta(hours=72)
    assert sweeps.auto_approve(deadline - SECOND) == 0
    assert fire(sweeps.auto_approve, deadline) == 1
    request = fresh(request)
    assert request.status == "awaiting_return" and request.return_address == newer
    assert request.buyer_ship_by == deadline + timedelta(days=3)
    event = request.events.order_by("-at", "-pk").first()
    assert event.actor is None and event.to_status == "awaiting_return"


def test_72h_without_review_refunds_a_refund_only_request(travel, buyer, sku):
    travel(START)
    order = paid_order(buyer, sku)
    request = open_request(order, kind="refund_only", reason="no_reason")
    assert fire(sweeps.auto_approve, START + timedelta(hours=72)) == 1
    request = fresh(request)
    assert request.status == "refunded" and request.refunded_amount == Decimal("100.00")
    assert Payment.objects.filter(kind="refund", reference=f"order:{order.pk}").count() == 1
    assert Order.objects.get(pk=order.pk).status == "closed"


def test_72h_auto_approval_without_a_return_address_goes_to_support(travel, buyer, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="exchange", reason="quality")
    assert fire(sweeps.auto_approve, START + timedelta(hours=72)) == 1
    request = fresh(request)
    assert request.status == "escalated" and request.escalated_by == "system"
    assert request.agent_handle_by == START + timedelta(hours=72 + 48)


def _approved(travel, buyer, merchant, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="return_refund")
    services.after_sale_request_approve(request=request, actor=merchant, return_required=True)
    return fresh(request)


def test_3_day_reminder_then_10_day_close_without_a_waybill(travel, buyer, merchant, sku,
                                                            return_address):
    request = _approved(travel, buyer, merchant, sku)
    assert sweeps.return_reminder(START + timedelta(days=3) - SECOND) == 0
    assert fire(sweeps.return_reminder, START + timedelta(days=3)) == 1
    assert fresh(request).ship_reminded and fresh(request).status == "awaiting_return"
    assert sweeps.auto_close(START + timedelta(days=10) - SECOND) == 0
    assert fire(sweeps.auto_close, START + timedelta(days=10)) == 1
    request = fresh(request)
    assert request.status == "closed" and request.closed_at == START + timedelta(days=10)
    assert request.deadlines() == {} and request.auto_close_at is None
    assert Payment.objects.filter(kind="refund").count() == 0


def test_a_waybill_stops_the_close_clock(travel, buyer, merchant, sku, return_address):
    request = _approved(travel, buyer, merchant, sku)
    travel(START + timedelta(days=9))
    services.after_sale_request_ship_return(request=request, actor=buyer, courier="SF",
                                            waybill_number="SF000111222")
    assert sweeps.auto_close(START + timedelta(days=11)) == 0
    assert sweeps.return_reminder(START + timedelta(days=11)) == 0


def test_10_days_after_the_waybill_the_refund_is_made(travel, buyer, merchant, sku,
                                                      return_address):
    request = _approved(travel, buyer, merchant, sku)
    shipped = travel(START + timedelta(days=2))
    services.after_sale_request_ship_return(request=request, actor=buyer, courier="SF",
                                            waybill_number="SF000111222")
    assert sweeps.auto_receive(shipped + timedelta(days=10) - SECOND) == 0
    assert fire(sweeps.auto_receive, shipped + timedelta(days=10)) == 1
    request = fresh(request)
    assert request.status == "refunded" and request.refunded_amount == Decimal("100.00")
    payment = Payment.objects.get(kind="refund")
    assert payment.idempotency_key == f"aftersale:{request.pk}:refund"


def test_48h_reship_overdue_is_recorded(travel, buyer, merchant, sku, return_address):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="exchange", reason="quality")
    services.after_sale_request_approve(request=request, actor=merchant, return_required=True)
    services.after_sale_request_ship_return(request=request, actor=buyer, courier="SF",
                                            waybill_number="SF000111222")
    received = travel(START + timedelta(days=1))
    services.after_sale_request_confirm_receipt(request=request, actor=merchant)
    assert sweeps.reship_overdue(received + timedelta(hours=48) - SECOND) == 0
    assert fire(sweeps.reship_overdue, received + timedelta(hours=48)) == 1
    request = fresh(request)
    assert request.reship_overdue and request.status == "awaiting_reship"
    assert violations(request) == ["reship_overdue"]
    # The merchant can still ship the replacement late.
    travel(received + timedelta(hours=50))
    services.after_sale_request_reship(request=request, actor=merchant, courier="SF",
                                       waybill_number="SF333444555")
    assert fresh(request).status == "exchanged"


def test_48h_refusal_refund_on_the_buyers_request(travel, buyer, sku):
    travel(START)
    order = ship(paid_order(buyer, sku))
    request = open_request(order, kind="refund_only", reason="not_received")
    refused_at = START + timedelta(hours=20)
    refused_and_returned(order, at=refused_at)
    back = refused_at + timedelta(hours=1)
    travel(back + timedelta(minutes=5))
    assert fire(sweeps.refusal_intake, timezone.now()) == 1
    request = fresh(request)
    assert request.refusal_refund_by == back + timedelta(hours=48)
    assert request.refusal_tracking.kind == "returned"
    assert sweeps.refusal_refund(back + timedelta(hours=48) - SECOND) == 0
    assert fire(sweeps.refusal_refund, back + timedelta(hours=48)) == 1
    request = fresh(request)
    assert request.status == "refunded" and request.refunded_amount == Decimal("100.00")
    order.refresh_from_db()
    assert order.status == "closed"


def test_refused_parcel_without_a_request_gets_one_from_the_system(travel, buyer, sku):
    travel(START)
    order = ship(paid_order(buyer, sku))
    refused_and_returned(order, at=START + timedelta(hours=20))
    back = START + timedelta(hours=21)
    assert sweeps.refusal_intake(back - SECOND) == 0  # not back yet
    assert fire(sweeps.refusal_intake, back) == 1
    request = AfterSaleRequest.objects.get(order=order)
    assert request.opened_by_system and request.kind == "refund_only"
    assert request.buyer == buyer and request.amount == Decimal("100.00")
    assert request.deadlines() == {"refusal_refund_by": back + timedelta(hours=48)}
    assert fire(sweeps.refusal_refund, back + timedelta(hours=48)) == 1
    assert fresh(request).status == "refunded"
    # Nothing more: the order is refunded, the tracking event noted.
    assert sweeps.refusal_intake(back + timedelta(days=5)) == 0


def test_agents_own_handling_clock_is_flagged(travel, buyer, merchant, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku))
    services.after_sale_request_escalate(request=request, actor=buyer, reason="商家不理")
    assert fire(sweeps.agent_overdue, START + timedelta(hours=48)) == 1
    assert fresh(request).agent_overdue


def test_agent_handling_time_is_configuration(travel, buyer, sku):
    config.set_value("aftersale.agent_handle_hours", 24)
    travel(START)
    request = open_request(signed_order(buyer, sku))
    services.after_sale_request_escalate(request=request, actor=buyer, reason="商家不理")
    assert fresh(request).agent_handle_by == START + timedelta(hours=24)


def test_quality_ruling_unreviewed_48h_platform_pays_from_the_deposit(
        travel, buyer, merchant, agent, store, sku, return_address):
    fund_deposit(store)
    travel(START)
    order = signed_order(buyer, sku)
    request = open_request(order, kind="return_refund", reason="quality")
    request = escalate_and_take(request, by=buyer, agent=agent)
    ruled = travel(START + timedelta(hours=5))
    ruling = rule(request, agent, outcome="full_refund", return_required=True,
                  fault="merchant_quality")
    assert ruling.merchant_at_fault and ruling.net_amount == Decimal("100.00")
    request = fresh(request)
    assert request.status == "ruling_review"
    assert request.quality_review_by == ruled + timedelta(hours=48)
    assert sweeps.quality_review(ruled + timedelta(hours=48) - SECOND) == 0
    assert fire(sweeps.quality_review, ruled + timedelta(hours=48)) == 1
    request = fresh(request)
    assert request.status == "awaiting_return" and request.platform_pays
    assert request.return_address == RETURN_ADDRESS
    travel(ruled + timedelta(days=3))
    services.after_sale_request_ship_return(request=request, actor=buyer, courier="SF",
                                            waybill_number="SF000111222")
    services.after_sale_request_confirm_receipt(request=request, actor=merchant)
    request = fresh(request)
    assert request.status == "refunded" and request.payout_amount == Decimal("100.00")
    assert request.refunded_amount == 0
    payout = Payment.objects.get(kind="payout")
    assert payout.payee == buyer and payout.amount == Decimal("100.00")
    assert payout.idempotency_key == f"aftersale:{request.pk}:payout"
    deduction = DepositEntry.objects.get(kind="deduction")
    assert deduction.cause_id == str(request.pk) and deduction.amount == Decimal("-100.00")
    assert deposit_balance(store) == Decimal("900.00")
    assert violations(request) == ["ruling_merchant_fault"]
    # What was paid out first can no longer be asked back for the line.
    with pytest.raises(ApplicationError) as refused:
        open_request(order, kind="refund_only", reason="quality")
    assert refused.value.code == "nothing_left"


def test_merchant_reviewing_a_quality_ruling_in_time_refunds_normally(
        travel, buyer, merchant, agent, sku, return_address):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="return_refund", reason="quality")
    request = escalate_and_take(request, by=buyer, agent=agent)
    rule(request, agent, outcome="full_refund", return_required=True, fault="merchant_quality")
    travel(START + timedelta(hours=10))
    services.after_sale_request_accept_ruling(request=request, actor=merchant)
    request = fresh(request)
    assert request.status == "awaiting_return" and not request.platform_pays
    assert sweeps.quality_review(START + timedelta(days=5)) == 0


def test_exchange_not_confirmed_in_10_days_goes_to_reshipping(travel, buyer, merchant, sku,
                                                              return_address):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="exchange", reason="quality")
    services.after_sale_request_approve(request=request, actor=merchant, return_required=True)
    services.after_sale_request_ship_return(request=request, actor=buyer, courier="SF",
                                            waybill_number="SF000111222")
    assert fire(sweeps.auto_receive, START + timedelta(days=10)) == 1
    request = fresh(request)
    assert request.status == "awaiting_reship"
    assert request.reship_by == START + timedelta(days=10, hours=48)
    assert Payment.objects.filter(kind="refund").count() == 0


def test_refused_parcel_with_an_escalated_request_is_noted_for_the_agent(travel, buyer, sku):
    travel(START)
    order = ship(paid_order(buyer, sku))
    request = open_request(order, kind="refund_only", reason="not_received")
    services.after_sale_request_escalate(request=request, actor=buyer, reason="没收到")
    refused_and_returned(order, at=START + timedelta(hours=5))
    assert fire(sweeps.refusal_intake, START + timedelta(hours=7)) == 1
    request = fresh(request)
    assert request.status == "escalated" and request.refusal_refund_by is None
    assert request.refusal_tracking is not None
    assert request.events.filter(data__has_key="tracking").count() == 1
    assert AfterSaleRequest.objects.filter(order=order).count() == 1


def test_store_has_open_cases(travel, buyer, merchant, store, sku):
    from disputes.selectors import store_has_open_cases

    travel(START)
    assert not store_has_open_cases(store)
    request = open_request(signed_order(buyer, sku), kind="refund_only")
    assert store_has_open_cases(store)
    services.after_sale_request_escalate(request=request, actor=buyer, reason="x")
    assert store_has_open_cases(store)
    services.after_sale_request_cancel(request=request, actor=buyer)
    assert not store_has_open_cases(store)


def test_enforce_deadlines_runs_the_after_sale_sweeps(travel, buyer, sku):
    from common.tasks import enforce_deadlines

    travel(START)
    request = open_request(signed_order(buyer, sku))
    travel(START + timedelta(hours=36))
    result = enforce_deadlines()
    assert result["aftersale.contact_missed"] == 1 and fresh(request).contact_missed
    assert enforce_deadlines()["aftersale.contact_missed"] == 0
