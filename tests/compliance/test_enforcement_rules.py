"""The credit-score node rules, table-driven (pure functions)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from compliance.enforcement import rules

NODES = rules.nodes_from([(80, 14), (60, 21), (40, 28), (20, 42), (0, 0)])
NOW = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")
ALL = set(rules.NODE_KINDS)


@pytest.mark.parametrize(
    ("before", "points", "after", "crossed", "node", "days"),
    [
        (100, 10, 90, (), None, None),            # no node
        (100, 20, 80, (80,), 80, 14),             # exactly on a node reaches it
        (85, 6, 79, (80,), 80, 14),               # single crossing
        (79, 19, 60, (60,), 60, 21),
        (61, 22, 39, (60, 40), 40, 28),           # two nodes: only the heaviest
        (100, 70, 30, (80, 60, 40), 40, 28),      # three nodes
        (100, 85, 15, (80, 60, 40, 20), 20, 42),  # four nodes
        (100, 120, 0, (80, 60, 40, 20, 0), 0, 0),  # to 0 (floored), permanent
        (5, 5, 0, (0,), 0, 0),
        (80, 0, 80, (), None, None),              # no points, nothing reached again
        (0, 10, 0, (), None, None),               # already at 0: nothing more
    ],
)
def test_nodes_crossed_apply_only_the_heaviest(before, points, after, crossed, node, days):
    plan = rules.deduction_plan(before=before, points=points, nodes=NODES, running={}, now=NOW)
    assert plan.after == after
    assert tuple(n.score for n in plan.crossed) == crossed
    assert (plan.node.score if plan.node else None) == node
    if node is None:
        assert plan.starts == ()
        return
    assert {s.kind for s in plan.starts} == ALL
    for start in plan.starts:
        assert start.node.score == node
        assert start.ends_at == (None if days == 0 else NOW + timedelta(days=days))


@pytest.mark.parametrize(
    ("before", "points", "running", "starts", "supersedes", "kept"),
    [
        # A heavier node while a lighter one runs replaces it.
        (75, 20, dict.fromkeys(ALL, 80), ALL, ALL, set()),
        # A lighter node while a heavier one runs (a new year) applies nothing.
        (100, 20, dict.fromkeys(ALL, 20), set(), set(), ALL),
        # The same node running (cannot normally happen twice; kept, not restarted).
        (85, 10, dict.fromkeys(ALL, 80), set(), set(), ALL),
        # Only the cart runs (a heavier node): the others start.
        (100, 20, {rules.CART: 0}, ALL - {rules.CART}, set(), {rules.CART}),
        # A measure-free store with a running warning only.
        (65, 10, {rules.WARNING: 80}, ALL, {rules.WARNING}, set()),
    ],
)
def test_a_node_while_a_same_kind_restriction_runs(before, points, running, starts,
                                                    supersedes, kept):
    plan = rules.deduction_plan(before=before, points=points, nodes=NODES, running=running,
                                now=NOW)
    assert {s.kind for s in plan.starts} == starts
    assert set(plan.supersedes) == supersedes
    assert set(plan.kept) == kept


@pytest.mark.parametrize(("before", "points", "reaches"), [
    (10, 10, True), (10, 30, True), (10, 9, False), (0, 5, False), (100, 100, True)])
def test_reaching_zero(before, points, reaches):
    plan = rules.deduction_plan(before=before, points=points, nodes=NODES, running={}, now=NOW)
    assert plan.reaches_zero is reaches


@pytest.mark.parametrize(("active", "score", "lifted"), [
    ([(1, 80)], 85, [1]),
    ([(1, 80)], 80, []),
    ([(1, 60), (2, 80)], 70, [1]),
    ([(1, 60), (2, 80)], 90, [1, 2]),
    ([(1, 0)], 10, [1]),
])
def test_restrictions_no_longer_holding(active, score, lifted):
    assert rules.restrictions_no_longer_holding(active, score) == lifted


@pytest.mark.parametrize(("moment", "year"), [
    (datetime(2026, 12, 31, 15, 59, 59, tzinfo=UTC), 2026),  # 23:59:59 in Shanghai
    (datetime(2026, 12, 31, 16, 0, 0, tzinfo=UTC), 2027),    # 00:00 on 1 January
    (datetime(2027, 1, 1, 12, 0, tzinfo=UTC), 2027),
])
def test_the_score_year_turns_at_midnight_platform_time(moment, year):
    assert rules.score_year(moment, SHANGHAI) == year


@pytest.mark.parametrize(("notified", "end"), [
    # noon on 1 March: ends at 23:59:59 on 8 March
    (datetime(2026, 3, 1, 12, 0, tzinfo=SHANGHAI), datetime(2026, 3, 8, 23, 59, 59,
                                                            tzinfo=SHANGHAI)),
    # 23:30 on 30 September, across the National Day holiday: natural days count the same
    (datetime(2026, 9, 30, 23, 30, tzinfo=SHANGHAI), datetime(2026, 10, 7, 23, 59, 59,
                                                             tzinfo=SHANGHAI)),
    # 00:30 local is still the previous day in UTC: the local date counts
    (datetime(2026, 3, 1, 16, 30, tzinfo=UTC), datetime(2026, 3, 9, 23, 59, 59,
                                                       tzinfo=SHANGHAI)),
])
def test_seven_natural_days_end_at_the_end_of_the_seventh_day(notified, end):
    assert rules.natural_days_end(notified, 7, SHANGHAI) == end


def test_every_violation_move_is_in_the_table():
    allowed = {(a, b) for a, targets in rules.VIOLATION_TRANSITIONS.items() for b in targets}
    assert allowed == {
        (rules.IN_FORCE, rules.APPEALED), (rules.IN_FORCE, rules.REVOKED),
        (rules.APPEALED, rules.UPHELD), (rules.APPEALED, rules.REVOKED),
        (rules.UPHELD, rules.REVOKED)}
    allowed = {(a, b) for a, targets in rules.RESTRICTION_TRANSITIONS.items() for b in targets}
    assert allowed == {(rules.ACTIVE, rules.ENDED), (rules.ACTIVE, rules.LIFTED),
                       (rules.ACTIVE, rules.SUPERSEDED)}


HOLIDAYS = {date(2026, 10, d) for d in (1, 2, 5, 6, 7)}
WORKDAYS = {date(2026, 9, 20), date(2026, 10, 10)}


@pytest.mark.parametrize(("notified", "days", "end"), [
    (date(2026, 3, 2), 3, date(2026, 3, 5)),     # Monday → Thursday
    (date(2026, 3, 6), 3, date(2026, 3, 11)),    # Friday: the weekend does not count
    (date(2026, 9, 30), 3, date(2026, 10, 10)),  # across National Day, to a working Saturday
    (date(2026, 9, 18), 1, date(2026, 9, 20)),   # a working Sunday counts
    (date(2026, 10, 3), 1, date(2026, 10, 8)),   # notified on a holiday weekend
])
def test_working_days_follow_the_calendar(notified, days, end):
    at = datetime.combine(notified, time(10, 0), tzinfo=SHANGHAI)
    assert rules.working_days_end(at, days, SHANGHAI, holidays=HOLIDAYS, workdays=WORKDAYS) == (
        datetime.combine(end, time(23, 59, 59), tzinfo=SHANGHAI))


@pytest.mark.parametrize(("start", "months", "end"), [
    (datetime(2026, 3, 9, 23, 59, 59), 2, datetime(2026, 5, 9, 23, 59, 59)),
    (datetime(2026, 12, 31, 8, 0), 2, datetime(2027, 2, 28, 8, 0)),
])
def test_key_supervision_months(start, months, end):
    assert rules.add_months(start.replace(tzinfo=SHANGHAI), months, SHANGHAI) == end.replace(
        tzinfo=SHANGHAI)
