"""Each after-sale path end to end through the services, with time travel: refund only,
return and refund, exchange, rejection then a new request, cancelling, offline agreement."""

from datetime import timedelta
from decimal import Decimal

import pytest

from common.errors import ApplicationError
from disputes import services
from disputes.models import AfterSaleEvent, AfterSaleRequest
from payments.models import Payment
from shop.models import Order, OrderLine
from tests.disputes.aftersale_factories import (
    RETURN_ADDRESS,
    START,
    fresh,
    open_request,
    paid_order,
    signed_order,
    sku_for,
)

pytestmark = pytest.mark.django_db


def refunds(order):
    return list(Payment.objects.filter(reference=f"order:{order.pk}", kind="refund").order_by("pk"))


def test_refund_only_approved_refunds_once_and_closes_the_unshipped_order(
        travel, buyer, merchant, store, return_address):
    travel(START)
    sku = sku_for(store, free_shipping=False, shipping_fee="8.00")
    order = paid_order(buyer, sku)
    assert order.paid_amount == Decimal("108.00")
    request = open_request(order, kind="refund_only", reason="no_reason")
    assert request.status == "pending" and request.amount == Decimal("100.00")
    assert request.contact_by == START + timedelta(hours=36)
    assert request.review_by == START + timedelta(hours=72)

    travel(START + timedelta(hours=2))
    services.after_sale_request_approve(request=request, actor=merchant, return_required=False)
    request = fresh(request)
    assert request.status == "refunded" and request.refunded_amount == Decimal("100.00")
    assert request.deadlines() == {} and request.closed_at == START + timedelta(hours=2)
    paid = refunds(order)
    assert [p.idempotency_key for p in paid] == [f"aftersale:{request.pk}:refund",
                                                 f"aftersale:order:{order.pk}:postage"]
    assert [p.amount for p in paid] == [Decimal("100.00"), Decimal("8.00")]
    order.refresh_from_db()
    assert order.status == "closed" and order.refunded_amount == Decimal("108.00")
    assert OrderLine.objects.get(order=order).refunded_amount == Decimal("100.00")
    # A second approval is refused; no second refund.
    with pytest.raises(ApplicationError):
        services.after_sale_request_approve(request=request, actor=merchant,
                                            return_required=False)
    assert len(refunds(order)) == 2


def test_return_and_refund_through_waybill_and_receipt(travel, buyer, merchant, sku,
                                                       return_address):
    travel(START)
    order = signed_order(buyer, sku)
    request = open_request(order, kind="return_refund", reason="quality", amount="60.00")

    travel(START + timedelta(hours=1))
    services.after_sale_request_contact(request=request, actor=merchant, message="您好，请退回")
    request = fresh(request)
    assert request.contacted_at and request.contact_by is None
    services.after_sale_request_approve(request=request, actor=merchant, return_required=True)
    request = fresh(request)
    assert request.status == "awaiting_return"
    assert request.return_address == RETURN_ADDRESS
    assert request.buyer_ship_by == START + timedelta(hours=1, days=3)
    assert request.auto_close_at == START + timedelta(hours=1, days=10)
    assert request.review_by is None

    travel(START + timedelta(days=1))
    services.after_sale_request_ship_return(request=request, actor=buyer, courier="sf",
                                            waybill_number="SF1234567890")
    request = fresh(request)
    assert request.status == "returning" and request.return_waybill == "SF1234567890"
    assert request.receive_by == START + timedelta(days=11) and request.auto_close_at is None

    travel(START + timedelta(days=3))
    services.after_sale_request_confirm_receipt(request=request, actor=merchant)
    request = fresh(request)
    assert request.status == "refunded" and request.refunded_amount == Decimal("60.00")
    assert request.received_at == START + timedelta(days=3)
    assert [p.amount for p in refunds(order)] == [Decimal("60.00")]
    order.refresh_from_db()
    # A partial refund leaves the order as it was.
    assert order.status == "signed" and order.refunded_amount == Decimal("60.00")
    timeline = [(e.from_status, e.to_status) for e in request.events.order_by("at", "pk")]
    assert timeline == [("", "pending"), ("pending", "pending"), ("pending", "awaiting_return"),
                        ("awaiting_return", "returning"), ("returning", "refunded")]


