"""The pure rules as full tables: every move allowed or forbidden, the clocks each state
starts, who may do what, the 7-day window at its edges, who pays the postage, and the
handbook checks."""

import itertools
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from disputes import rules

SH = ZoneInfo("Asia/Shanghai")

# Written out independently of rules.TRANSITIONS: status → where it may go.
EXPECTED_MOVES = {
    "pending": {"awaiting_return", "refunded", "refunding", "rejected", "cancelled",
                "escalated"},
    "awaiting_return": {"returning", "closed", "cancelled", "escalated"},
    "returning": {"refunded", "refunding", "awaiting_reship", "escalated"},
    "awaiting_reship": {"exchanged", "escalated"},
    "ruling_review": {"awaiting_return", "escalated"},
    "escalated": {"refunded", "refunding", "awaiting_return", "ruling_review", "closed",
                  "cancelled"},
    # Money in flight: only the provider's answer finishes it (no reopening meanwhile).
    "refunding": {"refunded"},
    "rejected": {"escalated"},
    "refunded": {"escalated"},
    "exchanged": {"escalated"},
    "closed": {"escalated"},
    "cancelled": set(),
}


@pytest.mark.parametrize("old, new", list(itertools.product(EXPECTED_MOVES, repeat=2)))
def test_every_move_is_allowed_or_forbidden(old, new):
    assert rules.can_move(old, new) is (new in EXPECTED_MOVES[old])


def test_statuses_match_the_model():
    from disputes.models import AfterSaleRequest

    assert set(rules.STATUSES) == set(AfterSaleRequest.Status.values) == set(EXPECTED_MOVES)
    assert rules.OPEN_STATUSES == {"pending", "awaiting_return", "returning", "awaiting_reship",
                                   "ruling_review", "escalated", "refunding"}


NOW = datetime(2025, 6, 2, 10, 0, tzinfo=SH)
S = rules.ClockSettings()


@pytest.mark.parametrize("status, running", [
    ("pending", {"contact_by": NOW + timedelta(hours=36),
                 "review_by": NOW + timedelta(hours=72)}),
    ("awaiting_return", {"buyer_ship_by": NOW + timedelta(days=3),
                         "auto_close_at": NOW + timedelta(days=10)}),
    ("returning", {"receive_by": NOW + timedelta(days=10)}),
    ("awaiting_reship", {"reship_by": NOW + timedelta(hours=48)}),
    ("ruling_review", {"quality_review_by": NOW + timedelta(hours=48)}),
    ("escalated", {"agent_handle_by": NOW + timedelta(hours=48)}),
    ("refunding", {}),
    ("refunded", {}), ("exchanged", {}), ("rejected", {}), ("closed", {}), ("cancelled", {}),
])
def test_each_state_starts_its_clocks_and_clears_the_others(status, running):
    fields = rules.clock_fields_on_enter(status, NOW, S)
    assert set(fields) == set(rules.CLOCKS)
    assert {k: v for k, v in fields.items() if v is not None} == running


def test_clock_lengths_come_from_the_settings():
    custom = rules.ClockSettings(contact_hours=1, review_hours=2, agent_handle_hours=5)
    assert rules.clock_fields_on_enter("pending", NOW, custom)["review_by"] == NOW + timedelta(
        hours=2)
    assert rules.clock_fields_on_enter("escalated", NOW, custom)["agent_handle_by"] == (
        NOW + timedelta(hours=5))
    assert rules.refusal_refund_deadline(NOW, S) == NOW + timedelta(hours=48)
    assert rules.refund_check_at(NOW, S) == NOW + timedelta(minutes=30)
    assert rules.refund_check_at(NOW, rules.ClockSettings(refund_retry_minutes=5)) == (
        NOW + timedelta(minutes=5))


