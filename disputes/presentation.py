"""What the pages show about a request: the running clocks with their labels, the
actions with the reason a disabled one is not offered."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from disputes import rules

CLOCK_LABELS = {
    "contact_by": _("Contact the buyer within"),
    "review_by": _("Review within (else approved automatically)"),
    "buyer_ship_by": _("Buyer ships the return within"),
    "auto_close_at": _("Closes without a return waybill in"),
    "receive_by": _("Confirm receipt within (else refunded automatically)"),
    "reship_by": _("Ship the replacement within"),
    "refusal_refund_by": _("Refund the refused parcel within"),
    "quality_review_by": _("Review the ruling within"),
    "agent_handle_by": _("Support handles within"),
}

ACTION_LABELS = {
    "contact": _("Mark contacted"),
    "approve_return": _("Approve: return needed"),
    "approve_refund": _("Approve: refund without return"),
    "reject": _("Reject"),
    "confirm_receipt": _("Confirm receipt of the return"),
    "reship": _("Ship the replacement"),
    "agree_cancel": _("Agree to settle offline"),
    "accept_ruling": _("Accept the ruling"),
    "escalate": _("Ask platform support"),
    "message": _("Send a message"),
    "evidence": _("Add evidence"),
}


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    allowed: bool
    why: str


# When the 72 h review clock hands the case to support instead of approving it.
REVIEW_ESCALATES_LABEL = _("Review within (else platform support steps in)")


def deadline_rows(request) -> list[tuple]:
    """(clock name, label, deadline) of each running clock; the name links its lesson."""
    rows = []
    for name, value in request.deadlines().items():
        label = CLOCK_LABELS[name]
        if name == "review_by" and rules.auto_approve_action(
                kind=request.kind, reason=request.reason,
                goods_signed=request.order.signed_at is not None) == rules.AUTO_ESCALATE:
            label = REVIEW_ESCALATES_LABEL
        rows.append((name, label, value))
    return rows


def merchant_action_rows(request) -> dict[str, Action]:
    return {
        name: Action(name, ACTION_LABELS[name], why is None,
                     str(rules.WHY[why]) if why else "")
        for name, why in rules.merchant_actions(request.state).items()
    }


PAYER_WORDS = {"buyer": _("the buyer"), "merchant": _("the merchant")}


def fee_rule_line(request, suggestion) -> dict:
    """The line of the postage table that applied to the standing ruling, or that applies
    if the agent rules as suggested, in words: {"applied": bool, "text", "payers"}."""
    ruling = next((r for r in request.rulings.all() if r.reopened_at is None), None)
    if ruling is not None and ruling.fee_basis in rules.FEE_BASIS_LABELS:
        basis = ruling.fee_basis
        outbound, ret = ruling.outbound_postage_payer, ruling.return_postage_payer
    else:
        basis, outbound, ret = suggestion.basis, suggestion.outbound, suggestion.ret
    payers = ""
    if outbound and ret:
        payers = _("Outbound postage: %(outbound)s; return postage: %(ret)s.") % {
            "outbound": PAYER_WORDS.get(outbound, outbound), "ret": PAYER_WORDS.get(ret, ret)}
    return {"applied": ruling is not None, "text": rules.FEE_BASIS_LABELS[basis],
            "payers": payers}
