"""The support workbench's queue and case page: the agent's own cases first then by the
handling clock, "next case" after a ruling, the case page's two columns with the photo
lightbox, the postage rule in words, and help texts that the fields' aria-describedby
point at."""

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from PIL import Image

from common import roles
from disputes import selectors, services
from tests.disputes.aftersale_factories import (
    START,
    escalate_and_take,
    open_request,
    rule,
    signed_order,
    sku_for,
)

pytestmark = pytest.mark.django_db


def page(client, url, status=200):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    res = client.get(url)
    assert res.status_code == status, res.content[:500]
    return res.content.decode()


@pytest.fixture
def colleague(make_user):
    return make_user("t_agent_2", roles.AGENT)


@pytest.fixture
def cases(travel, buyer, store, agent, colleague):
    """Five escalated cases, an hour apart (so their handling clocks are in that order):
    the colleague's, an unassigned one, two of the agent's (the later escalated first in
    the list of creation), and another unassigned."""
    made = {}
    for i, name in enumerate(["colleagues", "free_early", "mine_late", "mine_early",
                              "free_late"]):
        travel(START + timedelta(hours={"colleagues": 0, "free_early": 1, "mine_early": 2,
                                        "mine_late": 3, "free_late": 4}[name]))
        r = open_request(signed_order(buyer, sku_for(store)))
        services.after_sale_request_escalate(request=r, actor=buyer, reason="x")
        if name.startswith("mine"):
            services.after_sale_case_take(request=r, actor=agent)
        elif name == "colleagues":
            services.after_sale_case_take(request=r, actor=colleague)
        made[name] = r
    travel(START + timedelta(hours=5))
    return made


def test_queue_lists_the_agents_own_cases_first_then_by_clock(cases, agent, colleague):
    order = [r.pk for r in selectors.cases_for_agent(agent)]
    assert order == [cases[n].pk for n in ("mine_early", "mine_late", "colleagues",
                                           "free_early", "free_late")]
    # For the colleague, their own case first, then everyone else's by the clock.
    order = [r.pk for r in selectors.cases_for_agent(colleague)]
    assert order == [cases[n].pk for n in ("colleagues", "free_early", "mine_early",
                                           "mine_late", "free_late")]


def test_queue_page_shows_own_cases_first_and_marks_them(cases, agent_client):
    html = page(agent_client, "/support/")
    positions = [html.index(f"#{cases[n].pk}<") for n in ("mine_early", "mine_late",
                                                         "colleagues", "free_early")]
    assert positions == sorted(positions)
    assert html.count(">yours<") == 2


def test_next_case_is_the_agents_own_by_clock_then_an_unassigned_one(cases, agent):
    assert selectors.next_case_for_agent(agent) == cases["mine_early"]
    assert selectors.next_case_for_agent(agent, after=cases["mine_early"]) == cases["mine_late"]
    rule(cases["mine_early"], agent)
    rule(cases["mine_late"], agent)
    # Nothing of their own left: the oldest case nobody holds (never a colleague's).
    assert selectors.next_case_for_agent(agent) == cases["free_early"]
    assert selectors.next_case_for_agent(agent, after=cases["free_early"].pk) == cases["free_late"]


def test_next_case_is_never_offered_to_a_non_agent(cases, buyer):
    assert selectors.next_case_for_agent(buyer) is None


def test_next_case_is_none_when_nothing_waits(travel, agent):
    travel(START)
    assert selectors.next_case_for_agent(agent) is None


def test_next_case_button_after_a_ruling_leads_to_the_next_case(cases, agent, agent_client):
    url = f"/support/cases/{cases['mine_early'].pk}/"
    assert 'id="next-case"' not in page(agent_client, url)
    res = agent_client.post(url + "rule/", {"outcome": "rejected", "fault": "buyer",
                                            "reasoning": "证据不足", "confirm": "1"})
    assert res.status_code == 302
    html = page(agent_client, url)
    assert 'id="next-case"' in html
    res = agent_client.get(f"/support/next/?after={cases['mine_early'].pk}")
    assert res.status_code == 302 and res.url == f"/support/cases/{cases['mine_late'].pk}/"


def test_next_case_with_nothing_waiting_goes_back_to_the_queue(travel, agent_client):
    travel(START)
    res = agent_client.get("/support/next/?after=nope")
    assert res.status_code == 302 and res.url == "/support/"


def test_next_case_is_for_agents_only(buyer_client):
    assert buyer_client.get("/support/next/").status_code == 403


def _jpeg(name):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def test_case_page_two_columns_lightbox_and_fee_rule_in_words(travel, buyer, agent,
                                                                agent_client, sku):
    travel(START)
    case = escalate_and_take(open_request(signed_order(buyer, sku), reason="quality"),
                             by=buyer, agent=agent)
    services.after_sale_message_post(request=case, actor=buyer, text="看图",
                                     files=[_jpeg("crack.jpg")])
    html = page(agent_client, f"/support/cases/{case.pk}/")
    facts, side = html.index('class="support-facts"'), html.index('class="support-side"')
    assert facts < html.index("Tracking") < side < html.index("Handbook standards")
    assert side < html.index("Rule on this case")
    assert html.count("data-lightbox=") == 1 and 'id="support-lightbox"' in html
    assert "support/lightbox.js" in html and "css/support.css" in html
    # The rule that applies, in words, before and after the ruling.
    assert "Postage rule that applies" in html
    assert "the merchant pays the outbound and the return postage" in html
    rule(case, agent, outcome="full_refund", fault="merchant_quality")
    html = page(agent_client, f"/support/cases/{case.pk}/")
    assert "Postage rule applied" in html
    assert "Outbound postage: the merchant; return postage: the merchant." in html


def test_every_aria_describedby_on_the_case_page_points_at_an_element(travel, buyer, agent,
                                                                       agent_client, sku):
    travel(START)
    case = escalate_and_take(open_request(signed_order(buyer, sku)), by=buyer, agent=agent)
    html = page(agent_client, f"/support/cases/{case.pk}/")
    targets = re.findall(r'aria-describedby="([^"]+)"', html)
    assert len(targets) >= 2  # the gift and postage deductions explain themselves
    for ids in targets:
        for target in ids.split():
            assert f'id="{target}"' in html, target


def test_case_page_has_no_inline_script_or_style(travel, buyer, agent, agent_client, sku):
    travel(START)
    case = escalate_and_take(open_request(signed_order(buyer, sku)), by=buyer, agent=agent)
    html = page(agent_client, f"/support/cases/{case.pk}/")
    assert " style=" not in html
    assert re.search(r"<script(?![^>]*\bsrc=)", html) is None
