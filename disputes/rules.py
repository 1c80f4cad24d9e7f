"""Pure rules of after-sales and arbitration: no ORM, no clock reading.

- the status table of after-sale requests (售后申请) and the clocks each status starts;
- what each side may do in each status, and why not (the disabled buttons say it);
- the 7-day no-reason return window (七天无理由);
- who pays the outbound and the return postage (SPEC §5);
- the handbook standards the support workbench checks a case against.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import gettext_lazy as _

SHANGHAI = ZoneInfo(settings.PLATFORM_TIME_ZONE)

# --- vocabulary ---------------------------------------------------------------------------
KINDS = ("refund_only", "return_refund", "exchange")
REASONS = ("no_reason", "quality", "not_received", "wrong_or_missing", "gift", "other")
SIDES = ("buyer", "merchant", "agent")

PENDING = "pending"
AWAITING_RETURN = "awaiting_return"
RETURNING = "returning"
AWAITING_RESHIP = "awaiting_reship"
RULING_REVIEW = "ruling_review"
ESCALATED = "escalated"
# The refund (or the platform's payout) was asked for and the payment provider has not
# confirmed it yet, or it failed and is retried: the money is on its way (退款中).
REFUNDING = "refunding"
REFUNDED = "refunded"
EXCHANGED = "exchanged"
REJECTED = "rejected"
CLOSED = "closed"
CANCELLED = "cancelled"

# Statuses in which the request is open: one open request per order line, and the
# store cannot close while it has one.
OPEN_STATUSES = frozenset(
    {PENDING, AWAITING_RETURN, RETURNING, AWAITING_RESHIP, RULING_REVIEW, ESCALATED, REFUNDING}
)
FINAL_STATUSES = frozenset({REFUNDED, EXCHANGED, CLOSED, CANCELLED})

# The only moves a request can make. Which side may make each move is `*_actions` below;
# the moves back into "escalated" from a ruled outcome exist for a reviewer's reopening.
TRANSITIONS: dict[str, frozenset[str]] = {
    PENDING: frozenset({AWAITING_RETURN, REFUNDED, REFUNDING, REJECTED, CANCELLED, ESCALATED}),
    AWAITING_RETURN: frozenset({RETURNING, CLOSED, CANCELLED, ESCALATED}),
    RETURNING: frozenset({REFUNDED, REFUNDING, AWAITING_RESHIP, ESCALATED}),
    AWAITING_RESHIP: frozenset({EXCHANGED, ESCALATED}),
    RULING_REVIEW: frozenset({AWAITING_RETURN, ESCALATED}),
    ESCALATED: frozenset({REFUNDED, REFUNDING, AWAITING_RETURN, RULING_REVIEW, CLOSED,
                          CANCELLED}),
    # Nobody acts on money in flight: the provider's answer (read by a sweep) finishes it;
    # a failed attempt stays here and is tried again.
    REFUNDING: frozenset({REFUNDED}),
    REJECTED: frozenset({ESCALATED}),
    REFUNDED: frozenset({ESCALATED}),
    EXCHANGED: frozenset({ESCALATED}),
    CLOSED: frozenset({ESCALATED}),
    CANCELLED: frozenset(),
}
STATUSES = tuple(TRANSITIONS)


def hand_over_refusal(*, actor_id: int, assignee_id: int | None, target_id: int,
                      actor_is_lead: bool) -> str | None:
    """Who may hand an escalated case to whom: the agent who holds it, to another agent; a
    support lead, any case to anyone but its holder. The code of the refusal, or None."""
    if target_id == assignee_id:
        return "already_assigned"
    if actor_is_lead:
        return None
    if assignee_id is None:
        return "not_assigned"  # take it first; only a lead assigns an open case
    if assignee_id != actor_id:
        return "not_yours"
    return None


def can_move(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


# --- clocks -------------------------------------------------------------------------------
# Each clock is a column set when its status is entered, and cleared when the request
# leaves it, so no sweep picks the request up again.
CLOCKS = (
    "contact_by", "review_by", "buyer_ship_by", "auto_close_at", "receive_by", "reship_by",
    "refusal_refund_by", "quality_review_by", "agent_handle_by",
)
CLOCKS_BY_STATUS = {
    PENDING: ("contact_by", "review_by", "refusal_refund_by"),
    AWAITING_RETURN: ("buyer_ship_by", "auto_close_at"),
    RETURNING: ("receive_by",),
    AWAITING_RESHIP: ("reship_by",),
    RULING_REVIEW: ("quality_review_by",),
    ESCALATED: ("agent_handle_by",),
}


@dataclass(frozen=True)
class ClockSettings:
    contact_hours: int = 36
    review_hours: int = 72
    buyer_ship_reminder_days: int = 3
    buyer_ship_close_days: int = 10
    receive_days: int = 10
    reship_hours: int = 48
    refusal_refund_hours: int = 48
    quality_review_hours: int = 48
    agent_handle_hours: int = 48
    refund_retry_minutes: int = 30


def clock_fields_on_enter(new: str, now: datetime, settings: ClockSettings) -> dict:
    """The clocks a request gets when it enters `new`; every other clock is cleared."""
    fields = {name: None for name in CLOCKS}
    if new == PENDING:
        fields["contact_by"] = now + timedelta(hours=settings.contact_hours)
        fields["review_by"] = now + timedelta(hours=settings.review_hours)
    elif new == AWAITING_RETURN:
        fields["buyer_ship_by"] = now + timedelta(days=settings.buyer_ship_reminder_days)
        fields["auto_close_at"] = now + timedelta(days=settings.buyer_ship_close_days)
    elif new == RETURNING:
        fields["receive_by"] = now + timedelta(days=settings.receive_days)
    elif new == AWAITING_RESHIP:
        fields["reship_by"] = now + timedelta(hours=settings.reship_hours)
    elif new == RULING_REVIEW:
        fields["quality_review_by"] = now + timedelta(hours=settings.quality_review_hours)
    elif new == ESCALATED:
        fields["agent_handle_by"] = now + timedelta(hours=settings.agent_handle_hours)
    return fields


def refund_check_at(now: datetime, settings: ClockSettings) -> datetime:
    """When a request whose refund is in progress is looked at again: the provider's answer
    to a pending refund, or another attempt after a failed one. Not one of the CLOCKS: it
    is the platform's own retry, not a deadline either side is held to."""
    return now + timedelta(minutes=settings.refund_retry_minutes)


