"""The store account (货款): settlement of completed orders less the technical service
fee, refunds after settlement, withdrawals (reviewed, or paid automatically under a
configured amount) and manual adjustments. Append-only like the deposits; the same lock
order applies (order → StoreAccount → DepositAccounts)."""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import shop.conf  # noqa: F401  (configuration keys)
from common import config
from common.errors import ApplicationError
from common.money import to_money
from common.workflows import transition_apply
from payments.models import Payment
from payments.services import PaymentFailedError, payment_payout
from shop.models import (
    Order,
    OrderLine,
    Store,
    StoreAccount,
    StoreAccountEntry,
    Withdrawal,
    WithdrawalEvent,
)
from shop.rules import deposits as rules
from shop.rules.deposits import WITHDRAWAL_TRANSITIONS
from shop.services.deposits import (
    accounts_lock,
    deposits_cover_from_account_locked,
    store_entry_append,
)

WITHDRAWAL_PAYOUT = "store_account.withdrawal"


def store_account_get(store: Store) -> StoreAccount:
    return StoreAccount.objects.get_or_create(store=store)[0]


def _locked(store: Store):
    store_account_get(store)
    return accounts_lock(store)


# --- settlement -----------------------------------------------------------------------------------
def service_fee_rate_for(category, cache: dict) -> Decimal:
    """The technical service fee rate of a category (inherited), or the configured default."""
    key = category.pk if category is not None else None
    if key not in cache:
        rate = None
        if category is not None:
            from compliance.services import category_resolve

            rate = category_resolve(category).service_fee_rate
        cache[key] = Decimal(rate) if rate is not None else config.get(
            "category.default_service_fee_rate")
    return cache[key]


def store_account_settle_order(*, order: Order, now: datetime, actor=None,
                               rate_cache: dict | None = None) -> StoreAccountEntry | None:
    """An order completed: what was paid for it (less refunds so far) minus the service fee
    of each line's category becomes available balance. Once per order. Runs inside the
    caller's transaction, with the order row locked."""
    assert connection.in_atomic_block, "settlement must run inside transaction.atomic"
    rate_cache = {} if rate_cache is None else rate_cache
    gross = to_money(order.paid_amount - order.refunded_amount)
    if gross <= 0:
        return None
    store_account, deposits = _locked(order.store)
    if StoreAccountEntry.objects.filter(
        account=store_account, kind=StoreAccountEntry.Kind.SETTLEMENT, cause_type="order",
        cause_id=str(order.pk),
    ).exists():
        return None
    lines = []
    fee = Decimal("0.00")
    for line in OrderLine.objects.filter(order=order).select_related(
            "product__category__parent__parent"):
        net = to_money(line.paid_amount - line.refunded_amount)
        rate = service_fee_rate_for(line.product.category, rate_cache)
        line_fee = rules.service_fee(net, rate)
        fee += line_fee
        lines.append({"line": line.pk, "amount": str(net), "rate": str(rate), "fee": str(line_fee)})
    line_total = sum((Decimal(line["amount"]) for line in lines), Decimal("0.00"))
    if line_total > gross:
        # Part of the order was refunded without naming a line: the fee follows the money.
        fee = to_money(fee * gross / line_total)
    fee = min(fee, gross)
    entry = store_entry_append(
        store_account, kind=StoreAccountEntry.Kind.SETTLEMENT, amount=gross - fee, actor=actor,
        reason=_("Order %(number)s completed") % {"number": order.number}, now=now,
        cause_type="order", cause_id=str(order.pk), order=order,
        data={"gross": str(gross), "fee": str(fee), "lines": lines},
    ) if gross - fee > 0 else None
    deposits_cover_from_account_locked(store_account=store_account, accounts=deposits, now=now)
    return entry


def store_account_settle_orders(*, order_ids, now: datetime) -> int:
    """Settle a batch of locked, just-completed orders (the completion sweep). Stores are
    taken in pk order so two batches never lock store accounts in opposite orders."""
    orders = Order.objects.filter(pk__in=order_ids, status=Order.Status.COMPLETED).select_related(
        "store").order_by("store_id", "pk")
    cache: dict = {}
    count = 0
    for order in orders:
        if store_account_settle_order(order=order, now=now, rate_cache=cache):
            count += 1
    return count