# --- 7-day window ------------------------------------------------------------------------------
@pytest.mark.parametrize("signed, now, inside", [
    # Signed any time on 2 June: day 1 is 3 June, day 7 is 9 June.
    (datetime(2025, 6, 2, 0, 0, 0, tzinfo=SH), datetime(2025, 6, 9, 23, 59, 59, tzinfo=SH), True),
    (datetime(2025, 6, 2, 23, 59, 59, tzinfo=SH), datetime(2025, 6, 9, 23, 59, 59, tzinfo=SH),
     True),
    (datetime(2025, 6, 2, 23, 59, 59, tzinfo=SH), datetime(2025, 6, 10, 0, 0, 0, tzinfo=SH),
     False),
    (datetime(2025, 6, 2, 8, 0, tzinfo=SH), datetime(2025, 6, 2, 9, 0, tzinfo=SH), True),
    # Signed 23:30 Shanghai = 15:30 UTC the same day; the window follows the Shanghai date.
    (datetime(2025, 6, 2, 15, 30, tzinfo=ZoneInfo("UTC")),
     datetime(2025, 6, 9, 15, 59, 59, tzinfo=ZoneInfo("UTC")), True),
    (datetime(2025, 6, 2, 15, 30, tzinfo=ZoneInfo("UTC")),
     datetime(2025, 6, 9, 16, 0, 0, tzinfo=ZoneInfo("UTC")), False),
    # Signed 00:30 Shanghai on 3 June (16:30 UTC on 2 June): one day later.
    (datetime(2025, 6, 2, 16, 30, tzinfo=ZoneInfo("UTC")),
     datetime(2025, 6, 10, 23, 59, 59, tzinfo=SH), True),
    # Across a month end.
    (datetime(2025, 1, 28, 12, 0, tzinfo=SH), datetime(2025, 2, 4, 23, 59, 59, tzinfo=SH), True),
    (datetime(2025, 1, 28, 12, 0, tzinfo=SH), datetime(2025, 2, 5, 0, 0, tzinfo=SH), False),
])
def test_seven_day_window_edges(signed, now, inside):
    assert rules.within_seven_day_window(signed, now) is inside


def test_seven_day_window_needs_signing_and_follows_the_configured_days():
    assert rules.within_seven_day_window(None, NOW) is False
    signed = datetime(2025, 6, 2, 10, 0, tzinfo=SH)
    assert rules.seven_day_window_end(signed) == datetime(2025, 6, 10, tzinfo=SH)
    assert rules.seven_day_window_end(signed, days=15) == datetime(2025, 6, 18, tzinfo=SH)


# --- who may do what ---------------------------------------------------------------------------
ALL_STATUSES = list(EXPECTED_MOVES)
# status → merchant actions allowed for a return-and-refund request not yet contacted
MERCHANT_ALLOWED = {
    "pending": {"contact", "approve_return", "approve_refund", "agree_cancel", "escalate",
                "message", "evidence"},
    "awaiting_return": {"agree_cancel", "escalate", "message", "evidence"},
    "returning": {"confirm_receipt", "escalate", "message", "evidence"},
    "awaiting_reship": {"reship", "escalate", "message", "evidence"},
    "ruling_review": {"accept_ruling", "message", "evidence"},
    "escalated": {"message", "evidence"},
    "refunding": {"message", "evidence"},
    "rejected": {"message", "evidence"},
    "refunded": set(), "exchanged": set(), "closed": set(), "cancelled": set(),
}
BUYER_ALLOWED = {
    "pending": {"escalate", "cancel", "message", "evidence"},
    "awaiting_return": {"upload_waybill", "escalate", "cancel", "message", "evidence"},
    "returning": {"escalate", "message", "evidence"},
    "awaiting_reship": {"escalate", "message", "evidence"},
    "ruling_review": {"message", "evidence"},
    "escalated": {"cancel", "message", "evidence"},
    "refunding": {"message", "evidence"},
    "rejected": {"escalate", "message", "evidence"},
    "refunded": set(), "exchanged": set(), "closed": set(), "cancelled": set(),
}


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_merchant_actions_table(status):
    state = rules.RequestState(status=status, kind="return_refund")
    assert set(rules.allowed(rules.merchant_actions(state))) == MERCHANT_ALLOWED[status]
    assert set(rules.merchant_actions(state)) == set(rules.MERCHANT_ACTIONS)
    assert all(why is None or why in rules.WHY for why in rules.merchant_actions(state).values())