def test_full_return_of_a_delivered_order_closes_it(travel, buyer, merchant, sku,
                                                    return_address):
    travel(START)
    order = signed_order(buyer, sku)
    request = open_request(order, kind="return_refund", reason="no_reason", goods_intact=True)
    services.after_sale_request_approve(request=request, actor=merchant, return_required=True)
    services.after_sale_request_ship_return(request=request, actor=buyer, courier="ZTO",
                                            waybill_number="ZTO99887766")
    services.after_sale_request_confirm_receipt(request=request, actor=merchant)
    order.refresh_from_db()
    assert order.status == "closed" and order.refunded_amount == Decimal("100.00")


def test_exchange_is_returned_received_and_reshipped_without_money(travel, buyer, merchant, sku,
                                                                  return_address):
    travel(START)
    order = signed_order(buyer, sku)
    request = open_request(order, kind="exchange", reason="wrong_or_missing")
    assert request.amount == 0 and request.resolution == "exchange"
    with pytest.raises(ApplicationError) as refused:
        services.after_sale_request_approve(request=request, actor=merchant,
                                            return_required=False)
    assert refused.value.code == "wrong_kind"
    services.after_sale_request_approve(request=request, actor=merchant, return_required=True)
    services.after_sale_request_ship_return(request=request, actor=buyer, courier="YTO",
                                            waybill_number="YT20250602")
    travel(START + timedelta(days=2))
    services.after_sale_request_confirm_receipt(request=request, actor=merchant)
    request = fresh(request)
    assert request.status == "awaiting_reship"
    assert request.reship_by == START + timedelta(days=2, hours=48)
    services.after_sale_request_reship(request=request, actor=merchant, courier="SF",
                                       waybill_number="SF5556667778")
    request = fresh(request)
    assert request.status == "exchanged" and request.reship_waybill == "SF5556667778"
    assert refunds(order) == []


def test_reject_needs_contact_first_and_a_new_request_may_follow(travel, buyer, merchant, sku):
    travel(START)
    order = signed_order(buyer, sku)
    request = open_request(order, kind="refund_only", reason="quality")
    with pytest.raises(ApplicationError) as refused:
        services.after_sale_request_reject(request=request, actor=merchant, reason="无质量问题")
    assert refused.value.code == "contact_first"
    with pytest.raises(ApplicationError) as blank:
        services.after_sale_request_contact(request=request, actor=merchant, message="  ")
    assert blank.value.code == "required"
    services.after_sale_request_contact(request=request, actor=merchant, message="请提供照片")
    services.after_sale_request_reject(request=request, actor=merchant, reason="无质量问题")
    request = fresh(request)
    assert request.status == "rejected" and request.rejection_reason == "无质量问题"
    assert request.deadlines() == {}
    second = open_request(order, kind="refund_only", reason="quality")
    assert second.pk != request.pk and second.status == "pending"


def test_one_open_request_per_line_and_amount_capped(travel, buyer, merchant, sku):
    travel(START)
    order = signed_order(buyer, sku)
    with pytest.raises(ApplicationError) as too_much:
        open_request(order, kind="refund_only", reason="quality", amount="100.01")
    assert too_much.value.code == "amount_too_large" and too_much.value.extra == {"max": "100.00"}
    with pytest.raises(ApplicationError) as zero:
        open_request(order, kind="refund_only", reason="quality", amount="0")
    assert zero.value.code == "invalid_amount"
    open_request(order, kind="refund_only", reason="quality", amount="30")
    with pytest.raises(ApplicationError) as twice:
        open_request(order, kind="refund_only", reason="quality")
    assert twice.value.code == "already_open"
    assert AfterSaleRequest.objects.count() == 1


def test_amount_left_after_an_earlier_refund(travel, buyer, merchant, sku):
    travel(START)
    order = signed_order(buyer, sku)
    first = open_request(order, kind="refund_only", reason="quality", amount="30")
    services.after_sale_request_approve(request=first, actor=merchant, return_required=False)
    with pytest.raises(ApplicationError) as refused:
        open_request(order, kind="refund_only", reason="quality", amount="70.01")
    assert refused.value.extra == {"max": "70.00"}
    assert open_request(order, kind="refund_only", reason="quality").amount == Decimal("70.00")