def store_account_refund_after_settlement(*, order: Order, payment: Payment, actor,
                                          now: datetime) -> StoreAccountEntry | None:
    """A refund of an order that was already settled takes the money back from the store
    account (less the service fee charged on it, which the platform gives back). Once per
    refund payment. Nothing to do for an order not settled yet: its settlement will count
    only what was not refunded."""
    assert connection.in_atomic_block, "refund debits must run inside transaction.atomic"
    settlement = StoreAccountEntry.objects.filter(
        kind=StoreAccountEntry.Kind.SETTLEMENT, cause_type="order", cause_id=str(order.pk),
    ).select_related("account").first()
    if settlement is None:
        return None
    store_account, _deposits = _locked(order.store)
    if StoreAccountEntry.objects.filter(
        account=store_account, kind=StoreAccountEntry.Kind.REFUND, cause_type="payment",
        cause_id=str(payment.pk),
    ).exists():
        return None
    debit = rules.refund_debit(payment.amount, Decimal(settlement.data.get("gross", "0")),
                               Decimal(settlement.data.get("fee", "0")))
    if debit <= 0:
        return None
    return store_entry_append(
        store_account, kind=StoreAccountEntry.Kind.REFUND, amount=-debit, actor=actor,
        reason=_("Refund on order %(number)s after settlement") % {"number": order.number},
        now=now, cause_type="payment", cause_id=str(payment.pk), order=order, payment=payment,
        data={"refund": str(payment.amount)},
    )


def store_account_refund_reverse(*, payment: Payment, actor, now: datetime
                                 ) -> StoreAccountEntry | None:
    """A refund debited after settlement failed at the provider: give the debit back to
    the store account (once per refund payment) and use it for any deposit shortfall."""
    assert connection.in_atomic_block, "refund reversals must run inside transaction.atomic"
    debit = StoreAccountEntry.objects.filter(
        kind=StoreAccountEntry.Kind.REFUND, cause_type="payment", cause_id=str(payment.pk),
    ).select_related("account__store").first()
    if debit is None:
        return None
    store_account, deposits = _locked(debit.account.store)
    if StoreAccountEntry.objects.filter(
        account=store_account, kind=StoreAccountEntry.Kind.REFUND_REVERSED,
        cause_type="payment", cause_id=str(payment.pk),
    ).exists():
        return None
    entry = store_entry_append(
        store_account, kind=StoreAccountEntry.Kind.REFUND_REVERSED, amount=-debit.amount,
        actor=actor, reason=_("The refund failed at the payment provider; the debit is reversed"),
        now=now, cause_type="payment", cause_id=str(payment.pk), order=debit.order,
        payment=payment, data={"debit_entry": debit.pk},
    )
    deposits_cover_from_account_locked(store_account=store_account, accounts=deposits, now=now,
                                       actor=actor)
    return entry


# --- manual adjustment ----------------------------------------------------------------------------
def store_account_adjust(*, store: Store, amount, actor, reason: str, token: str,
                         now: datetime | None = None) -> StoreAccountEntry:
    now = now or timezone.now()
    amount = to_money(amount)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("An adjustment needs a reason."), code="no_reason", field="reason")
    if amount == 0:
        raise ApplicationError(_("An adjustment must move money."), code="invalid_amount",
                               field="amount")
    if not token:
        raise ApplicationError(_("The form has expired; open it again."), code="no_token")
    lookup = {"kind": StoreAccountEntry.Kind.ADJUSTMENT, "cause_type": "adjustment",
              "cause_id": token, "account__store": store}
    existing = StoreAccountEntry.objects.filter(**lookup).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            store_account, deposits = _locked(store)
            entry = store_entry_append(
                store_account, kind=StoreAccountEntry.Kind.ADJUSTMENT, amount=amount,
                actor=actor, reason=reason, now=now, cause_type="adjustment", cause_id=token,
            )
            deposits_cover_from_account_locked(store_account=store_account, accounts=deposits,
                                               now=now, actor=actor)
    except IntegrityError:
        existing = StoreAccountEntry.objects.filter(**lookup).first()
        if existing is None:
            raise
        return existing
    return entry