def next_deadline(clocks) -> datetime | None:
    """The nearest running clock of a request (`clocks`: name → deadline or None), stored
    as `next_deadline` so lists can order by an index. Only the clocks of the current state
    are ever set, so a finished request has none."""
    values = [clocks[name] for name in CLOCKS if clocks.get(name) is not None]
    return min(values) if values else None


def refusal_refund_deadline(returned_at: datetime, settings: ClockSettings) -> datetime:
    """A refused parcel is refunded within 48 h of tracking showing it back at the
    merchant: the clock runs from the courier's time, not from when we noticed."""
    return returned_at + timedelta(hours=settings.refusal_refund_hours)


# --- what the 72 h review clock does ------------------------------------------------------
AUTO_SEND_BACK, AUTO_REFUND, AUTO_ESCALATE = "send_back", "refund", "escalate"


def auto_approve_action(*, kind: str, reason: str, goods_signed: bool) -> str:
    """What happens when the merchant has not reviewed a request within 72 h.

    - Return and refund, exchange (SPEC §5): approved; the buyer gets the merchant's last
      return address ("send_back").
    - Refund only while the buyer does not have the goods — not signed for yet (before
      shipping or still in transit) or the buyer says they never arrived: refunded
      ("refund"). The merchant's silence cannot leave a buyer paying for goods they do not
      have, and for "not received" the merchant bears the burden of proving delivery.
    - Refund only on goods signed for (quality, wrong or missing item, gift, other; a
      no-reason request cannot be opened on signed goods any more, but older ones may
      still be pending): money without the goods back needs a judgement, so platform
      support takes the case ("escalate") instead of an automatic refund.
    """
    if kind != "refund_only":
        return AUTO_SEND_BACK
    if reason == "not_received" or not goods_signed:
        return AUTO_REFUND
    return AUTO_ESCALATE


# Why the system (not a person) escalated a request: code stored in escalation_reason →
# what both sides and support read.
SYSTEM_ESCALATIONS = {
    "no_return_address": _("Approved automatically, but the merchant has no return address: "
                           "support will give one."),
    "review_timeout": _("The merchant did not review in time. The goods were signed for, so "
                        "support decides instead of an automatic refund without a return."),
}


