"""A ruling settles its item and money is claimed once; a no-reason refund needs the goods
back once they are signed for, and what the 72 h review clock does with refund-only
requests; agents cannot handle their own cases."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group

from common import roles
from common.errors import ApplicationError
from disputes import presentation, rules, services, sweeps
from disputes.models import AfterSaleRequest
from payments.models import Payment
from shop.models import Order
from shop.services.orders import order_place
from tests.disputes.aftersale_factories import (
    START,
    deposit_balance,
    escalate_and_take,
    fresh,
    fund_deposit,
    open_request,
    paid_order,
    rule,
    signed_order,
    sku_for,
)
from tests.shop.order_factories import ADDRESS, pay, ship, sign

pytestmark = pytest.mark.django_db
REVIEW = timedelta(hours=72)


def refunds():
    return Payment.objects.filter(kind="refund").count()


# --- 1. a ruling is final; nothing is claimed twice ------------------------------------------
def test_after_a_partial_refund_ruling_no_new_request_can_claim_the_rest(travel, buyer, agent,
                                                                          store):
    travel(START)
    order = signed_order(buyer, sku_for(store, gifts="收纳袋", gift_value="10.00"))
    request = escalate_and_take(open_request(order, kind="refund_only", reason="quality"),
                                by=buyer, agent=agent)
    ruling = rule(request, agent, outcome="partial_refund", amount="60.00",
                  gift_deduction="10.00", fault="merchant_quality")
    assert ruling.net_amount == Decimal("50.00")
    assert fresh(request).refunded_amount == Decimal("50.00")
    for kind in ("refund_only", "exchange", "return_refund"):
        with pytest.raises(ApplicationError) as refused:
            open_request(order, kind=kind, reason="quality")
        assert refused.value.code == "ruled"
    # Nothing is pending, so the 72 h clock has nothing to refund.
    assert sweeps.auto_approve(START + REVIEW) == 0
    assert refunds() == 1 and AfterSaleRequest.objects.count() == 1


def test_after_a_full_pay_first_ruling_an_exchange_is_refused(travel, buyer, agent, store, sku,
                                                              return_address):
    fund_deposit(store)
    travel(START)
    order = signed_order(buyer, sku)
    request = escalate_and_take(open_request(order, kind="refund_only",
                                             reason="wrong_or_missing"), by=buyer, agent=agent)
    rule(request, agent, outcome="full_refund", fault="merchant_wrong_item",
         platform_pays_first=True)
    assert fresh(request).payout_amount == Decimal("100.00")
    with pytest.raises(ApplicationError) as refused:
        open_request(order, kind="exchange", reason="quality")
    assert refused.value.code == "nothing_left"
    assert sweeps.auto_approve(START + REVIEW) == 0
    assert AfterSaleRequest.objects.count() == 1
    assert deposit_balance(store) == Decimal("900.00")


def test_an_exchange_needs_something_left_to_refund_on_the_line(travel, buyer, merchant,
                                                                store):
    travel(START)
    first, second = sku_for(store), sku_for(store)
    order = order_place(actor=buyer, address=ADDRESS, items=[
        {"sku": first.pk, "quantity": 1}, {"sku": second.pk, "quantity": 1}])
    order = sign(ship(pay(order)), at=START)
    line = order.lines.get(sku=first)
    refunded = services.after_sale_request_open(line=line, actor=buyer, kind="refund_only",
                                                reason="quality")
    services.after_sale_request_approve(request=refunded, actor=merchant,
                                        return_required=False)
    assert Order.objects.get(pk=order.pk).status == "signed"  # the other line is unrefunded
    with pytest.raises(ApplicationError) as refused:
        services.after_sale_request_open(line=line, actor=buyer, kind="exchange",
                                         reason="quality")
    assert refused.value.code == "nothing_left"
    # The other line can still be exchanged.
    other = services.after_sale_request_open(line=order.lines.get(sku=second), actor=buyer,
                                             kind="exchange", reason="quality")
    assert other.status == "pending" and other.amount == 0


def test_after_a_reviewer_reopens_the_ruling_the_case_goes_on_and_still_no_second_request(
        travel, buyer, agent, reviewer, sku):
    travel(START)
    order = signed_order(buyer, sku)
    request = escalate_and_take(open_request(order, kind="refund_only"), by=buyer, agent=agent)
    ruling = rule(request, agent, outcome="partial_refund", amount="30",
                  fault="merchant_other")
    services.ruling_reopen(ruling=ruling, actor=reviewer, reason="金额需复核")
    with pytest.raises(ApplicationError) as refused:
        open_request(order, kind="refund_only")
    assert refused.value.code == "already_open"  # the reopened case itself is open again


# --- 3. no-reason refund only on signed goods; what 72 h does to refund-only requests --------
def test_no_reason_refund_only_is_refused_once_the_goods_are_signed(travel, buyer, sku):
    travel(START)
    order = signed_order(buyer, sku)
    with pytest.raises(ApplicationError) as refused:
        open_request(order, kind="refund_only", reason="no_reason", goods_intact=True)
    assert refused.value.code == "no_reason_needs_return" and refused.value.field == "kind"
    # The no-reason return itself is offered, and refund only stays for other reasons.
    assert open_request(order, kind="return_refund", reason="no_reason",
                        goods_intact=True).status == "pending"


def test_no_reason_refund_only_before_shipping_is_still_offered(travel, buyer, sku):
    travel(START)
    request = open_request(paid_order(buyer, sku), kind="refund_only", reason="no_reason")
    assert request.status == "pending"


@pytest.mark.parametrize("reason", ["quality", "wrong_or_missing", "gift", "other",
                                    "no_reason"])
def test_72h_on_a_refund_only_request_for_signed_goods_goes_to_support(travel, buyer, merchant,
                                                                      sku, reason):
    travel(START)
    order = signed_order(buyer, sku)
    request = open_request(order, kind="refund_only", reason="quality")
    if reason != "quality":
        # Also what happens to one opened before no-reason refund only was refused.
        AfterSaleRequest.objects.filter(pk=request.pk).update(reason=reason)
    assert sweeps.auto_approve(START + REVIEW - timedelta(seconds=1)) == 0
    assert sweeps.auto_approve(START + REVIEW) == 1
    assert sweeps.auto_approve(START + REVIEW) == 0
    request = fresh(request)
    assert request.status == "escalated" and request.escalated_by == "system"
    assert request.escalation_reason == "review_timeout"
    assert request.agent_handle_by == START + REVIEW + timedelta(hours=48)
    assert request.refunded_amount == 0 and refunds() == 0
    assert request.escalation_reason_label == str(rules.SYSTEM_ESCALATIONS["review_timeout"])


def test_72h_refunds_a_refund_only_request_for_goods_not_received(travel, buyer, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="refund_only", reason="not_received")
    assert sweeps.auto_approve(START + REVIEW) == 1
    request = fresh(request)
    assert request.status == "refunded" and request.refunded_amount == Decimal("100.00")


def test_72h_refunds_a_refund_only_request_while_the_goods_are_in_transit(travel, buyer, sku):
    travel(START)
    request = open_request(ship(paid_order(buyer, sku)), kind="refund_only", reason="other")
    assert sweeps.auto_approve(START + REVIEW) == 1
    assert fresh(request).status == "refunded" and refunds() == 1


REASONS = ("no_reason", "quality", "not_received", "wrong_or_missing", "gift", "other")


@pytest.mark.parametrize("kind", ["refund_only", "return_refund", "exchange"])
@pytest.mark.parametrize("reason", REASONS)
@pytest.mark.parametrize("signed", [False, True])
def test_auto_approve_action_table(kind, reason, signed):
    got = rules.auto_approve_action(kind=kind, reason=reason, goods_signed=signed)
    if kind != "refund_only":
        assert got == "send_back"
    elif reason == "not_received" or not signed:
        assert got == "refund"
    else:
        assert got == "escalate"


def test_the_review_countdown_says_what_happens_at_72h(travel, buyer, merchant, sku):
    travel(START)
    signed = fresh(open_request(signed_order(buyer, sku), kind="refund_only", reason="quality"))
    labels = [str(label) for _name, label, _at in presentation.deadline_rows(signed)]
    assert str(presentation.REVIEW_ESCALATES_LABEL) in labels
    unshipped = fresh(open_request(paid_order(buyer, sku), kind="refund_only",
                                   reason="no_reason"))
    labels = [str(label) for _name, label, _at in presentation.deadline_rows(unshipped)]
    assert str(presentation.CLOCK_LABELS["review_by"]) in labels


# --- 5. an agent cannot take, be given or rule their own case --------------------------------
def _make_agent(user):
    roles.sync_role_groups()
    user.groups.add(Group.objects.get(name=roles.AGENT))
    return user


@pytest.mark.parametrize("party", ["buyer", "merchant"])
def test_an_agent_cannot_take_or_be_assigned_their_own_case(travel, buyer, merchant, agent, sku,
                                                            party):
    travel(START)
    request = open_request(signed_order(buyer, sku))
    services.after_sale_request_escalate(request=request, actor=buyer, reason="不同意")
    party_agent = _make_agent(buyer if party == "buyer" else merchant)
    with pytest.raises(ApplicationError) as take:
        services.after_sale_case_take(request=request, actor=party_agent)
    assert take.value.code == "own_case"
    services.after_sale_case_take(request=request, actor=agent)
    with pytest.raises(ApplicationError) as assign:
        services.after_sale_case_assign(request=request, actor=agent, agent=party_agent,
                                        reason="x")
    assert assign.value.code == "own_case" and assign.value.field == "agent"
    assert fresh(request).agent == agent


@pytest.mark.parametrize("party", ["buyer", "merchant"])
def test_an_agent_cannot_rule_their_own_case(travel, buyer, merchant, sku, party):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="refund_only")
    services.after_sale_request_escalate(request=request, actor=buyer, reason="不同意")
    party_agent = _make_agent(buyer if party == "buyer" else merchant)
    # Assigned before the guard existed (or behind its back): the ruling is still refused.
    AfterSaleRequest.objects.filter(pk=request.pk).update(agent=party_agent)
    with pytest.raises(ApplicationError) as refused:
        rule(fresh(request), party_agent, fault="merchant_other")
    assert refused.value.code == "own_case"
    assert fresh(request).status == "escalated" and refunds() == 0
