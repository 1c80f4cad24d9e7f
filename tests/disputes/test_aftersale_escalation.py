"""Escalation (客服介入) and rulings: the merchant is locked out but can still talk, the
agent takes and rules, 先行赔付 deducts the deposit exactly once, reviewers reopen."""

from datetime import timedelta
from decimal import Decimal

import pytest

from common.errors import ApplicationError
from disputes import rules, services
from disputes.models import AfterSaleEvent, Ruling
from payments.models import Payment
from shop.models import DepositEntry
from tests.disputes.aftersale_factories import (
    START,
    deposit_balance,
    escalate_and_take,
    fresh,
    fund_deposit,
    open_request,
    rule,
    signed_order,
    sku_for,
)

pytestmark = pytest.mark.django_db


def test_escalation_locks_the_merchant_but_not_messages_or_evidence(travel, buyer, merchant,
                                                                    sku, return_address):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="return_refund")
    services.after_sale_request_contact(request=request, actor=merchant, message="您好")
    services.after_sale_request_escalate(request=request, actor=buyer, reason="商家不同意")
    request = fresh(request)
    assert request.status == "escalated" and request.escalated_by == "buyer"
    assert request.deadlines() == {"agent_handle_by": START + timedelta(hours=48)}
    assert request.review_by is None and request.contact_by is None
    actions = rules.merchant_actions(request.state)
    assert {a for a, why in actions.items() if why is None} == {"message", "evidence"}
    assert {why for a, why in actions.items() if why} == {"escalated"}
    for call in (
        lambda: services.after_sale_request_approve(request=request, actor=merchant,
                                                    return_required=True),
        lambda: services.after_sale_request_reject(request=request, actor=merchant,
                                                   reason="不行"),
        lambda: services.after_sale_request_propose_offline(request=request, actor=merchant,
                                                            reason="维修"),
        lambda: services.after_sale_request_escalate(request=request, actor=merchant,
                                                     reason="再次"),
    ):
        with pytest.raises(ApplicationError) as refused:
            call()
        assert refused.value.code == "escalated"
    services.after_sale_message_post(request=request, actor=merchant, text="已发货凭证见附件")
    services.after_sale_evidence_add(request=request, actor=merchant, kind="delivery_proof",
                                     note="签收截图")
    assert fresh(request).status == "escalated"


def test_clocks_do_not_fire_while_escalated(travel, buyer, sku):
    from disputes import sweeps

    travel(START)
    request = open_request(signed_order(buyer, sku))
    services.after_sale_request_escalate(request=request, actor=buyer, reason="x")
    later = START + timedelta(days=30)
    assert sweeps.contact_missed(later) == 0 and sweeps.auto_approve(later) == 0


def test_buyer_may_escalate_a_rejection(travel, buyer, merchant, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="refund_only")
    services.after_sale_request_contact(request=request, actor=merchant, message="您好")
    services.after_sale_request_reject(request=request, actor=merchant, reason="已过保")
    services.after_sale_request_escalate(request=request, actor=buyer, reason="没过保")
    request = fresh(request)
    assert request.status == "escalated" and request.closed_at is None


def test_take_and_reassign(travel, buyer, agent, make_user, sku):
    travel(START)
    second = make_user("t_agent_2", "support_agent")
    request = open_request(signed_order(buyer, sku))
    services.after_sale_request_escalate(request=request, actor=buyer, reason="x")
    with pytest.raises(ApplicationError) as not_agent:
        services.after_sale_case_take(request=request, actor=buyer)
    assert not_agent.value.code == "not_agent"
    services.after_sale_case_take(request=request, actor=agent)
    with pytest.raises(ApplicationError) as taken:
        services.after_sale_case_take(request=request, actor=second)
    assert taken.value.code == "taken"
    with pytest.raises(ApplicationError) as not_assigned:
        rule(fresh(request), second)
    assert not_assigned.value.code == "not_assigned"
    services.after_sale_case_assign(request=request, actor=agent, agent=second,
                                    reason="going off shift")
    assert fresh(request).agent == second
    rule(fresh(request), second, outcome="rejected", fault="buyer")
    assert fresh(request).status == "closed"


def test_pay_first_ruling_deducts_the_deposit_exactly_once(travel, buyer, merchant, agent,
                                                           store):
    fund_deposit(store, "500.00")
    travel(START)
    # The gift deduction below needs a line that came with a gift of that marked value.
    order = signed_order(buyer, sku_for(store, gifts="收纳袋", gift_value="5.00"))
    request = open_request(order, kind="refund_only", reason="wrong_or_missing")
    request = escalate_and_take(request, by=buyer, agent=agent)
    ruling = rule(request, agent, outcome="partial_refund", amount="80.00",
                  fault="merchant_wrong_item", platform_pays_first=True, gift_deduction="5.00")
    assert ruling.net_amount == Decimal("75.00") and ruling.platform_pays_first
    request = fresh(request)
    assert request.status == "refunded" and request.payout_amount == Decimal("75.00")
    assert deposit_balance(store) == Decimal("425.00")
    # Whatever runs the money path again (a retry, the same cause) moves nothing.
    services._deposit_deduct(request, Decimal("75.00"), agent, "retry", START)
    from payments.services import payment_payout

    payment_payout(purpose="aftersale.payout", subject_id=request.pk, payee=buyer,
                   amount="75.00", idempotency_key=f"aftersale:{request.pk}:payout",
                   actor=agent, reason="retry")
    assert DepositEntry.objects.filter(kind="deduction").count() == 1
    assert Payment.objects.filter(kind="payout").count() == 1
    assert deposit_balance(store) == Decimal("425.00")
    # The order's own refund total is untouched: the platform paid, the deposit covers it.
    order.refresh_from_db()
    assert order.refunded_amount == 0 and order.status == "signed"
    events = AfterSaleEvent.objects.filter(request=request)
    assert events.filter(data__violation="ruling_merchant_fault").count() == 1