# --- the 7-day no-reason window ---------------------------------------------------------
def seven_day_window_end(signed_at: datetime, days: int = 7) -> datetime:
    """The first instant outside the window: the window counts `days` natural days from
    00:00 (the platform's time zone) of the day after signing, so 23:59:59 on day 7 is in and 00:00
    on day 8 is out."""
    local = signed_at.astimezone(SHANGHAI)
    next_midnight = datetime(local.year, local.month, local.day, tzinfo=SHANGHAI) + timedelta(
        days=1
    )
    # Add calendar days to the date, then attach the zone: wall-clock midnight, whatever
    # the offset (Shanghai has no DST, but this stays right if the zone ever changes).
    end_date = next_midnight.date() + timedelta(days=days)
    return datetime(end_date.year, end_date.month, end_date.day, tzinfo=SHANGHAI)


def within_seven_day_window(signed_at: datetime | None, now: datetime, days: int = 7) -> bool:
    if signed_at is None:
        return False
    return now < seven_day_window_end(signed_at, days)


# --- who may do what ----------------------------------------------------------------------
@dataclass(frozen=True)
class RequestState:
    status: str
    kind: str
    resolution: str = "refund"  # "refund" or "exchange" (a ruling may change it)
    contacted: bool = False
    ruled: bool = False
    offline_proposed: bool = False


# Why an action is not offered (code → message shown on the disabled button).
WHY = {
    "escalated": _("Platform support has taken over this request: you can still add "
                   "evidence and messages, and the agent's ruling decides."),
    "contact_first": _("Contact the buyer before rejecting the request."),
    "already_contacted": _("You have already contacted the buyer."),
    "wrong_status": _("Not possible in the request's current state."),
    "wrong_kind": _("Not possible for this type of request."),
    "ruled": _("Support has ruled on this request; the ruling is final."),
    "finished": _("This request is finished."),
    "already_proposed": _("An offline solution has already been proposed."),
    "refunding": _("The refund is in progress at the payment provider: nothing more can be "
                   "done until it is confirmed."),
}

MERCHANT_ACTIONS = (
    "contact", "approve_return", "approve_refund", "reject", "confirm_receipt", "reship",
    "agree_cancel", "accept_ruling", "escalate", "message", "evidence",
)
BUYER_ACTIONS = ("upload_waybill", "escalate", "cancel", "message", "evidence")

_TALK_STATUSES = OPEN_STATUSES | {REJECTED}
_ESCALATABLE = frozenset({PENDING, AWAITING_RETURN, RETURNING, AWAITING_RESHIP})


def merchant_actions(state: RequestState) -> dict[str, str | None]:
    """Every merchant action → None when allowed, else the WHY code."""
    s = state.status
    result: dict[str, str | None] = {}
    for action in MERCHANT_ACTIONS:
        if action in ("message", "evidence"):
            result[action] = None if s in _TALK_STATUSES else "finished"
            continue
        if s == ESCALATED:
            result[action] = "escalated"
            continue
        if s == REFUNDING:
            result[action] = "refunding"
            continue
        if s not in OPEN_STATUSES:
            result[action] = "finished"
            continue
        why = "wrong_status"
        if action == "contact":
            why = None if s == PENDING and not state.contacted else (
                "already_contacted" if s == PENDING else "wrong_status")
        elif action == "approve_return":
            if s == PENDING:
                why = None if state.kind in ("return_refund", "exchange") else "wrong_kind"
        elif action == "approve_refund":
            if s == PENDING:
                why = None if state.kind in ("refund_only", "return_refund") else "wrong_kind"
        elif action == "reject":
            if s == PENDING:
                why = None if state.contacted else "contact_first"
        elif action == "confirm_receipt":
            why = None if s == RETURNING else "wrong_status"
        elif action == "reship":
            why = None if s == AWAITING_RESHIP else "wrong_status"
        elif action == "agree_cancel":
            if state.ruled:
                why = "ruled"
            elif s in (PENDING, AWAITING_RETURN):
                why = "already_proposed" if state.offline_proposed else None
        elif action == "accept_ruling":
            why = None if s == RULING_REVIEW else "wrong_status"
        elif action == "escalate":
            if state.ruled:
                why = "ruled"
            elif s in _ESCALATABLE:
                why = None
        result[action] = why
    return result


