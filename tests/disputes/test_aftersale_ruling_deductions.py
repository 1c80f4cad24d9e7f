"""What a ruling may deduct from the buyer's refund: the outbound postage only when the
buyer bears it on a free-shipping order (else with a reason), a gift's marked value only
when the line came with that gift, and never more."""

from decimal import Decimal

import pytest
from django.utils import translation

from common.errors import ApplicationError
from disputes import rules
from disputes.models import Ruling
from tests.disputes.aftersale_factories import (
    START,
    escalate_and_take,
    fresh,
    open_request,
    rule,
    signed_order,
    sku_for,
)

pytestmark = pytest.mark.django_db
D = Decimal


def _case(travel, buyer, agent, store, *, kind="refund_only", reason="quality", **sku_kw):
    travel(START)
    order = signed_order(buyer, sku_for(store, **sku_kw))
    return escalate_and_take(open_request(order, kind=kind, reason=reason,
                                          goods_intact=reason == "no_reason"),
                             by=buyer, agent=agent)


# --- postage --------------------------------------------------------------------------------
def test_no_postage_deduction_when_the_merchant_pays_the_outbound_postage(travel, buyer, agent,
                                                                          store):
    request = _case(travel, buyer, agent, store, reason="quality")
    with pytest.raises(ApplicationError) as refused:
        rule(request, agent, fault="merchant_quality", postage_deduction="8.00")
    assert refused.value.code == "postage_deduction_reason_required"
    assert refused.value.field == "fee_override_reason"
    assert not Ruling.objects.exists() and fresh(request).status == "escalated"


def test_a_postage_deduction_against_the_rule_needs_a_reason_and_is_recorded(travel, buyer,
                                                                             agent, store):
    request = _case(travel, buyer, agent, store, reason="quality")
    ruling = rule(request, agent, fault="merchant_quality", postage_deduction="8.00",
                  fee_override_reason="双方同意运费由买家承担")
    assert ruling.postage_deduction == D("8.00") and ruling.net_amount == D("92.00")
    assert ruling.fee_override_reason == "双方同意运费由买家承担"
    assert (ruling.outbound_postage_payer, ruling.suggested_outbound_payer) == ("merchant",
                                                                               "merchant")


def test_no_postage_deduction_when_the_buyer_already_paid_the_postage(travel, buyer, agent,
                                                                      store):
    request = _case(travel, buyer, agent, store, kind="return_refund", reason="no_reason",
                    free_shipping=False, shipping_fee="8.00")
    with pytest.raises(ApplicationError) as refused:
        rule(request, agent, fault="none", return_required=True, postage_deduction="8.00")
    assert refused.value.code == "postage_deduction_reason_required"


def test_postage_deduction_when_the_buyer_bears_it_on_a_free_shipping_order(travel, buyer, agent,
                                                                           store,
                                                                           return_address):
    request = _case(travel, buyer, agent, store, kind="return_refund", reason="no_reason")
    ruling = rule(request, agent, fault="none", return_required=True, postage_deduction="6.00")
    assert ruling.net_amount == D("94.00") and ruling.fee_override_reason == ""


@pytest.mark.parametrize("payer, free, allowed", [
    ("buyer", True, True), ("buyer", False, False),
    ("merchant", True, False), ("merchant", False, False),
])
def test_postage_deduction_rule(payer, free, allowed):
    assert rules.postage_deduction_allowed(outbound_payer=payer, free_shipping=free) is allowed


# --- gifts ----------------------------------------------------------------------------------
def test_no_gift_deduction_on_a_line_without_a_gift(travel, buyer, agent, store):
    request = _case(travel, buyer, agent, store, gift_value="10.00")  # no gift on the line
    with pytest.raises(ApplicationError) as refused:
        rule(request, agent, fault="merchant_quality", gift_deduction="5.00")
    assert refused.value.code == "no_gift" and refused.value.field == "gift_deduction"
    assert not Ruling.objects.exists()


def test_gift_deduction_is_capped_at_the_gifts_marked_value(travel, buyer, agent, store):
    request = _case(travel, buyer, agent, store, gifts="收纳袋", gift_value="10.00")
    with pytest.raises(ApplicationError) as refused:
        rule(request, agent, fault="merchant_quality", gift_deduction="10.01")
    assert refused.value.code == "gift_deduction_too_large"
    assert refused.value.extra == {"max": "10.00"}
    ruling = rule(request, agent, fault="merchant_quality", gift_deduction="10.00")
    assert ruling.gift_deduction == D("10.00") and ruling.net_amount == D("90.00")


def test_a_gift_without_a_marked_value_cannot_be_deducted(travel, buyer, agent, store):
    request = _case(travel, buyer, agent, store, gifts="收纳袋")
    with pytest.raises(ApplicationError) as refused:
        rule(request, agent, fault="merchant_quality", gift_deduction="1.00")
    assert refused.value.code == "no_gift"


@pytest.mark.parametrize("gifts, value, quantity, cap", [
    ("", D("10.00"), 1, D("0")),
    ("  ", D("10.00"), 1, D("0")),
    ("收纳袋", None, 1, D("0")),
    ("收纳袋", D("0.00"), 2, D("0")),
    ("收纳袋", D("10.00"), 1, D("10.00")),
    ("收纳袋", D("10.00"), 3, D("30.00")),  # one gift with each unit of the line
])
def test_gift_deduction_cap(gifts, value, quantity, cap):
    assert rules.gift_deduction_cap(gifts=gifts, gift_value=value, quantity=quantity) == cap


def test_workbench_prefills_no_gift_deduction_but_shows_its_cap(travel, buyer, agent, store):
    """Nothing is deducted before the agent decides it; the cap is shown beside the field."""
    from disputes import forms
    from disputes.selectors import ruling_form_gift_cap as _with_gift_cap
    from disputes.selectors import ruling_initial as _ruling_initial

    no_gift = _case(travel, buyer, agent, store, gift_value="10.00")
    assert "gift_deduction" not in _ruling_initial(no_gift)
    with_gift = fresh(open_request(signed_order(buyer, sku_for(store, gifts="收纳袋",
                                                               gift_value="10.00"))))
    assert "gift_deduction" not in _ruling_initial(with_gift)
    with translation.override("en"):
        form = _with_gift_cap(forms.RulingForm(initial=_ruling_initial(with_gift)), with_gift)
        assert "At most ¥10.00" in str(form.fields["gift_deduction"].help_text)
        assert form["gift_deduction"].value() is None
