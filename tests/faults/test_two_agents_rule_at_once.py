"""Two support agents ruling on the same escalated case at the same moment: one ruling, one
payout, one deposit deduction, one violation. On PostgreSQL, each agent on its own
connection. (The sweeps racing a merchant on one request are in
tests/disputes/test_aftersale_concurrency.py.)"""

import pytest
import time_machine

from common import roles
from common.errors import ApplicationError
from disputes import services
from disputes.models import AfterSaleEvent, Ruling
from payments.models import Payment
from shop.models import DepositEntry
from tests.concurrency import postgres_only, run_threads
from tests.disputes.aftersale_factories import (
    START,
    deposit_balance,
    fresh,
    fund_deposit,
    open_request,
    rule,
    signed_order,
    sku_for,
)
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    store_for,
)

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


@pytest.fixture
def escalated(buyer, merchant):
    store = store_for(merchant)
    fund_deposit(store, "500.00")
    with time_machine.travel(START, tick=False):
        request = open_request(signed_order(buyer, sku_for(store, price="100.00")),
                               kind="refund_only", reason="wrong_or_missing")
        services.after_sale_request_escalate(request=request, actor=buyer, reason="协商不成")
    return fresh(request)


def _pay_first(request, agent):
    return rule(request, agent, outcome="full_refund", fault="merchant_wrong_item",
                platform_pays_first=True).pk


def _one_ruling(request, store):
    assert Ruling.objects.filter(request=request).count() == 1
    assert fresh(request).status == "refunded"
    assert Payment.objects.filter(kind="payout").count() == 1
    assert DepositEntry.objects.filter(kind="deduction").count() == 1
    assert str(deposit_balance(store)) == "400.00"
    assert AfterSaleEvent.objects.filter(request=request, to_status="refunded").count() == 1
    assert AfterSaleEvent.objects.filter(
        request=request, data__violation="ruling_merchant_fault").count() == 1


def test_two_agents_taking_and_ruling_one_case_at_once_give_one_ruling(escalated, agent,
                                                                       make_user):
    second = make_user("t_agent_2", roles.AGENT)
    agents = [agent, second]

    def take_and_rule(i):
        me = agents[i % 2]
        try:
            services.after_sale_case_take(request=escalated, actor=me)
        except ApplicationError:  # the colleague took it first: try to rule anyway
            pass
        return _pay_first(escalated, me)

    rulings, errors = run_threads(6, take_and_rule)
    assert len(rulings) == 1
    assert len(errors) == 5 and set(errors) <= {"not_assigned", "bad_state"}
    assert Ruling.objects.get().agent == fresh(escalated).agent
    _one_ruling(escalated, escalated.store)


def test_the_holder_and_a_colleague_handed_the_case_rule_at_once(escalated, agent,
                                                                 make_user):
    # The holder hands the case over while still submitting the ruling form; the colleague
    # rules on it at the same moment.
    second = make_user("t_agent_2", roles.AGENT)
    services.after_sale_case_take(request=escalated, actor=agent)

    def race(i):
        if i == 0:
            services.after_sale_case_assign(request=escalated, actor=agent, agent=second,
                                            reason="换班")
            return "handed over"
        return _pay_first(escalated, (agent, second)[i % 2])

    results, errors = run_threads(5, race)
    rulings = [r for r in results if r != "handed over"]
    assert len(rulings) == 1
    assert set(errors) <= {"not_assigned", "bad_state", "not_yours", "already_assigned"}
    _one_ruling(escalated, escalated.store)