@pytest.mark.parametrize("status", ALL_STATUSES)
def test_buyer_actions_table(status):
    state = rules.RequestState(status=status, kind="return_refund")
    assert set(rules.allowed(rules.buyer_actions(state))) == BUYER_ALLOWED[status]


def test_a_refund_in_progress_says_why_nothing_else_can_be_done():
    for ruled in (False, True):
        state = rules.RequestState(status="refunding", kind="refund_only", ruled=ruled)
        merchant, buyer = rules.merchant_actions(state), rules.buyer_actions(state)
        assert {merchant[a] for a in merchant if a not in ("message", "evidence")} == {
            "refunding"}
        assert {buyer[a] for a in buyer if a not in ("message", "evidence")} == {"refunding"}


def test_merchant_action_details():
    pending = rules.RequestState(status="pending", kind="refund_only")
    acts = rules.merchant_actions(pending)
    assert acts["reject"] == "contact_first" and acts["approve_return"] == "wrong_kind"
    contacted = rules.RequestState(status="pending", kind="exchange", contacted=True)
    acts = rules.merchant_actions(contacted)
    assert acts["reject"] is None and acts["contact"] == "already_contacted"
    assert acts["approve_refund"] == "wrong_kind" and acts["approve_return"] is None
    escalated = rules.merchant_actions(rules.RequestState(status="escalated", kind="exchange"))
    assert {v for k, v in escalated.items() if k not in ("message", "evidence")} == {"escalated"}
    ruled = rules.RequestState(status="awaiting_return", kind="return_refund", ruled=True)
    assert rules.merchant_actions(ruled)["escalate"] == "ruled"
    assert rules.buyer_actions(ruled)["escalate"] == "ruled"
    proposed = rules.RequestState(status="pending", kind="exchange", offline_proposed=True)
    assert rules.merchant_actions(proposed)["agree_cancel"] == "already_proposed"


# --- who pays the postage ----------------------------------------------------------------------
B, M = "buyer", "merchant"
# (reason, free shipping, refused, refusal had a reason, at fault, agreed) →
# (outbound, return, deduct the outbound postage from the refund, basis)
FEE_TABLE = [
    # refusal to sign: without a reason the buyer pays, with a reason the merchant
    ("not_received", True, True, False, None, None, B, B, True, "refusal_without_reason"),
    ("not_received", False, True, False, None, None, B, B, False, "refusal_without_reason"),
    ("other", True, True, True, None, None, M, M, False, "refusal_with_reason"),
    ("quality", True, True, False, M, None, B, B, True, "refusal_without_reason"),
    ("no_reason", False, True, True, B, B, M, M, False, "refusal_with_reason"),
    # merchant at fault by the reason's nature
    ("quality", True, False, False, None, None, M, M, False, "merchant_fault"),
    ("quality", False, False, False, M, B, M, M, False, "merchant_fault"),
    ("wrong_or_missing", True, False, False, None, None, M, M, False, "merchant_fault"),
    ("wrong_or_missing", False, False, False, None, B, M, M, False, "merchant_fault"),
    # …unless the agent found the buyer at fault
    ("quality", True, False, False, B, None, B, B, True, "fault_buyer"),
    ("wrong_or_missing", False, False, False, B, None, B, B, False, "fault_buyer"),
    # no-reason return: the buyer pays the return, and the outbound of a free-shipping order
    ("no_reason", True, False, False, None, None, B, B, True, "no_reason_free_shipping"),
    ("no_reason", False, False, False, None, None, B, B, False, "no_reason"),
    # ...unless the agent found the merchant at fault: that outranks the ticked reason
    ("no_reason", True, False, False, M, M, M, M, False, "merchant_fault"),
    ("no_reason", False, False, False, M, None, M, M, False, "merchant_fault"),
    # otherwise: agreement, else who is at fault
    ("gift", True, False, False, M, B, B, B, True, "agreed"),
    ("gift", False, False, False, B, M, M, M, False, "agreed"),
    ("other", True, False, False, None, M, M, M, False, "agreed"),
    ("gift", True, False, False, M, None, M, M, False, "fault_merchant"),
    ("not_received", False, False, False, M, None, M, M, False, "fault_merchant"),
    ("other", True, False, False, B, None, B, B, True, "fault_buyer"),
    ("other", False, False, False, B, None, B, B, False, "fault_buyer"),
    ("not_received", True, False, False, None, None, None, None, False, "undetermined"),
    ("other", False, False, False, None, None, None, None, False, "undetermined"),
]