def buyer_actions(state: RequestState) -> dict[str, str | None]:
    s = state.status
    result: dict[str, str | None] = {}
    for action in BUYER_ACTIONS:
        if action in ("message", "evidence"):
            why = None if s in _TALK_STATUSES else "finished"
        elif s == REFUNDING:
            why = "refunding"
        elif action == "upload_waybill":
            why = None if s == AWAITING_RETURN else "wrong_status"
        elif action == "escalate":
            if state.ruled:
                why = "ruled"
            elif s in _ESCALATABLE or s == REJECTED:
                why = None
            elif s == ESCALATED:
                why = "escalated"
            else:
                why = "wrong_status"
        elif action == "cancel":
            if s in (PENDING, AWAITING_RETURN, ESCALATED):
                why = None
            else:
                why = "wrong_status" if s in OPEN_STATUSES else "finished"
        result[action] = why
    return result


def allowed(actions: dict[str, str | None]) -> list[str]:
    return [name for name, why in actions.items() if why is None]


# --- shipping fees (SPEC §5) ---------------------------------------------------------------
BUYER, MERCHANT = "buyer", "merchant"

# The fault a reason implies by its nature (SPEC §5: quality, wrong or missing item are the
# merchant's fault). The one table: the workbench's suggested fault, the fee suggestion and
# the fee table's "merchant at fault" line all read it.
REASON_FAULT = {
    "quality": "merchant_quality",
    "wrong_or_missing": "merchant_wrong_item",
}
MERCHANT_FAULT_REASONS = frozenset(REASON_FAULT)


def implied_fault(reason: str) -> str | None:
    """The fault a request's reason implies, or None when the reason implies nobody's."""
    return REASON_FAULT.get(reason)


@dataclass(frozen=True)
class FeeResponsibility:
    outbound: str | None  # who bears the outbound postage (None: the agent decides)
    ret: str | None  # who bears the return postage
    deduct_outbound: bool  # the outbound postage the merchant paid comes off the refund
    basis: str  # which line of the handbook table applied


FEE_BASIS_LABELS = {
    "refusal_without_reason": _("Delivery refused without a reason: the buyer pays."),
    "refusal_with_reason": _("Delivery refused with a reason: the merchant pays."),
    "merchant_fault": _("Merchant at fault (quality, wrong or missing item): the merchant "
                        "pays the outbound and the return postage."),
    "no_reason_free_shipping": _("No-reason return of a free-shipping order: the buyer pays "
                                 "the return postage and the outbound postage actually paid."),
    "no_reason": _("No-reason return: the buyer pays the return postage."),
    "agreed": _("Both sides agreed who pays."),
    "fault_merchant": _("Who is at fault pays: the merchant."),
    "fault_buyer": _("Who is at fault pays: the buyer."),
    "undetermined": _("No rule applies and nobody is at fault: the agent decides."),
}


def fee_responsibility(
    *, reason: str, free_shipping: bool, refused: bool = False,
    refusal_has_reason: bool = False, at_fault: str | None = None,
    agreed_payer: str | None = None,
) -> FeeResponsibility:
    """Who pays the postage, from the handbook's table, first match wins:

    1. delivery refused: without a reason the buyer pays both ways, with a reason the
       merchant does;
    2. merchant at fault — by the nature of the reason (quality, wrong or missing item)
       unless the agent found the buyer at fault, or because the agent found the
       merchant at fault although the buyer ticked "no reason": the merchant pays both
       (a finding of fault outranks the buyer's own choice of reason);
    3. no-reason return (the buyer's own reason): the buyer pays the return postage and,
       for a free-shipping order, the outbound postage the merchant actually paid;
    4. otherwise both sides' agreement, else whoever is at fault pays.
    """
    if refused:
        if refusal_has_reason:
            return FeeResponsibility(MERCHANT, MERCHANT, False, "refusal_with_reason")
        return FeeResponsibility(BUYER, BUYER, free_shipping, "refusal_without_reason")
    if (reason in MERCHANT_FAULT_REASONS and at_fault != BUYER) or (
            reason == "no_reason" and at_fault == MERCHANT):
        return FeeResponsibility(MERCHANT, MERCHANT, False, "merchant_fault")
    if reason == "no_reason":
        if free_shipping:
            return FeeResponsibility(BUYER, BUYER, True, "no_reason_free_shipping")
        return FeeResponsibility(BUYER, BUYER, False, "no_reason")
    if agreed_payer in (BUYER, MERCHANT):
        return FeeResponsibility(agreed_payer, agreed_payer,
                                 agreed_payer == BUYER and free_shipping, "agreed")
    if at_fault == BUYER:
        return FeeResponsibility(BUYER, BUYER, free_shipping, "fault_buyer")
    if at_fault == MERCHANT:
        return FeeResponsibility(MERCHANT, MERCHANT, False, "fault_merchant")
    return FeeResponsibility(None, None, False, "undetermined")