def test_who_may_open(travel, buyer, other_buyer, merchant, sku, make_user):
    travel(START)
    order = signed_order(buyer, sku)
    line = order.lines.get()
    with pytest.raises(ApplicationError) as not_yours:
        services.after_sale_request_open(line=line, actor=other_buyer, kind="refund_only",
                                         reason="quality")
    assert not_yours.value.code == "not_yours"
    unpaid_order = Order.objects.create(
        number="X1", buyer=buyer, store=order.store, goods_amount=1, total_amount=1,
        address={})
    unpaid = OrderLine.objects.create(order=unpaid_order, sku=line.sku, product=line.product,
                                      title="t", unit_price=1, quantity=1, amount=1)
    with pytest.raises(ApplicationError) as unpaid_refused:
        services.after_sale_request_open(line=unpaid, actor=buyer, kind="refund_only",
                                         reason="quality")
    assert unpaid_refused.value.code == "order_not_paid"


def test_return_needs_shipment(travel, buyer, sku):
    travel(START)
    order = paid_order(buyer, sku)
    with pytest.raises(ApplicationError) as refused:
        open_request(order, kind="return_refund", reason="quality")
    assert refused.value.code == "not_shipped"


def test_no_reason_return_needs_support_and_intact_goods(travel, buyer, store):
    travel(START)
    no_return = sku_for(store, supports_seven_day_return=False)
    order = signed_order(buyer, no_return)
    with pytest.raises(ApplicationError) as unsupported:
        open_request(order, kind="return_refund", reason="no_reason", goods_intact=True)
    assert unsupported.value.code == "no_seven_day"
    order = signed_order(buyer, sku_for(store))
    with pytest.raises(ApplicationError) as not_intact:
        open_request(order, kind="return_refund", reason="no_reason", goods_intact=False)
    assert not_intact.value.code == "goods_not_intact"


@pytest.mark.parametrize("offset, ok", [
    # Signed Monday 2 June 10:00; day 1 is Tuesday 3 June, day 7 is Monday 9 June.
    (timedelta(days=7, hours=13, minutes=59, seconds=59), True),  # 9 June 23:59:59
    (timedelta(days=7, hours=14), False),  # 10 June 00:00:00
])
def test_seven_day_window_edges_when_opening(travel, buyer, store, offset, ok):
    travel(START)
    order = signed_order(buyer, sku_for(store))
    travel(START + offset)
    if ok:
        assert open_request(order, kind="return_refund", reason="no_reason",
                            goods_intact=True).status == "pending"
    else:
        with pytest.raises(ApplicationError) as refused:
            open_request(order, kind="return_refund", reason="no_reason", goods_intact=True)
        assert refused.value.code == "seven_day_window_over"


def test_buyer_cancels_and_offline_agreement(travel, buyer, merchant, sku, return_address):
    travel(START)
    order = signed_order(buyer, sku)
    request = open_request(order, kind="return_refund", reason="quality")
    services.after_sale_request_propose_offline(request=request, actor=merchant,
                                                reason="上门维修")
    with pytest.raises(ApplicationError) as twice:
        services.after_sale_request_propose_offline(request=request, actor=merchant,
                                                    reason="再来一次")
    assert twice.value.code == "already_proposed"
    services.after_sale_request_cancel(request=request, actor=buyer)
    request = fresh(request)
    assert request.status == "cancelled"
    last = request.events.order_by("-at", "-pk").first()
    assert "offline" in last.reason_display or "线下" in last.reason_display
    assert request.messages.filter(side="merchant").count() == 1


def test_strangers_cannot_act(travel, buyer, other_buyer, merchant, other_merchant, sku):
    travel(START)
    order = signed_order(buyer, sku)
    request = open_request(order, kind="refund_only", reason="quality")
    for call in (
        lambda: services.after_sale_request_contact(request=request, actor=other_merchant,
                                                    message="hi"),
        lambda: services.after_sale_request_approve(request=request, actor=other_merchant,
                                                    return_required=False),
        lambda: services.after_sale_request_cancel(request=request, actor=other_buyer),
        lambda: services.after_sale_request_escalate(request=request, actor=other_buyer,
                                                     reason="x"),
        lambda: services.after_sale_message_post(request=request, actor=other_merchant,
                                                 text="x"),
        # the buyer cannot do the merchant's moves and the other way round
        lambda: services.after_sale_request_approve(request=request, actor=buyer,
                                                    return_required=False),
        lambda: services.after_sale_request_cancel(request=request, actor=merchant),
    ):
        with pytest.raises(ApplicationError) as refused:
            call()
        assert refused.value.code == "not_yours"
    assert fresh(request).status == "pending"
    assert AfterSaleEvent.objects.filter(request=request).count() == 1
