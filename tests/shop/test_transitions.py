"""One transition writer per workflow, for withdrawals, closure applications, a store's
status and deposit pay-ins: each table allows exactly the moves written out here (every
other pair of statuses is refused), an illegal move raises ``bad_state`` and writes
nothing, and every legal move writes exactly one event row saying who and why."""

from dataclasses import dataclass
from datetime import timedelta
from itertools import product

import pytest
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from common.errors import ApplicationError
from common.workflows import can_move
from payments.models import Payment
from payments.services import sandbox_pay
from shop.models import (
    ClosureApplication,
    ClosureEvent,
    DepositPayIn,
    DepositPayInEvent,
    Store,
    StoreAccountEntry,
    StoreEvent,
    Withdrawal,
    WithdrawalEvent,
)
from shop.rules.deposits import CLOSURE_TRANSITIONS, PAYIN_TRANSITIONS, WITHDRAWAL_TRANSITIONS
from shop.rules.stores import STORE_TRANSITIONS
from shop.selectors import deposits as selectors
from shop.services.accounts import (
    store_account_adjust,
    withdrawal_reject,
    withdrawal_request,
    withdrawal_transition,
)
from shop.services.closure import (
    closure_application_transition,
    closure_apply,
    closure_approve,
    closure_reject,
    closure_withdraw,
)
from shop.services.deposits import (
    deposit_accounts_open,
    deposit_payin_start,
    deposit_payin_transition,
)
from shop.services.stores import store_lock, store_transition
from tests.factories import StoreFactory
from tests.shop.test_deposits_fixtures import D, account, opened_store, pay_deposit, token

# --- the tables, written out independently of shop.rules ------------------------------------
WITHDRAWAL_MOVES = {
    ("requested", "paying"), ("requested", "paid"), ("requested", "failed"),
    ("requested", "rejected"), ("paying", "paid"), ("paying", "failed"),
}
CLOSURE_MOVES = {
    ("pending", "refunding"), ("pending", "approved"), ("pending", "rejected"),
    ("pending", "withdrawn"), ("refunding", "approved"), ("refunding", "pending"),
}
STORE_MOVES = {("open", "closing"), ("closing", "open"), ("closing", "closed")}
PAYIN_MOVES = {
    ("pending", "succeeded"), ("pending", "failed"), ("pending", "refunded"),
    ("failed", "succeeded"), ("failed", "refunded"),
}

TABLES = {
    "withdrawal": (WITHDRAWAL_TRANSITIONS, Withdrawal.Status, WITHDRAWAL_MOVES),
    "closure": (CLOSURE_TRANSITIONS, ClosureApplication.Status, CLOSURE_MOVES),
    "store": (STORE_TRANSITIONS, Store.Status, STORE_MOVES),
    "payin": (PAYIN_TRANSITIONS, DepositPayIn.Status, PAYIN_MOVES),
}


def _all_pairs():
    for name, (_table, status, _moves) in TABLES.items():
        for old, new in product(status.values, repeat=2):
            yield pytest.param(name, old, new, id=f"{name}:{old}->{new}")


@pytest.mark.parametrize("name", list(TABLES))
def test_every_status_has_a_row_and_the_tables_are_pure(name):
    table, status, _moves = TABLES[name]
    assert set(table) == set(status.values)
    for targets in table.values():
        assert isinstance(targets, frozenset) and targets <= set(status.values)


@pytest.mark.parametrize("name, old, new", list(_all_pairs()))
def test_the_table_allows_exactly_the_listed_moves(name, old, new):
    table, _status, moves = TABLES[name]
    assert can_move(table, old, new) == ((old, new) in moves)


# --- the writers ---------------------------------------------------------------------------------
@dataclass
class Workflow:
    """How to make a row of a workflow in a given status, lock it, move it, read its events."""

    name: str
    make: callable
    model: type
    write: callable
    events: callable


def _store(merchant, status=Store.Status.OPEN):
    return StoreFactory(merchant=merchant, status=status)


def _withdrawal(merchant, status):
    return Withdrawal.objects.create(store=_store(merchant), amount=D("10"), token=token(),
                                     requested_by=merchant, status=status)


def _closure(merchant, status):
    now = timezone.now()
    return ClosureApplication.objects.create(
        store=_store(merchant, Store.Status.CLOSING), applied_by=merchant, status=status,
        notice_until=now + timedelta(days=30), review_by=now + timedelta(days=7))


def _payin(merchant, status):
    store = _store(merchant)
    account = deposit_accounts_open(store=store)["store"]
    return DepositPayIn.objects.create(account=account, amount=D("10"), created_by=merchant,
                                       idempotency_key=token(), status=status)