# --- withdrawals ----------------------------------------------------------------------------------
def withdrawal_transition(*, withdrawal: Withdrawal, to: str, actor, reason: str = "",
                          now: datetime | None = None, fields: dict | None = None,
                          data: dict | None = None) -> Withdrawal:
    """The one writer of a withdrawal's status (`rules.WITHDRAWAL_TRANSITIONS`). Moves a
    locked withdrawal inside the caller's transaction and appends a WithdrawalEvent.
    Leaving "requested" is the decision: it records when and who (``None``: the automatic
    payout); a rejection keeps its reason. `fields` are further columns of the move (the
    payout, whether it was automatic). An illegal move raises ApplicationError (code
    ``bad_state``) and writes nothing."""
    now = now or timezone.now()
    state = {}
    if withdrawal.status == Withdrawal.Status.REQUESTED:
        state.update(decided_at=now, reviewer=actor)
    if to == Withdrawal.Status.REJECTED:
        state["rejection_reason"] = str(reason)
    state.update(fields or {})
    transition_apply(withdrawal, table=WITHDRAWAL_TRANSITIONS, to=to, actor=actor,
                     reason=reason, now=now, event_model=WithdrawalEvent,
                     event_fk="withdrawal", fields=state, data=data)
    return withdrawal


def _requested_or_raise(withdrawal: Withdrawal) -> None:
    """Reviewers decide a requested withdrawal only (one being paid out waits for the
    provider); checked before anything is paid out."""
    if withdrawal.status != Withdrawal.Status.REQUESTED:
        raise ApplicationError(_("This withdrawal was already decided."), code="bad_state")


def _may_withdraw_or_raise(store):
    from shop.selectors.stores import store_abilities

    abilities = store_abilities(store)
    if not abilities.may_withdraw:
        raise ApplicationError(
            _("Withdrawals are blocked: %(why)s") % {"why": " ".join(str(r) for r in abilities.reasons)},
            code="withdrawal_blocked",
        )


def withdrawal_request(*, store: Store, amount, actor, token: str,
                       now: datetime | None = None) -> Withdrawal:
    """The merchant asks to withdraw available balance. The money leaves the account at
    once (so it cannot be asked for twice); under the configured amount it is paid out
    automatically, otherwise a reviewer decides."""
    now = now or timezone.now()
    amount = to_money(amount)
    if actor is None or store.merchant_id != actor.pk:
        raise ApplicationError(_("This is not your store."), code="not_yours")
    if amount <= 0:
        raise ApplicationError(_("A withdrawal must be more than zero."), code="invalid_amount",
                               field="amount")
    if not token:
        raise ApplicationError(_("The form has expired; open it again."), code="no_token")
    existing = Withdrawal.objects.filter(store=store, token=token).first()
    if existing:
        return existing
    _may_withdraw_or_raise(store)
    try:
        with transaction.atomic():
            store_account, _deposits = _locked(store)
            if amount > store_account.available:
                raise ApplicationError(
                    _("You can withdraw at most %(amount)s.") % {"amount": store_account.available},
                    code="insufficient_balance", field="amount",
                )
            withdrawal = Withdrawal.objects.create(
                store=store, amount=amount, token=token, requested_by=actor, requested_at=now,
            )
            store_entry_append(
                store_account, kind=StoreAccountEntry.Kind.WITHDRAWAL, amount=-amount, actor=actor,
                reason=_("Withdrawal requested"), now=now, cause_type="withdrawal",
                cause_id=str(withdrawal.pk),
            )
            WithdrawalEvent.objects.create(
                withdrawal=withdrawal, from_status="", to_status=withdrawal.status, actor=actor,
                reason=_("Withdrawal requested"), at=now)
    except IntegrityError:
        existing = Withdrawal.objects.filter(store=store, token=token).first()
        if existing is None:
            raise
        return existing
    auto_max = config.get("account.withdrawal_auto_max")
    if auto_max > 0 and amount <= auto_max:
        try:
            withdrawal = withdrawal_approve(withdrawal=withdrawal, actor=None, now=now,
                                            automatic=True)
        except ApplicationError:
            pass  # stays in the reviewers' queue
    return withdrawal


def _withdrawal_failed(withdrawal, store_account, deposits, payment, actor, now, *,
                       fields=None) -> None:
    """The payout moved nothing: the withdrawal failed and the held money goes back on the
    account."""
    reason = _("The payout failed; the money is back on the account")
    withdrawal_transition(withdrawal=withdrawal, to=Withdrawal.Status.FAILED, actor=actor,
                          reason=reason, now=now, fields=fields,
                          data={"payment": payment.provider_ref})
    store_entry_append(
        store_account, kind=StoreAccountEntry.Kind.WITHDRAWAL_RETURNED,
        amount=withdrawal.amount, actor=actor, reason=reason, now=now,
        cause_type="withdrawal", cause_id=str(withdrawal.pk), payment=payment,
    )
    deposits_cover_from_account_locked(store_account=store_account, accounts=deposits, now=now,
                                       actor=actor)


