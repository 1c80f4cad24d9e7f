"""Closing a store and refunding its deposits (关店退保证金).

The merchant applies (every condition the system can check must hold, except the
30-day public notice, which the application starts); reviewers decide within the review
clock. Approval pays each chosen deposit back through the payment provider, records the
refund in the ledger and closes what that deposit guaranteed: the store deposit own-product
selling, the promotion deposit other-platform products; with both gone the store closes.

A refund is a payout, and only the provider's answer makes it final:
- SUCCEEDED: the REFUND entry stands and the deposit is closed;
- PENDING: the REFUND entry holds the money off the deposit and the deposit is closed (so
  nothing else can take or transfer it), the application is REFUNDING until the provider's
  callback confirms it (`closure_payout_settled`);
- FAILED (at once or by callback): nothing was paid. No entry, or a REFUND_RETURNED entry
  putting the held money back; the deposit reopens and the application returns to the
  reviewers (PENDING), who approve again to retry.
The application is APPROVED, and the store CLOSED, only once every chosen refund succeeded."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

import shop.conf  # noqa: F401  (configuration keys)
from common import config
from common.errors import ApplicationError
from common.reasons import Label, reason_fields
from common.workflows import transition_apply
from payments.models import Payment
from payments.selectors import payment_live
from payments.services import PaymentFailedError, payment_payout
from shop.models import (
    ClosureApplication,
    ClosureEvent,
    DepositAccount,
    DepositEntry,
    Store,
)
from shop.reasons import R
from shop.rules import deposits as rules
from shop.rules.deposits import CLOSURE_TRANSITIONS
from shop.selectors.deposits import closure_checklist
from shop.selectors.stores import store_restriction_messages
from shop.services.deposits import (
    accounts_lock,
    deposit_accounts_open,
    deposit_entry_append,
    deposits_evaluate_locked,
)
from shop.services.stores import store_lock, store_transition


def closure_application_transition(*, application: ClosureApplication, to: str, actor,
                                   reason: str = "", now: datetime | None = None,
                                   data: dict | None = None) -> ClosureApplication:
    """The one writer of a closure application's status (`rules.CLOSURE_TRANSITIONS`).
    Moves a locked application inside the caller's transaction and appends a ClosureEvent.
    A final decision records when; a rejection also who and why. An illegal move raises
    ApplicationError (code ``bad_state``) and writes nothing."""
    now = now or timezone.now()
    state = {}
    if to in (ClosureApplication.Status.APPROVED, ClosureApplication.Status.REJECTED,
              ClosureApplication.Status.WITHDRAWN):
        state["decided_at"] = now
    if to == ClosureApplication.Status.REJECTED:
        state.update(reviewer=actor, rejection_reason=str(reason))
    transition_apply(application, table=CLOSURE_TRANSITIONS, to=to, actor=actor,
                     reason=reason, now=now, event_model=ClosureEvent, event_fk="application",
                     fields=state, data=data)
    return application


def _note(application, *, actor, reason, now, **data) -> None:
    """Something happened to the application without a move (an approval whose refund
    payout failed, a payout confirmed or failed while the application is not refunding or
    other payouts are outstanding): a timeline row from its status to the same status."""
    ClosureEvent.objects.create(application=application, from_status=application.status,
                                to_status=application.status, actor=actor,
                                at=now, data=data, **reason_fields(reason))


def _store_lock(store: Store) -> Store:
    return store_lock(store)


def _pending_or_raise(application: ClosureApplication) -> None:
    """The merchant and the reviewers act on an application under review only (one whose
    refund is being paid out waits for the provider); checked before anything is paid."""
    if application.status != ClosureApplication.Status.PENDING:
        raise ApplicationError(_("This application was already decided."), code="bad_state")


def _snapshot(conditions) -> list[dict]:
    return [{"code": c.code, "label": str(c.label), "state": c.state, "detail": str(c.detail)}
            for c in conditions]


def _blocking_text(conditions) -> str:
    return "; ".join(f"{c.label}: {c.detail}" if c.detail else str(c.label)
                     for c in conditions if c.blocked)


def closure_apply(*, store: Store, actor, refund_store_deposit: bool,
                  refund_promotion_deposit: bool, reason: str = "",
                  now: datetime | None = None) -> ClosureApplication:
    """The merchant applies to close the store and have one or both deposits refunded.
    The public closure notice and the review clock start now."""
    now = now or timezone.now()
    if actor is None or store.merchant_id != actor.pk:
        raise ApplicationError(_("This is not your store."), code="not_yours")
    if not (refund_store_deposit or refund_promotion_deposit):
        raise ApplicationError(_("Choose at least one deposit to refund."), code="nothing_chosen")
    accounts = deposit_accounts_open(store=store, now=now)
    kinds = []
    if refund_store_deposit:
        kinds.append(DepositAccount.Kind.STORE)
    if refund_promotion_deposit:
        kinds.append(DepositAccount.Kind.PROMOTION)
    if any(accounts[k].closed_at is not None for k in kinds):
        raise ApplicationError(_("That deposit was already refunded."), code="already_refunded")
    if store.status == Store.Status.CLOSED:
        raise ApplicationError(_("The store is already closed."), code="bad_state")
    conditions = closure_checklist(store, kinds=kinds, now=now)
    if not rules.closure_may_apply([(c.code, c.state) for c in conditions]):
        raise ApplicationError(
            _("You cannot apply yet: %(why)s") % {"why": _blocking_text(
                [c for c in conditions if c.code != "notice"])},
            code="conditions_not_met",
        )
    try:
        with transaction.atomic():
            store = _store_lock(store)
            application = ClosureApplication.objects.create(
                store=store, refund_store_deposit=refund_store_deposit,
                refund_promotion_deposit=refund_promotion_deposit,
                reason=(reason or "").strip()[:2000], applied_by=actor, applied_at=now,
                notice_until=now + timedelta(days=config.get("closure.notice_days")),
                review_by=now + timedelta(days=config.get("closure.review_days")),
                checklist=_snapshot(conditions),
            )
            ClosureEvent.objects.create(
                application=application, from_status="", to_status=application.status,
                actor=actor, at=now, **reason_fields((reason or "").strip() or R("closure_applied")))
            remaining = {a.kind for a in accounts.values() if a.closed_at is None}
            if remaining <= set(kinds) and store.status == Store.Status.OPEN:
                # The whole store is winding down: it takes no new orders or listings.
                store_transition(
                    store=store, to=Store.Status.CLOSING, actor=actor, now=now,
                    reason=R("store_closing"),
                    data={"closure": application.pk})
    except IntegrityError:
        raise ApplicationError(_("There is already a closure application under review."),
                               code="already_applied")
    return application


def _application_lock(application) -> ClosureApplication:
    return ClosureApplication.objects.select_for_update().select_related("store").get(
        pk=application.pk)


def _reopen_if_closing(store: Store, application, *, actor, reason, now) -> None:
    """A closure that will not close the store (withdrawn, rejected, or refunding only part
    of the deposits) opens it again."""
    if store.status == Store.Status.CLOSING:
        store_transition(store=store, to=Store.Status.OPEN, actor=actor, reason=reason,
                         now=now, data={"closure": application.pk})


def closure_withdraw(*, application: ClosureApplication, actor,
                     now: datetime | None = None) -> ClosureApplication:
    """The merchant withdraws a pending application; the store reopens."""
    now = now or timezone.now()
    with transaction.atomic():
        store = _store_lock(application.store)
        application = _application_lock(application)
        if actor is None or store.merchant_id != actor.pk:
            raise ApplicationError(_("This is not your store."), code="not_yours")
        _pending_or_raise(application)
        closure_application_transition(
            application=application, to=ClosureApplication.Status.WITHDRAWN, actor=actor,
            reason=R("closure_withdrawn"), now=now)
        _reopen_if_closing(
            store, application, actor=actor, now=now,
            reason=R("closure_withdrawn_store_open"))
    return application


def closure_reject(*, application: ClosureApplication, actor, reason: str,
                   now: datetime | None = None) -> ClosureApplication:
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the rejection."), code="no_reason",
                               field="reason")
    with transaction.atomic():
        store = _store_lock(application.store)
        application = _application_lock(application)
        _pending_or_raise(application)
        closure_application_transition(
            application=application, to=ClosureApplication.Status.REJECTED, actor=actor,
            reason=reason, now=now)
        _reopen_if_closing(
            store, application, actor=actor, now=now,
            reason=R("closure_rejected_store_open"))
    return application


CLOSURE_REFUND = "deposit.closure_refund"


def _refund_key(application, kind) -> str:
    return f"closure:{application.pk}:{kind}"


def _refund_payment(application, kind) -> Payment | None:
    """The live refund payout of one deposit of the application (a failed one has given
    its key up, so this is the succeeded or pending one, if any)."""
    return payment_live(_refund_key(application, kind))


def _refund_cause_id(account, application) -> str:
    """The first refund of a deposit is caused by the application; a retry after a failed
    payout is numbered, so each attempt is its own ledger cause."""
    attempts = DepositEntry.objects.filter(
        Q(cause_id=str(application.pk)) | Q(cause_id__startswith=f"{application.pk}/"),
        account=account, kind=DepositEntry.Kind.REFUND, cause_type="closure",
    ).count()
    return str(application.pk) if attempts == 0 else f"{application.pk}/{attempts + 1}"


def _deposit(account) -> Label:
    return Label("shop.DepositAccount.kind", account.kind)


def _close_account(account, now) -> None:
    account.closed_at = now
    account.shortfall = 0
    account.restricted_since = None
    account.pay_by = None
    account.required_amount = 0
    account.save(update_fields=["closed_at", "shortfall", "restricted_since", "pay_by",
                                "required_amount", "updated_at"])


def _closure_settle(application, store, accounts, *, actor, now, reason, **data) -> None:
    """Move a locked application to where its refunds stand: APPROVED (and the store
    closed, or reopened if only one deposit went) once every chosen deposit is refunded,
    REFUNDING while a payout is pending, back to PENDING when a payout failed."""
    old = application.status
    kinds = application.deposit_kinds
    paying = any(
        (p := _refund_payment(application, kind)) is not None
        and p.status == Payment.Status.PENDING
        for kind in kinds
    )
    if paying:
        new = ClosureApplication.Status.REFUNDING
    elif all(accounts[kind].closed_at is not None for kind in kinds):
        new = ClosureApplication.Status.APPROVED
    else:
        new = ClosureApplication.Status.PENDING
    if new == old:
        if data:
            _note(application, actor=actor, reason=reason, now=now, **data)
        return
    closure_application_transition(application=application, to=new, actor=actor,
                                   reason=reason, now=now, data=data)
    if new == ClosureApplication.Status.APPROVED:
        if all(a.closed_at is not None for a in accounts.values()):
            store_transition(store=store, to=Store.Status.CLOSED, actor=actor, now=now,
                             reason=R("store_closed"),
                             data={"closure": application.pk})
        else:
            _reopen_if_closing(
                store, application, actor=actor, now=now,
                reason=R("store_stays_open"))


def closure_approve(*, application: ClosureApplication, actor,
                    now: datetime | None = None) -> ClosureApplication:
    """Approve: every condition holds, checked by the system (no open after-sale case, no
    open violation appeal or sampling inspection …), and the notice has run its course;
    each chosen deposit is paid back and closed.

    The checklist is read after the store, the application and the accounts are locked, so
    nothing that changed since the reviewer opened the page (or in a transaction that
    committed meanwhile) slips through. Approving an application whose refund failed pays
    the deposits not refunded yet."""
    now = now or timezone.now()
    with transaction.atomic():
        store = _store_lock(application.store)
        application = _application_lock(application)
        _pending_or_raise(application)
        _store_account, accounts = accounts_lock(store)
        conditions = closure_checklist(store, kinds=application.deposit_kinds,
                                       application=application, now=now)
        states = [(c.code, c.state) for c in conditions]
        if not rules.closure_may_approve(states):
            blocked = _blocking_text(conditions)
            if blocked:
                raise ApplicationError(_("Cannot approve yet: %(why)s") % {"why": blocked},
                                       code="conditions_not_met")
            raise ApplicationError(
                _("A condition cannot be checked by the system: the closure cannot be "
                  "approved."),
                code="unchecked_conditions",
            )
        frozen = store_restriction_messages(store, "funds")
        if frozen:
            raise ApplicationError(
                _("The deposits cannot be paid out: %(why)s") % {"why": " ".join(frozen)},
                code="funds_frozen")
        refunds, failed = {}, []
        for kind in application.deposit_kinds:
            account = accounts[kind]
            if account.closed_at is not None:
                continue  # refunded by an earlier approval of this application
            amount = account.balance
            if amount <= 0:
                refunds[kind] = "0"
                _close_account(account, now)
                continue
            try:
                payment = payment_payout(
                    purpose=CLOSURE_REFUND, subject_id=application.pk,
                    reference=f"store:{store.pk}", payee=store.merchant, amount=amount,
                    idempotency_key=_refund_key(application, kind), actor=actor,
                    reason=R("deposit_refunded_on_closing", deposit=_deposit(account)),
                    now=now,
                )
            except PaymentFailedError as exc:
                # Nothing was paid: the deposit keeps its money and stays open.
                failed.append({"deposit": kind, "payment": exc.payment.provider_ref})
                continue
            # Paid, or pending at the provider: the money leaves the deposit now (held for
            # the payout) and the deposit stops guaranteeing anything.
            deposit_entry_append(
                account, kind=DepositEntry.Kind.REFUND, amount=-amount, actor=actor,
                reason=R("refunded_on_closing"), now=now, cause_type="closure",
                cause_id=_refund_cause_id(account, application), payment=payment,
                data={"closure": application.pk, "payout_status": payment.status},
            )
            refunds[kind] = str(amount)
            _close_account(account, now)
        application.reviewer = actor
        application.checklist = _snapshot(conditions)
        application.save(update_fields=["reviewer", "checklist"])
        if failed:
            reason = R("closure_approved_payout_failed")
        else:
            reason = R("closure_approved")
        _closure_settle(application, store, accounts, actor=actor, now=now, reason=reason,
                        refunds=refunds, failed=failed)
    return application


def closure_payout_settled(payment: Payment, succeeded: bool, now: datetime) -> None:
    """The provider's callback settled a pending deposit refund of a closure. On success
    the refund stands; on failure the held money goes back on the deposit, which reopens.
    Then the application moves on (APPROVED once every refund succeeded, back to the
    reviewers if one failed). Purpose ``deposit.closure_refund``."""
    entry = (DepositEntry.objects.filter(payment=payment, kind=DepositEntry.Kind.REFUND,
                                         cause_type="closure")
             .select_related("account").first())
    if entry is None:
        return
    application = ClosureApplication.objects.get(pk=entry.data["closure"])
    store = _store_lock(application.store)
    application = _application_lock(application)
    store_account, accounts = accounts_lock(store)
    account = accounts[entry.account.kind]
    data = {"deposit": account.kind, "payment": payment.provider_ref}
    if succeeded:
        reason = R("closure_refund_confirmed", deposit=_deposit(account))
    else:
        deposit_entry_append(
            account, kind=DepositEntry.Kind.REFUND_RETURNED, amount=-entry.amount, actor=None,
            reason=R("closure_refund_returned"), now=now,
            cause_type="closure", cause_id=entry.cause_id, payment=payment,
            data={"closure": application.pk, "refund_entry": entry.pk},
        )
        account.closed_at = None
        account.save(update_fields=["closed_at", "updated_at"])
        reason = R("closure_refund_failed", deposit=_deposit(account))
    if application.status == ClosureApplication.Status.REFUNDING:
        _closure_settle(application, store, accounts, actor=None, now=now, reason=reason,
                        **data)
    else:
        _note(application, actor=None, reason=reason, now=now, **data)
    if not succeeded:
        # The deposit guarantees again: its requirement and shortfall are worked out anew.
        deposits_evaluate_locked(store=store, store_account=store_account, accounts=accounts,
                                 now=now)
