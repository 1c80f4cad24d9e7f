"""Support agents: taking and handing over cases, fees, rulings and reopening."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from common import roles
from common.errors import ApplicationError
from common.money import ZERO, to_money
from common.reasons import Label
from disputes import rules, selectors
from disputes.models import (
    AfterSaleRequest,
    Ruling,
    Side,
)
from disputes.notifications import notify_aftersale_ruled
from disputes.reasons import R
from disputes.services.refunds import (
    _refund_now,
    _send_back,
)
from disputes.services.requests import (
    _return_address_or_none,
)
from disputes.services.transitions import (
    _note,
    _record_violation,
    _text,
    after_sale_request_lock,
    after_sale_request_transition,
)
from shop.models import TrackingEvent

Kind = AfterSaleRequest.Kind



# --- support agents -------------------------------------------------------------------------
def _require_agent(actor) -> None:
    if not roles.has_role(actor, roles.AGENT):
        raise ApplicationError(_("Only support agents can do this."), code="not_agent")


def _require_impartial(request: AfterSaleRequest, agent, *, field: str | None = None) -> None:
    """An agent who is the buyer or the store's merchant cannot handle the case."""
    if agent.pk in (request.buyer_id, request.store.merchant_id):
        raise ApplicationError(
            _("An agent cannot handle a case they are a party to (the buyer or the "
              "merchant)."), code="own_case", field=field)


def after_sale_case_take(*, request, actor, now: datetime | None = None) -> AfterSaleRequest:
    """An agent takes an unassigned escalated case (first come, first served)."""
    now = now or timezone.now()
    _require_agent(actor)
    with transaction.atomic():
        request = after_sale_request_lock(request)
        if request.status != rules.ESCALATED:
            raise ApplicationError(_("This case is not waiting for support."),
                                   code="bad_state")
        if request.agent_id is not None:
            raise ApplicationError(_("Another agent has already taken this case."),
                                   code="taken")
        _require_impartial(request, actor)
        _note(request, actor=actor, side=Side.AGENT, now=now,
              reason=R("taken", agent=actor.get_username()),
              fields={"agent": actor})
    return request


HAND_OVER_REFUSALS = {
    "already_assigned": gettext_lazy("The case is already with this agent."),
    "not_assigned": gettext_lazy("Nobody holds this case: take it first (only a support lead "
                          "assigns an open case)."),
    "not_yours": gettext_lazy("Only the agent who holds this case, or a support lead, can hand it "
                       "over."),
}


def after_sale_case_assign(*, request, actor, agent, reason: str = "",
                           now: datetime | None = None) -> AfterSaleRequest:
    """Hand a case to another agent: the agent who holds it may, and a support lead may
    hand over any case. Always with a reason, on the timeline."""
    now = now or timezone.now()
    _require_agent(actor)
    if agent is None or not roles.has_role(agent, roles.AGENT):
        raise ApplicationError(_("Choose a support agent."), code="not_agent", field="agent")
    reason = _text(reason, "reason", max_length=200)
    with transaction.atomic():
        request = after_sale_request_lock(request)
        if request.status != rules.ESCALATED:
            raise ApplicationError(_("This case is not waiting for support."),
                                   code="bad_state")
        refusal = rules.hand_over_refusal(
            actor_id=actor.pk, assignee_id=request.agent_id, target_id=agent.pk,
            actor_is_lead=roles.has_role(actor, roles.SUPPORT_LEAD))
        if refusal:
            raise ApplicationError(HAND_OVER_REFUSALS[refusal], code=refusal, field="agent")
        _require_impartial(request, agent, field="agent")
        previous = request.agent.get_username() if request.agent_id else None
        _note(request, actor=actor, side=Side.AGENT, now=now,
              reason=R("handed_over", agent=agent.get_username()).noting(reason),
              fields={"agent": agent},
              data={"handed_over_from": previous, "handed_over_to": agent.get_username(),
                    "why": reason})
    return request


def fee_suggestion(request: AfterSaleRequest, *, fault: str | None = None,
                   refusal_has_reason: bool = False,
                   agreed_payer: str = "") -> rules.FeeResponsibility:
    refused = TrackingEvent.objects.filter(order_id=request.order_id,
                                           kind=TrackingEvent.Kind.REFUSED).exists()
    return rules.fee_responsibility(
        reason=request.reason, free_shipping=request.order.shipping_fee == 0, refused=refused,
        refusal_has_reason=refusal_has_reason,
        at_fault=rules.fault_side(fault) if fault else None,
        agreed_payer=agreed_payer or None,
    )