@pytest.mark.parametrize("reason, free, refused, with_reason, fault, agreed, out, ret, deduct, "
                         "basis", FEE_TABLE)
def test_fee_table(reason, free, refused, with_reason, fault, agreed, out, ret, deduct, basis):
    got = rules.fee_responsibility(reason=reason, free_shipping=free, refused=refused,
                                   refusal_has_reason=with_reason, at_fault=fault,
                                   agreed_payer=agreed)
    assert (got.outbound, got.ret, got.deduct_outbound, got.basis) == (out, ret, deduct, basis)


@pytest.mark.parametrize("reason, free, refused, with_reason, fault, agreed", list(
    itertools.product(rules.REASONS, (True, False), (True, False), (True, False),
                      (None, B, M), (None, B, M))))
def test_fee_rules_hold_for_every_combination(reason, free, refused, with_reason, fault,
                                              agreed):
    got = rules.fee_responsibility(reason=reason, free_shipping=free, refused=refused,
                                   refusal_has_reason=with_reason, at_fault=fault,
                                   agreed_payer=agreed)
    assert got.basis in rules.FEE_BASIS_LABELS
    if refused:
        expected = M if with_reason else B
        assert (got.outbound, got.ret) == (expected, expected)
    elif (reason in ("quality", "wrong_or_missing") and fault != B) or (
            reason == "no_reason" and fault == M):
        # The agent's finding of merchant fault outranks the buyer's "no reason".
        assert (got.outbound, got.ret, got.basis) == (M, M, "merchant_fault")
    elif reason == "no_reason":
        assert (got.outbound, got.ret) == (B, B)
    elif agreed:
        assert (got.outbound, got.ret, got.basis) == (agreed, agreed, "agreed")
    elif fault:
        assert (got.outbound, got.ret) == (fault, fault)
    else:
        assert (got.outbound, got.ret) == (None, None)
    # The outbound postage comes off a refund only when the buyer bears it on a
    # free-shipping order.
    assert got.deduct_outbound == (got.outbound == B and free)


# --- rulings -----------------------------------------------------------------------------------
@pytest.mark.parametrize("outcome, ret, fault, expected", [
    ("rejected", False, "buyer", "closed"),
    ("rejected", True, "merchant_quality", "closed"),
    ("full_refund", False, "merchant_quality", "refunded"),
    ("partial_refund", False, "none", "refunded"),
    ("full_refund", True, "merchant_quality", "ruling_review"),
    ("full_refund", True, "merchant_wrong_item", "awaiting_return"),
    ("partial_refund", True, "buyer", "awaiting_return"),
    ("exchange", False, "merchant_quality", "ruling_review"),
    ("exchange", True, "none", "awaiting_return"),
])
def test_where_a_ruling_sends_the_request(outcome, ret, fault, expected):
    assert rules.ruling_next_status(outcome=outcome, return_required=ret, fault=fault) == expected