WORKFLOWS = {
    "withdrawal": Workflow(
        "withdrawal", _withdrawal, Withdrawal,
        lambda obj, **kw: withdrawal_transition(withdrawal=obj, **kw),
        lambda obj: WithdrawalEvent.objects.filter(withdrawal=obj)),
    "closure": Workflow(
        "closure", _closure, ClosureApplication,
        lambda obj, **kw: closure_application_transition(application=obj, **kw),
        lambda obj: ClosureEvent.objects.filter(application=obj)),
    "store": Workflow(
        "store", _store, Store,
        lambda obj, **kw: store_transition(store=obj, **kw),
        lambda obj: StoreEvent.objects.filter(store=obj)),
    "payin": Workflow(
        "payin", _payin, DepositPayIn,
        lambda obj, **kw: deposit_payin_transition(payin=obj, **kw),
        lambda obj: DepositPayInEvent.objects.filter(payin=obj)),
}


def _legal():
    for name, (_table, _status, moves) in TABLES.items():
        for old, new in sorted(moves):
            yield pytest.param(name, old, new, id=f"{name}:{old}->{new}")


def _illegal():
    for name, (_table, status, moves) in TABLES.items():
        for old, new in product(status.values, repeat=2):
            if (old, new) not in moves:
                yield pytest.param(name, old, new, id=f"{name}:{old}->{new}")


def _row(obj):
    fresh = type(obj).objects.get(pk=obj.pk)
    return model_to_dict(fresh) | {"updated_at": getattr(fresh, "updated_at", None)}


@pytest.mark.django_db
@pytest.mark.parametrize("name, old, new", list(_legal()))
def test_a_legal_move_writes_the_status_and_exactly_one_event(name, old, new, merchant,
                                                               reviewer):
    wf = WORKFLOWS[name]
    obj = wf.make(merchant, old)
    now = timezone.now()
    with transaction.atomic():
        locked = wf.model.objects.select_for_update().get(pk=obj.pk)
        wf.write(locked, to=new, actor=reviewer, reason="理由", now=now, data={"k": 1})
    obj.refresh_from_db()
    assert obj.status == new
    [event] = wf.events(obj)
    assert (event.from_status, event.to_status, event.actor, event.reason, event.at,
            event.data) == (old, new, reviewer, "理由", now, {"k": 1})


@pytest.mark.django_db
@pytest.mark.parametrize("name, old, new", list(_illegal()))
def test_an_illegal_move_raises_bad_state_and_writes_nothing(name, old, new, merchant,
                                                             reviewer):
    wf = WORKFLOWS[name]
    obj = wf.make(merchant, old)
    before = _row(obj)
    with transaction.atomic():
        locked = wf.model.objects.select_for_update().get(pk=obj.pk)
        with pytest.raises(ApplicationError) as exc:
            wf.write(locked, to=new, actor=reviewer, reason="理由", now=timezone.now())
        assert locked.status == old  # not even the object in memory moved
    assert exc.value.code == "bad_state"
    assert _row(obj) == before
    assert not wf.events(obj).exists()


# --- the fields of each state ---------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("to", ["paying", "paid", "failed", "rejected"])
def test_deciding_a_withdrawal_records_when_and_who(to, merchant, reviewer):
    withdrawal = _withdrawal(merchant, "requested")
    now = timezone.now()
    with transaction.atomic():
        withdrawal_transition(withdrawal=withdrawal, to=to, actor=reviewer, reason="原因",
                              now=now, fields={"automatic": False})
    withdrawal.refresh_from_db()
    assert (withdrawal.decided_at, withdrawal.reviewer) == (now, reviewer)
    assert withdrawal.rejection_reason == ("原因" if to == "rejected" else "")


@pytest.mark.django_db
def test_the_providers_answer_does_not_overwrite_the_decision(merchant, reviewer):
    withdrawal = _withdrawal(merchant, "requested")
    decided = timezone.now() - timedelta(hours=1)
    with transaction.atomic():
        withdrawal_transition(withdrawal=withdrawal, to="paying", actor=reviewer, now=decided)
        withdrawal_transition(withdrawal=withdrawal, to="paid", actor=None, now=timezone.now())
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.decided_at, withdrawal.reviewer) == (
        "paid", decided, reviewer)
    assert [e.actor for e in withdrawal.events.all()] == [reviewer, None]


@pytest.mark.django_db
@pytest.mark.parametrize("to, decided", [("refunding", False), ("approved", True),
                                         ("rejected", True), ("withdrawn", True)])