# --- rulings ------------------------------------------------------------------------------
FAULTS = ("merchant_quality", "merchant_wrong_item", "merchant_other", "buyer", "none")


def fault_side(fault: str) -> str | None:
    if fault.startswith("merchant"):
        return MERCHANT
    if fault == BUYER:
        return BUYER
    return None


def ruling_next_status(*, outcome: str, return_required: bool, fault: str) -> str:
    """Where a ruling sends the request. A quality ruling that needs the goods back goes
    to the merchant for review first (48 h clock); other returns go straight to the
    buyer."""
    if outcome == "rejected":
        return CLOSED
    if outcome == "exchange" or return_required:
        if fault == "merchant_quality":
            return RULING_REVIEW
        return AWAITING_RETURN
    return REFUNDED


def gift_deduction_cap(*, gifts: str, gift_value: Decimal | None,
                       quantity: int) -> Decimal:
    """The most a ruling may deduct for a gift not returned intact: its marked value, one
    gift per unit of the line. Nothing when the line came without a gift or the gift has no
    marked value."""
    if not (gifts or "").strip() or gift_value is None or gift_value <= 0:
        return Decimal("0.00")
    return gift_value * max(quantity, 1)


def postage_deduction_allowed(*, outbound_payer: str, free_shipping: bool) -> bool:
    """Outbound postage comes off the refund only when the buyer bears it and the merchant
    actually paid it (a free-shipping order). When the merchant bears it, or the buyer
    already paid it with the order, deducting it needs a reason (an agreement, …)."""
    return outbound_payer == BUYER and free_shipping


def ruling_net_amount(amount: Decimal, gift_deduction: Decimal,
                      postage_deduction: Decimal) -> Decimal:
    """What the buyer receives: the ruled amount less the marked value of a gift that is
    not returned intact and the outbound postage the buyer bears."""
    return amount - gift_deduction - postage_deduction


# --- handbook standards for the workbench ---------------------------------------------------
@dataclass(frozen=True)
class CaseFacts:
    """What the system knows about a case, gathered by the selector."""

    reason: str
    kind: str
    now: datetime
    paid_at: datetime | None = None
    shipped_at: datetime | None = None
    picked_up_at: datetime | None = None
    signed_at: datetime | None = None
    signed_in_locker: bool = False
    refused: bool = False
    returned_to_merchant: bool = False
    ship_within_hours: int = 48
    pickup_within_hours: int = 72
    gifts_promised: str = ""
    gift_value: Decimal | None = None
    supports_seven_day_return: bool = True
    requested_at: datetime | None = None
    goods_intact: bool = False
    free_shipping: bool = True
    return_required: bool = False
    return_waybill: str = ""
    buyer_evidence: frozenset = field(default_factory=frozenset)  # evidence kinds
    merchant_evidence: frozenset = field(default_factory=frozenset)
    seven_day_days: int = 7


# Outcome of one check: "met" (the facts satisfy the standard), "breached" (the facts show
# a breach), "missing" (the proof the standard asks for has not been provided), "info".
@dataclass(frozen=True)
class Check:
    topic: str
    standard: str
    result: str
    detail: str = ""


TOPICS = {
    "shipping": _("Shipping on time"),
    "signing": _("Signing"),
    "quality": _("Quality"),
    "gift": _("Gifts"),
    "return": _("Returns"),
    "fee": _("Shipping fee"),
    "seven_day": _("7-day no-reason return"),
}


def _hours(delta: timedelta) -> str:
    return f"{delta.total_seconds() / 3600:.1f}"