def test_fault_side_and_net_amount():
    assert [rules.fault_side(f) for f in rules.FAULTS] == [M, M, M, B, None]
    assert rules.ruling_net_amount(Decimal("100"), Decimal("5"), Decimal("8")) == Decimal("87")


# --- handbook checks ---------------------------------------------------------------------------
def _facts(**kw):
    base = {"reason": "quality", "kind": "return_refund", "now": NOW + timedelta(days=5),
            "paid_at": NOW}
    base.update(kw)
    return rules.CaseFacts(**base)


def _results(facts):
    return {(c.topic, c.result) for c in rules.handbook_checks(facts)}


def test_shipping_checks():
    late = _facts(shipped_at=NOW + timedelta(hours=49), picked_up_at=NOW + timedelta(hours=80))
    assert [c.result for c in rules.handbook_checks(late) if c.topic == "shipping"] == [
        "breached", "breached"]
    ok = _facts(shipped_at=NOW + timedelta(hours=47), picked_up_at=NOW + timedelta(hours=50))
    assert [c.result for c in rules.handbook_checks(ok) if c.topic == "shipping"] == [
        "met", "met"]
    never = _facts()
    assert [c.result for c in rules.handbook_checks(never) if c.topic == "shipping"] == [
        "breached", "breached"]
    soon = _facts(now=NOW + timedelta(hours=1))
    assert [c.result for c in rules.handbook_checks(soon) if c.topic == "shipping"] == ["info"]


def test_signing_quality_gift_return_and_seven_day_checks():
    checks = _results(_facts(signed_in_locker=True, refused=True, returned_to_merchant=True))
    assert ("signing", "breached") in checks and ("signing", "info") in checks
    assert ("signing", "missing") in _results(_facts(reason="not_received"))
    assert ("signing", "met") in _results(_facts(reason="not_received",
                                                 merchant_evidence=frozenset({"delivery_proof"})))
    quality = [c.result for c in rules.handbook_checks(_facts()) if c.topic == "quality"]
    assert quality == ["missing", "missing"]
    proven = _facts(buyer_evidence=frozenset({"photo"}),
                    merchant_evidence=frozenset({"certificate"}))
    assert [c.result for c in rules.handbook_checks(proven) if c.topic == "quality"] == [
        "met", "met"]
    gift = _facts(reason="gift", gifts_promised="小风扇", gift_value=Decimal("15.00"))
    assert [c.result for c in rules.handbook_checks(gift) if c.topic == "gift"] == [
        "missing", "info"]
    # A promised gift without proof is never "met", even when the buyer complains of
    # something else: it is information then.
    other = _facts(reason="quality", gifts_promised="小风扇", gift_value=Decimal("15.00"))
    assert [c.result for c in rules.handbook_checks(other) if c.topic == "gift"] == [
        "info", "info"]
    proven = _facts(reason="quality", gifts_promised="小风扇", merchant_evidence={"gift_proof"})
    assert [c.result for c in rules.handbook_checks(proven) if c.topic == "gift"][0] == "met"
    assert ("return", "missing") in _results(_facts(return_required=True))
    assert ("return", "met") in _results(_facts(return_required=True, return_waybill="SF1"))
    signed = NOW
    inside = _facts(reason="no_reason", signed_at=signed, requested_at=signed + timedelta(days=2),
                    goods_intact=True)
    assert ("seven_day", "met") in _results(inside)
    outside = _facts(reason="no_reason", signed_at=signed,
                     requested_at=signed + timedelta(days=9), goods_intact=True)
    assert ("seven_day", "breached") in _results(outside)
    fee = [c for c in rules.handbook_checks(_facts()) if c.topic == "fee"]
    assert fee[0].standard == rules.FEE_BASIS_LABELS["merchant_fault"]
