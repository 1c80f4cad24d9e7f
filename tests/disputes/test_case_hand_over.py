"""Handing an escalated case over: only the agent who holds it (to another agent) or a
support lead (any case); every hand-over is on the timeline with who and why."""

import pytest
from django.contrib.auth.models import Group

from common import roles
from common.errors import ApplicationError
from disputes import rules, services
from disputes.models import AfterSaleEvent
from tests.disputes.aftersale_factories import (
    START,
    escalate_and_take,
    fresh,
    open_request,
    signed_order,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def second_agent(make_user):
    return make_user("t_agent_2", roles.AGENT)


@pytest.fixture
def lead(make_user):
    user = make_user("t_lead", roles.AGENT)
    user.groups.add(Group.objects.get(name=roles.SUPPORT_LEAD))
    return user


@pytest.fixture
def case(travel, buyer, agent, sku):
    travel(START)
    return escalate_and_take(open_request(signed_order(buyer, sku)), by=buyer, agent=agent)


@pytest.mark.parametrize("actor, assignee, target, lead, refusal", [
    (1, 1, 2, False, None),              # the holder hands it on
    (2, 1, 2, False, "not_yours"),       # a colleague takes it over: refused
    (2, 1, 3, False, "not_yours"),
    (1, 1, 1, False, "already_assigned"),
    (2, None, 2, False, "not_assigned"),  # an open case is taken, not assigned
    (9, 1, 2, True, None),               # a lead may hand over any case
    (9, None, 2, True, None),
    (9, 1, 1, True, "already_assigned"),
])
def test_hand_over_rule(actor, assignee, target, lead, refusal):
    assert rules.hand_over_refusal(actor_id=actor, assignee_id=assignee, target_id=target,
                                   actor_is_lead=lead) == refusal


def test_an_agent_cannot_take_over_a_colleagues_case(case, agent, second_agent):
    events = AfterSaleEvent.objects.filter(request=case).count()
    with pytest.raises(ApplicationError) as refused:
        services.after_sale_case_assign(request=case, actor=second_agent, agent=second_agent,
                                        reason="mine now")
    assert refused.value.code == "not_yours"
    assert fresh(case).agent == agent
    assert AfterSaleEvent.objects.filter(request=case).count() == events


def test_the_holder_hands_over_with_a_reason_on_the_timeline(case, agent, second_agent):
    with pytest.raises(ApplicationError) as no_reason:
        services.after_sale_case_assign(request=case, actor=agent, agent=second_agent)
    assert no_reason.value.field == "reason"
    services.after_sale_case_assign(request=case, actor=agent, agent=second_agent,
                                    reason="下班交接")
    assert fresh(case).agent == second_agent
    event = AfterSaleEvent.objects.filter(request=case).latest("pk")
    assert event.actor == agent and event.data["why"] == "下班交接"
    assert event.data["handed_over_from"] == agent.username
    assert event.data["handed_over_to"] == second_agent.username


def test_a_lead_reassigns_any_case(case, lead, second_agent):
    services.after_sale_case_assign(request=case, actor=lead, agent=second_agent,
                                    reason="负载均衡")
    assert fresh(case).agent == second_agent


def test_the_page_offers_hand_over_only_to_the_holder_and_leads(case, client, agent,
                                                                second_agent, lead):
    for user, offered in [(agent, True), (second_agent, False), (lead, True)]:
        client.force_login(user)
        html = client.get(f"/support/cases/{case.pk}/").content.decode()
        assert (f"/support/cases/{case.pk}/assign/" in html) is offered, user.username


def test_a_colleagues_post_is_refused_with_a_message(case, client, agent, second_agent):
    client.force_login(second_agent)
    res = client.post(f"/support/cases/{case.pk}/assign/",
                      {"agent": second_agent.pk, "reason": "x"}, follow=True)
    assert fresh(case).agent == agent
    assert "只有当前处理该案件的客服或客服主管可以转交" in res.content.decode()
