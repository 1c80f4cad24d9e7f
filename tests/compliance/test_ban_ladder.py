"""Account bans in steps (梯度封禁): each ban of a merchant who was banned before takes the
next configured duration of the ladder, the last step repeating; the step is recorded on
the measure and its event."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from common import config
from compliance.enforcement import measures, rules
from compliance.enforcement.models import Measure
from shop.selectors.stores import store_abilities
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=TZ)


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant)


@pytest.mark.parametrize(("previous", "step"), [(None, 1), (1, 2), (2, 3), (3, 4), (4, 4),
                                                 (9, 4)])
def test_the_next_step_of_the_ladder(previous, step):
    assert rules.ban_step_next(previous, (7, 30, 90, 0)) == step


def test_the_last_step_of_zero_days_is_permanent():
    assert rules.ban_step_ends_at(4, (7, 30, 90, 0), NOW) is None
    assert rules.ban_step_ends_at(2, (7, 30, 90, 0), NOW) == NOW + timedelta(days=30)


def ban(store, reviewer, at):
    return measures.measure_apply(store=store, kind="account_ban_step", reason="梯度封禁",
                                  actor=reviewer, now=at)


def test_each_ban_steps_up_the_configured_ladder(store, reviewer, other_merchant):
    expected = [(1, 7), (2, 30), (3, 90), (4, None), (4, None)]
    at = NOW
    for step, days in expected:
        measure = ban(store, reviewer, at)
        assert measure.ban_step == step
        assert measure.ends_at == (None if days is None else at + timedelta(days=days))
        assert measure.events.get().data == {"ban_step": step,
                                             "days": 0 if days is None else days}
        assert {r.ends_at for r in measure.restrictions.all()} == {measure.ends_at}
        assert not store_abilities(store, now=at + timedelta(days=1)).may_sell
        at += timedelta(days=100)
    # the ladder is the merchant's own: another merchant starts at the first step
    assert ban(StoreFactory(merchant=other_merchant), reviewer, at).ban_step == 1


def test_a_lifted_or_ended_ban_still_counts(store, reviewer):
    first = ban(store, reviewer, NOW)
    measures.measure_lift(measure=first, reason="风险解除", actor=reviewer, now=NOW)
    second = ban(store, reviewer, NOW + timedelta(days=1))
    assert measures.measures_end_due(now=NOW + timedelta(days=40)) == 1
    assert Measure.objects.get(pk=second.pk).status == "ended"
    assert ban(store, reviewer, NOW + timedelta(days=41)).ban_step == 3


def test_the_ladder_is_configuration(store, reviewer):
    config.set_value("measure.ban_step1.days", 3)
    assert ban(store, reviewer, NOW).ends_at == NOW + timedelta(days=3)


def test_other_measures_take_no_step(store, reviewer):
    measure = measures.measure_apply(store=store, kind="suspend_cart", reason="x",
                                     actor=reviewer, now=NOW)
    assert measure.ban_step is None and measure.events.get().data == {}


def test_reviewers_see_the_step_of_each_ban(store, reviewer, reviewer_client):
    measure = ban(store, reviewer, NOW)
    listing = reviewer_client.get("/admin/compliance/measure/").content.decode()
    assert 'class="field-ban_step">1<' in listing
    page = reviewer_client.get(f"/admin/compliance/measure/{measure.pk}/change/")
    assert page.status_code == 200 and "field-ban_step" in page.content.decode()