def test_a_final_closure_decision_records_when(to, decided, merchant, reviewer):
    application = _closure(merchant, "pending")
    now = timezone.now()
    with transaction.atomic():
        closure_application_transition(application=application, to=to, actor=reviewer,
                                       reason="原因", now=now)
    application.refresh_from_db()
    assert application.decided_at == (now if decided else None)
    if to == "rejected":
        assert (application.reviewer, application.rejection_reason) == (reviewer, "原因")


@pytest.mark.django_db
@pytest.mark.parametrize("to", ["succeeded", "failed", "refunded"])
def test_a_payins_answer_records_when(to, merchant):
    payin = _payin(merchant, "pending")
    now = timezone.now()
    with transaction.atomic():
        deposit_payin_transition(payin=payin, to=to, now=now)
    payin.refresh_from_db()
    assert payin.confirmed_at == now
    assert payin.events.get().actor is None  # the provider's answer: the system


# --- through the services -------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _no_open_cases(monkeypatch):
    monkeypatch.setattr(selectors, "OPEN_CASE_PROVIDERS", ())


@pytest.fixture
def funded(merchant, reviewer):
    from common import config

    config.set_value("account.withdrawal_auto_max", "0")
    store = opened_store(merchant)
    store_account_adjust(store=store, amount=D("800"), actor=reviewer, reason="货款",
                         token=token())
    return store


def _entries():
    return StoreAccountEntry.objects.count()


@pytest.mark.django_db
def test_rejecting_a_withdrawal_writes_one_event_with_the_reviewer_and_reason(funded,
                                                                              reviewer):
    w = withdrawal_request(store=funded, amount=D("300"), actor=funded.merchant, token="w1")
    assert [(e.from_status, e.to_status, e.actor) for e in w.events.all()] == [
        ("", "requested", funded.merchant)]
    withdrawal_reject(withdrawal=w, actor=reviewer, reason="信息不符")
    event = w.events.last()
    assert w.events.count() == 2
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        "requested", "rejected", reviewer, "信息不符")


@pytest.mark.django_db
def test_rejecting_a_decided_withdrawal_is_bad_state_and_writes_nothing(funded, reviewer):
    w = withdrawal_request(store=funded, amount=D("300"), actor=funded.merchant, token="w1")
    withdrawal_reject(withdrawal=w, actor=reviewer, reason="信息不符")
    events, entries, row = w.events.count(), _entries(), _row(w)
    with pytest.raises(ApplicationError) as exc:
        withdrawal_reject(withdrawal=w, actor=reviewer, reason="再次")
    assert exc.value.code == "bad_state"
    assert (w.events.count(), _entries(), _row(w)) == (events, entries, row)


@pytest.fixture
def paid_in(merchant):
    store = opened_store(merchant)
    pay_deposit(store, "500")
    pay_deposit(store, "500", kind="promotion")
    return store


def _apply(store, **kw):
    return closure_apply(store=store, actor=store.merchant, refund_store_deposit=True,
                         refund_promotion_deposit=True, reason="不做了",
                         now=timezone.now() - timedelta(days=31), **kw)


def _timeline(events):
    return [(e.from_status, e.to_status, e.actor) for e in events.order_by("at", "pk")]


@pytest.mark.django_db
def test_applying_to_close_puts_the_store_in_closing_with_an_event(paid_in):
    application = _apply(paid_in)
    paid_in.refresh_from_db()
    assert paid_in.status == Store.Status.CLOSING
    [event] = paid_in.events.all()
    assert (event.from_status, event.to_status, event.actor) == (
        "open", "closing", paid_in.merchant)
    assert event.reason_display and event.data == {"closure": application.pk}
    assert _timeline(application.events) == [("", "pending", paid_in.merchant)]


@pytest.mark.django_db
def test_withdrawing_reopens_the_store_and_a_second_withdrawal_writes_nothing(paid_in):
    application = _apply(paid_in)
    closure_withdraw(application=application, actor=paid_in.merchant)
    merchant = paid_in.merchant
    assert _timeline(application.events) == [("", "pending", merchant),
                                             ("pending", "withdrawn", merchant)]
    assert _timeline(paid_in.events) == [("open", "closing", merchant),
                                         ("closing", "open", merchant)]
    paid_in.refresh_from_db()
    assert paid_in.status == Store.Status.OPEN
    counts = (application.events.count(), paid_in.events.count())
    row = _row(application)
    with pytest.raises(ApplicationError) as exc:
        closure_withdraw(application=application, actor=merchant)
    assert exc.value.code == "bad_state"
    assert (application.events.count(), paid_in.events.count()) == counts
    assert _row(application) == row