def test_pay_first_only_when_the_merchant_is_at_fault(travel, buyer, agent, sku):
    travel(START)
    request = escalate_and_take(open_request(signed_order(buyer, sku), kind="refund_only"),
                                by=buyer, agent=agent)
    with pytest.raises(ApplicationError) as refused:
        rule(request, agent, fault="buyer", platform_pays_first=True)
    assert refused.value.code == "pay_first_needs_merchant_fault"
    assert not Ruling.objects.exists()


def test_fee_payers_follow_the_rule_unless_overridden_with_a_reason(travel, buyer, agent, sku,
                                                                    return_address):
    travel(START)
    request = escalate_and_take(
        open_request(signed_order(buyer, sku), kind="return_refund", reason="no_reason",
                     goods_intact=True), by=buyer, agent=agent)
    with pytest.raises(ApplicationError) as refused:
        rule(request, agent, fault="none", outcome="full_refund", return_required=True,
             outbound_payer="merchant")
    assert refused.value.code == "override_reason_required"
    ruling = rule(request, agent, fault="none", outcome="full_refund", return_required=True,
                  postage_deduction="6.00")
    assert (ruling.outbound_postage_payer, ruling.return_postage_payer) == ("buyer", "buyer")
    assert ruling.fee_basis == "no_reason_free_shipping" and not ruling.merchant_at_fault
    assert ruling.net_amount == Decimal("94.00")
    assert fresh(request).status == "awaiting_return"


def test_fee_override_is_recorded(travel, buyer, agent, sku, return_address):
    travel(START)
    request = escalate_and_take(
        open_request(signed_order(buyer, sku), kind="return_refund", reason="no_reason",
                     goods_intact=True), by=buyer, agent=agent)
    ruling = rule(request, agent, fault="none", outcome="exchange", outbound_payer="merchant",
                  return_payer="merchant", fee_override_reason="商家承诺包退运费")
    assert ruling.suggested_return_payer == "buyer" and ruling.return_postage_payer == "merchant"
    assert ruling.fee_override_reason == "商家承诺包退运费"
    request = fresh(request)
    assert request.status == "awaiting_return" and request.resolution == "exchange"


def test_ruling_is_final_and_a_reviewer_reopens_it(travel, buyer, merchant, agent, reviewer,
                                                   sku):
    travel(START)
    order = signed_order(buyer, sku)
    request = escalate_and_take(open_request(order, kind="refund_only"), by=buyer, agent=agent)
    ruling = rule(request, agent, outcome="rejected", fault="buyer")
    request = fresh(request)
    assert request.status == "closed" and request.ruled_at is not None
    assert rules.buyer_actions(request.state)["escalate"] == "ruled"
    with pytest.raises(ApplicationError) as final:
        open_request(order, kind="refund_only")
    assert final.value.code == "ruled"
    with pytest.raises(ApplicationError) as agent_cannot:
        services.ruling_reopen(ruling=ruling, actor=agent, reason="x")
    assert agent_cannot.value.code == "not_reviewer"
    travel(START + timedelta(days=1))
    services.ruling_reopen(ruling=ruling, actor=reviewer, reason="证据被遗漏")
    request = fresh(request)
    assert request.status == "escalated" and request.ruled_at is None
    assert request.agent_handle_by == START + timedelta(days=1, hours=48)
    ruling.refresh_from_db()
    assert ruling.reopened_by == reviewer and ruling.reopen_reason == "证据被遗漏"
    with pytest.raises(ApplicationError) as twice:
        services.ruling_reopen(ruling=ruling, actor=reviewer, reason="again")
    assert twice.value.code == "already_reopened"
    second = rule(request, agent, outcome="full_refund", fault="merchant_other")
    assert second.net_amount == Decimal("100.00") and fresh(request).status == "refunded"


def test_a_refund_ruling_after_money_moved_is_refused(travel, buyer, merchant, agent, reviewer,
                                                      sku):
    travel(START)
    request = escalate_and_take(open_request(signed_order(buyer, sku), kind="refund_only"),
                                by=buyer, agent=agent)
    ruling = rule(request, agent, outcome="partial_refund", amount="10", fault="merchant_other")
    services.ruling_reopen(ruling=ruling, actor=reviewer, reason="金额不对")
    with pytest.raises(ApplicationError) as refused:
        rule(fresh(request), agent, outcome="full_refund", fault="merchant_other")
    assert refused.value.code == "already_settled"
    assert Payment.objects.filter(kind="refund").count() == 1