def withdrawal_approve(*, withdrawal: Withdrawal, actor, now: datetime | None = None,
                       automatic: bool = False) -> Withdrawal:
    """Pay a requested withdrawal out through the payment provider (once: the payout's
    idempotency key is the withdrawal). Paid when the provider says it succeeded; while it
    is pending the money stays held off the account (PAYING) until the provider's callback
    settles it (`withdrawal_payout_settled`); if it failed the money comes back."""
    now = now or timezone.now()
    _may_withdraw_or_raise(withdrawal.store)
    with transaction.atomic():
        store_account, deposits = _locked(withdrawal.store)
        withdrawal = Withdrawal.objects.select_for_update().select_related("store").get(
            pk=withdrawal.pk)
        _requested_or_raise(withdrawal)
        try:
            payment = payment_payout(
                purpose=WITHDRAWAL_PAYOUT, subject_id=withdrawal.pk,
                reference=f"store:{withdrawal.store_id}",
                payee=withdrawal.store.merchant, amount=withdrawal.amount,
                idempotency_key=f"withdrawal:{withdrawal.pk}", actor=actor,
                reason=_("Withdrawal of store %(store)s") % {"store": withdrawal.store.name},
                now=now,
            )
        except PaymentFailedError as exc:
            payment = exc.payment
        fields = {"payment": payment, "automatic": automatic}
        if payment.status == Payment.Status.SUCCEEDED:
            withdrawal_transition(
                withdrawal=withdrawal, to=Withdrawal.Status.PAID, actor=actor,
                reason=_("Paid out automatically") if automatic else _("Approved and paid out"),
                now=now, fields=fields, data={"payment": payment.provider_ref})
        elif payment.status == Payment.Status.PENDING:
            withdrawal_transition(
                withdrawal=withdrawal, to=Withdrawal.Status.PAYING, actor=actor,
                reason=_("Approved; waiting for the payment provider to confirm the payout"),
                now=now, fields=fields, data={"payment": payment.provider_ref})
        else:
            _withdrawal_failed(withdrawal, store_account, deposits, payment, actor, now,
                               fields=fields)
    return withdrawal


def withdrawal_payout_settled(payment: Payment, succeeded: bool, now: datetime) -> None:
    """The provider settled the payout of a withdrawal being paid out (purpose
    ``store_account.withdrawal``): PAID, or FAILED with the money back on the account.
    Runs inside the callback's transaction."""
    store_id = (Withdrawal.objects.filter(payment=payment)
                .values_list("store_id", flat=True).first())
    if store_id is None:
        return
    store_account, deposits = _locked(Store.objects.get(pk=store_id))
    withdrawal = Withdrawal.objects.select_for_update().get(payment=payment)
    if withdrawal.status != Withdrawal.Status.PAYING:
        return  # already settled: a repeated callback changes nothing
    if succeeded:
        withdrawal_transition(withdrawal=withdrawal, to=Withdrawal.Status.PAID, actor=None,
                              reason=_("The payment provider confirmed the payout"), now=now,
                              data={"payment": payment.provider_ref})
    else:
        _withdrawal_failed(withdrawal, store_account, deposits, payment, None, now)


def withdrawal_reject(*, withdrawal: Withdrawal, actor, reason: str,
                      now: datetime | None = None) -> Withdrawal:
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give the reason for the rejection."), code="no_reason",
                               field="reason")
    with transaction.atomic():
        store_account, deposits = _locked(withdrawal.store)
        withdrawal = Withdrawal.objects.select_for_update().get(pk=withdrawal.pk)
        _requested_or_raise(withdrawal)
        withdrawal_transition(withdrawal=withdrawal, to=Withdrawal.Status.REJECTED, actor=actor,
                              reason=reason, now=now)
        store_entry_append(
            store_account, kind=StoreAccountEntry.Kind.WITHDRAWAL_RETURNED,
            amount=withdrawal.amount, actor=actor, reason=reason, now=now,
            cause_type="withdrawal", cause_id=str(withdrawal.pk),
        )
        deposits_cover_from_account_locked(store_account=store_account, accounts=deposits,
                                           now=now, actor=actor)
    return withdrawal