@pytest.mark.django_db
def test_rejecting_reopens_the_store_with_the_reviewer_as_actor(paid_in, reviewer):
    application = _apply(paid_in)
    closure_reject(application=application, actor=reviewer, reason="资料不全")
    last = application.events.last()
    assert (last.from_status, last.to_status, last.actor, last.reason) == (
        "pending", "rejected", reviewer, "资料不全")
    assert _timeline(paid_in.events)[-1] == ("closing", "open", reviewer)


@pytest.mark.django_db
def test_approving_closes_the_store_once_with_events(paid_in, reviewer):
    application = _apply(paid_in)
    closure_approve(application=application, actor=reviewer)
    paid_in.refresh_from_db()
    assert paid_in.status == Store.Status.CLOSED
    assert _timeline(paid_in.events) == [("open", "closing", paid_in.merchant),
                                         ("closing", "closed", reviewer)]
    assert _timeline(application.events)[-1] == ("pending", "approved", reviewer)
    with pytest.raises(ApplicationError) as exc:
        closure_approve(application=application, actor=reviewer)
    assert exc.value.code == "bad_state"
    with transaction.atomic():
        with pytest.raises(ApplicationError) as exc:
            store_transition(store=store_lock(paid_in), to=Store.Status.OPEN, actor=reviewer)
    assert exc.value.code == "bad_state"
    assert paid_in.events.count() == 2


@pytest.mark.django_db
def test_approving_one_deposit_of_an_open_store_leaves_its_status_alone(paid_in, reviewer):
    application = closure_apply(store=paid_in, actor=paid_in.merchant,
                                refund_store_deposit=True, refund_promotion_deposit=False,
                                now=timezone.now() - timedelta(days=31))
    closure_approve(application=application, actor=reviewer)
    paid_in.refresh_from_db()
    assert paid_in.status == Store.Status.OPEN and not paid_in.events.exists()


@pytest.mark.django_db
def test_a_payin_has_a_timeline_from_start_to_the_providers_answer(merchant):
    store = opened_store(merchant)
    payin, _info = deposit_payin_start(store=store, kind="store", amount=D("500"),
                                       actor=merchant, token=token())
    sandbox_pay(payin.payment, succeeded=False)
    sandbox_pay(payin.payment, succeeded=True)  # the money arrived after all
    sandbox_pay(payin.payment, succeeded=True)  # a repeated callback
    payin.refresh_from_db()
    assert payin.status == DepositPayIn.Status.SUCCEEDED
    assert _timeline(payin.events) == [("", "pending", merchant), ("pending", "failed", None),
                                       ("failed", "succeeded", None)]
    assert all(e.reason_display for e in payin.events.all())
    assert payin.events.last().data == {"payment": payin.payment.provider_ref}
    assert account(store).balance == D("500.00")


@pytest.mark.django_db
def test_a_payin_arriving_after_the_deposit_closed_is_refunded_with_an_event(paid_in, reviewer):
    payin, _info = deposit_payin_start(store=paid_in, kind="store", amount=D("100"),
                                       actor=paid_in.merchant, token=token())
    closure_approve(application=_apply(paid_in), actor=reviewer)
    sandbox_pay(payin.payment)
    payin.refresh_from_db()
    assert payin.status == DepositPayIn.Status.REFUNDED
    last = payin.events.last()
    assert (last.from_status, last.to_status, last.actor) == ("pending", "refunded", None)
    refund = Payment.objects.get(kind=Payment.Kind.REFUND, subject_id=str(payin.pk))
    assert last.data["refund"] == refund.provider_ref


# --- the admin shows the timelines, read-only, with labels --------------------------------------
@pytest.mark.django_db
def test_the_store_and_payin_admin_pages_show_labelled_read_only_timelines(
        paid_in, reviewer, reviewer_client, settings):
    settings.LANGUAGE_CODE = "en"
    _apply(paid_in)
    page = reviewer_client.get(f"/admin/shop/store/{paid_in.pk}/change/",
                               HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Timeline" in html and "Closing" in html and paid_in.merchant.username in html
    assert 'name="events-0-reason"' not in html  # shown, not editable
    assert "Open → Closing" in html and "StoreEvent object" not in html
    payin = DepositPayIn.objects.filter(account__store=paid_in).first()
    page = reviewer_client.get(f"/admin/shop/depositpayin/{payin.pk}/change/",
                               HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Succeeded" in html and "System" in html
    assert ">succeeded<" not in html  # the label, not the code