def handbook_checks(f: CaseFacts) -> list[Check]:
    """The handbook's standards that apply to this case, each checked against the facts."""
    checks: list[Check] = []
    # Shipping: ship within 48 h of payment; courier pickup visible within 72 h.
    if f.paid_at:
        limit = timedelta(hours=f.ship_within_hours)
        std = _("Ship within %(h)d h of payment.") % {"h": f.ship_within_hours}
        if f.shipped_at:
            late = f.shipped_at - f.paid_at > limit
            checks.append(Check("shipping", std, "breached" if late else "met",
                                _("Shipped %(h)s h after payment.")
                                % {"h": _hours(f.shipped_at - f.paid_at)}))
        elif f.now - f.paid_at > limit:
            checks.append(Check("shipping", std, "breached", _("Not shipped yet.")))
        else:
            checks.append(Check("shipping", std, "info", _("Not shipped yet; still in time.")))
        plimit = timedelta(hours=f.pickup_within_hours)
        pstd = _("Courier pickup visible within %(h)d h of payment.") % {
            "h": f.pickup_within_hours}
        if f.picked_up_at:
            late = f.picked_up_at - f.paid_at > plimit
            checks.append(Check("shipping", pstd, "breached" if late else "met",
                                _("Picked up %(h)s h after payment.")
                                % {"h": _hours(f.picked_up_at - f.paid_at)}))
        elif f.now - f.paid_at > plimit:
            checks.append(Check("shipping", pstd, "breached", _("No pickup scan.")))
    # Signing.
    if f.signed_in_locker:
        checks.append(Check("signing", _("A parcel locker without the buyer's consent is the "
                                         "merchant's risk."), "breached",
                            _("Signed in a parcel locker.")))
    if f.refused:
        checks.append(Check("signing", _("Refusal to sign: the buyer pays the postage unless "
                                         "the refusal had a reason."), "info",
                            _("The courier reported the delivery refused%(back)s.")
                            % {"back": _(", and the parcel is back at the merchant")
                               if f.returned_to_merchant else ""}))
    if f.reason == "not_received":
        has = "delivery_proof" in f.merchant_evidence
        checks.append(Check("signing", _("When the buyer says it was not received, the "
                                         "merchant must prove delivery."),
                            "met" if has else "missing",
                            _("Proof of delivery provided.") if has
                            else _("No proof of delivery from the merchant.")))
    # Quality.
    if f.reason == "quality":
        photos = "photo" in f.buyer_evidence
        records = bool({"invoice", "certificate"} & f.merchant_evidence)
        checks.append(Check("quality", _("Quality is decided from the buyer's photos when "
                                         "they show it."), "met" if photos else "missing",
                            _("The buyer sent photos.") if photos
                            else _("No photos from the buyer.")))
        checks.append(Check("quality", _("Otherwise the merchant must show purchase records "
                                         "(invoices, certificates)."),
                            "met" if records else "missing",
                            _("Purchase records provided.") if records
                            else _("No invoices or certificates from the merchant.")))
    # Gifts.
    if f.gifts_promised:
        proof = "gift_proof" in f.merchant_evidence
        # Without proof the standard is not met; it is only information when the buyer
        # does not complain about the gift.
        result = "met" if proof else ("missing" if f.reason == "gift" else "info")
        checks.append(Check("gift", _("The merchant must prove a promised gift was sent."),
                            result,
                            _("Gift promised: %(g)s.") % {"g": f.gifts_promised}
                            + " " + (_("Proof provided.") if proof else _("No proof yet."))))
        if f.kind != "refund_only":
            value = f.gift_value if f.gift_value is not None else Decimal("0.00")
            checks.append(Check("gift", _("A damaged gift cannot block a return; its marked "
                                          "value may be deducted."), "info",
                                _("Marked value: ¥%(v)s.") % {"v": value}))
    # Returns: the buyer proves having shipped.
    if f.return_required:
        has = bool(f.return_waybill)
        checks.append(Check("return", _("The buyer bears the burden of proof for having "
                                        "shipped the return."), "met" if has else "missing",
                            _("Return waybill %(w)s.") % {"w": f.return_waybill} if has
                            else _("No return waybill uploaded.")))
    # 7-day no-reason return.
    if f.reason == "no_reason" and f.kind != "refund_only":
        inside = f.requested_at is not None and within_seven_day_window(
            f.signed_at, f.requested_at, f.seven_day_days)
        ok = f.supports_seven_day_return and inside and f.goods_intact
        parts = []
        if not f.supports_seven_day_return:
            parts.append(_("The product does not support it."))
        if not inside:
            parts.append(_("Requested outside the window."))
        if not f.goods_intact:
            parts.append(_("Goods not declared intact."))
        checks.append(Check("seven_day", _("Within 7 days from 00:00 of the day after "
                                           "signing, goods intact, product supports it."),
                            "met" if ok else "breached",
                            " ".join(str(p) for p in parts) or _("All conditions met.")))
    # Shipping fee.
    fee = fee_responsibility(reason=f.reason, free_shipping=f.free_shipping, refused=f.refused)
    checks.append(Check("fee", FEE_BASIS_LABELS[fee.basis], "info", ""))
    return checks