def ruling_issue(
    *, request, actor, outcome: str, fault: str, reasoning: str, return_required=False,
    amount=None, gift_deduction=ZERO, postage_deduction=ZERO, refusal_has_reason=False,
    agreed_payer: str = "", outbound_payer: str = "", return_payer: str = "",
    fee_override_reason: str = "", platform_pays_first=False, now: datetime | None = None,
) -> Ruling:
    """The assigned agent rules on an escalated case. The postage payers default to the
    fee rules' suggestion; a different choice needs a reason. A merchant-fault ruling is
    recorded as a violation, and may be paid first by the platform (先行赔付) and
    deducted from the deposit."""
    now = now or timezone.now()
    _require_agent(actor)
    reasoning = _text(reasoning, "reasoning", max_length=5000)
    if outcome not in Ruling.Outcome.values:
        raise ApplicationError(_("Choose an outcome."), code="invalid_outcome", field="outcome")
    if fault not in Ruling.Fault.values:
        raise ApplicationError(_("Say who is at fault."), code="invalid_fault", field="fault")
    gift_deduction = to_money(gift_deduction or 0)
    postage_deduction = to_money(postage_deduction or 0)
    if gift_deduction < 0 or postage_deduction < 0:
        raise ApplicationError(_("Deductions cannot be negative."), code="invalid_amount",
                               field="gift_deduction")
    merchant_fault = rules.fault_side(fault) == rules.MERCHANT
    if platform_pays_first and not merchant_fault:
        raise ApplicationError(
            _("The platform pays first only when the merchant is at fault."),
            code="pay_first_needs_merchant_fault", field="platform_pays_first")
    if outcome == Ruling.Outcome.EXCHANGE:
        return_required = True
    with transaction.atomic():
        request = after_sale_request_lock(request)
        if request.status != rules.ESCALATED:
            raise ApplicationError(_("This case is not waiting for a ruling."),
                                   code="bad_state")
        if request.agent_id != actor.pk:
            raise ApplicationError(_("Take the case before ruling on it."), code="not_assigned")
        _require_impartial(request, actor)
        refundable = selectors.line_refundable_amount(request.line)
        if outcome in (Ruling.Outcome.FULL_REFUND, Ruling.Outcome.PARTIAL_REFUND):
            if request.refunded_amount or request.payout_amount:
                raise ApplicationError(
                    _("Money was already returned on this request; rule without a refund."),
                    code="already_settled", field="outcome")
            if outcome == Ruling.Outcome.FULL_REFUND:
                amount = refundable
            else:
                amount = to_money(amount or 0)
                if not 0 < amount <= refundable:
                    raise ApplicationError(
                        _("A partial refund is above zero and at most ¥%(max)s.")
                        % {"max": refundable}, code="invalid_amount", field="amount")
        else:
            amount = ZERO
            gift_deduction = postage_deduction = ZERO
        line = request.line
        gift_cap = rules.gift_deduction_cap(gifts=line.gifts, gift_value=line.product.gift_value,
                                            quantity=line.quantity)
        if gift_deduction and not gift_cap:
            raise ApplicationError(
                _("This item came without a gift with a marked value: there is no gift to "
                  "deduct."), code="no_gift", field="gift_deduction")
        if gift_deduction > gift_cap:
            raise ApplicationError(
                _("At most the gift's marked value, ¥%(max)s, can be deducted.")
                % {"max": gift_cap}, code="gift_deduction_too_large", field="gift_deduction",
                extra={"max": str(gift_cap)})
        net = rules.ruling_net_amount(amount, gift_deduction, postage_deduction)
        if amount and net <= 0:
            raise ApplicationError(_("The deductions take the whole refund."),
                                   code="invalid_amount", field="gift_deduction")
        fee = fee_suggestion(request, fault=fault, refusal_has_reason=refusal_has_reason,
                             agreed_payer=agreed_payer)
        outbound_payer = outbound_payer or fee.outbound or ""
        return_payer = return_payer or fee.ret or ""
        if not outbound_payer or not return_payer:
            raise ApplicationError(_("No rule decides who pays the postage: choose."),
                                   code="payer_required", field="outbound_payer")
        fee_override_reason = (fee_override_reason or "").strip()
        overridden = (fee.outbound and outbound_payer != fee.outbound) or (
            fee.ret and return_payer != fee.ret)
        if overridden and not fee_override_reason:
            raise ApplicationError(
                _("The postage payers differ from the rule (%(rule)s): give a reason.")
                % {"rule": rules.FEE_BASIS_LABELS[fee.basis]},
                code="override_reason_required", field="fee_override_reason")
        postage_by_rule = rules.postage_deduction_allowed(
            outbound_payer=outbound_payer, free_shipping=request.order.shipping_fee == 0)
        postage_overridden = bool(postage_deduction) and not postage_by_rule
        if postage_overridden and not fee_override_reason:
            raise ApplicationError(
                _("Outbound postage comes off the refund only when the buyer bears it on a "
                  "free-shipping order: give a reason to deduct it here."),
                code="postage_deduction_reason_required", field="fee_override_reason")
        overridden = overridden or postage_overridden
        next_status = rules.ruling_next_status(outcome=outcome, return_required=return_required,
                                               fault=fault)
        address = None
        if next_status in (rules.AWAITING_RETURN, rules.RULING_REVIEW):
            address = _return_address_or_none(request.store)
            if address is None:
                raise ApplicationError(
                    _("The merchant has no return address yet: ask them to set one."),
                    code="no_return_address")
        ruling = Ruling.objects.create(
            request=request, agent=actor, outcome=outcome, return_required=return_required,
            fault=fault, merchant_at_fault=merchant_fault, amount=amount,
            gift_deduction=gift_deduction, postage_deduction=postage_deduction, net_amount=net,
            refusal_has_reason=bool(refusal_has_reason), agreed_payer=agreed_payer or "",
            fee_basis=fee.basis, suggested_outbound_payer=fee.outbound or "",
            suggested_return_payer=fee.ret or "", outbound_postage_payer=outbound_payer,
            return_postage_payer=return_payer,
            fee_override_reason=fee_override_reason if overridden else "",
            platform_pays_first=bool(platform_pays_first), reasoning=reasoning, at=now,
        )
        if merchant_fault:
            _record_violation(request_ids=[request.pk], kind="ruling_merchant_fault",
                              actor=actor, now=now,
                              reason=R("merchant_at_fault",
                                       fault=Label("disputes.Ruling.fault", ruling.fault)))
        text = R("ruling", outcome=Label("disputes.Ruling.outcome", ruling.outcome)).noting(
            reasoning)
        extra = {"ruled_at": now, "platform_pays": bool(platform_pays_first)}
        if outcome == Ruling.Outcome.EXCHANGE:
            extra["resolution"] = AfterSaleRequest.Resolution.EXCHANGE
        elif outcome != Ruling.Outcome.REJECTED:
            extra["resolution"] = AfterSaleRequest.Resolution.REFUND
        data = {"ruling": ruling.pk}
        if next_status == rules.REFUNDED:
            for name, value in extra.items():
                setattr(request, name, value)
            _refund_now(request, actor=actor, side=Side.AGENT, reason=text, now=now,
                        extra=extra)
        elif next_status == rules.AWAITING_RETURN:
            _send_back(request, actor=actor, side=Side.AGENT, reason=text, now=now,
                       address=address, extra=extra)
        else:
            after_sale_request_transition(request=request, to=next_status, actor=actor,
                                          side=Side.AGENT, reason=text, now=now, extra=extra,
                                          data=data)
        notify_aftersale_ruled(request, ruling, now=now)
    return ruling


def ruling_reopen(*, ruling: Ruling, actor, reason: str,
                  now: datetime | None = None) -> AfterSaleRequest:
    """A reviewer reopens a ruling with a reason: the case goes back to the support queue.
    Money already returned stays returned."""
    now = now or timezone.now()
    reason = _text(reason, "reason")
    if not (roles.has_role(actor, roles.REVIEWER) and actor.has_perm("disputes.change_ruling")):
        raise ApplicationError(_("Only platform reviewers can reopen a ruling."),
                               code="not_reviewer")
    with transaction.atomic():
        ruling = Ruling.objects.select_for_update().get(pk=ruling.pk)
        if ruling.reopened_at is not None:
            raise ApplicationError(_("This ruling has already been reopened."),
                                   code="already_reopened")
        request = after_sale_request_lock(ruling.request)
        ruling.reopened_at, ruling.reopened_by, ruling.reopen_reason = now, actor, reason
        ruling.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
        return after_sale_request_transition(
            request=request, to=rules.ESCALATED, actor=actor, side=Side.REVIEWER, now=now,
            reason=R("ruling_reopened").noting(reason),
            extra={"ruled_at": None, "agent_overdue": False}, data={"ruling": ruling.pk})


