"""The store account (货款): settlement of completed orders less the technical service
fee, refunds after settlement, withdrawals (reviewed, or paid automatically under a
configured amount) and manual adjustments. Append-only like the deposits; the same lock
order applies (order → StoreAccount → DepositAccounts)."""

from datetime import datetime
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import shop.conf  # noqa: F401  (configuration keys)
from common import config
from common.errors import ApplicationError
from common.idempotency import once
from common.money import to_money
from common.reasons import reason_fields
from common.workflows import transition_apply
from payments.models import Payment
from payments.services import PaymentFailedError, payment_payout
from shop import order_extensions
from shop.models import (
    Order,
    OrderLine,
    Store,
    StoreAccount,
    StoreAccountEntry,
    Withdrawal,
    WithdrawalEvent,
)
from shop.notifications import notify_order_settled, notify_withdrawal_result
from shop.reasons import R
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


def store_accounts_lock(store_ids) -> dict[int, StoreAccount]:
    """The store accounts of several stores (made if missing), locked in pk order: a
    movement between two stores (a commission) never waits crosswise on another."""
    assert connection.in_atomic_block, "store_accounts_lock must run inside transaction.atomic"
    ids = sorted(set(store_ids))
    for store_id in ids:
        StoreAccount.objects.get_or_create(store_id=store_id)
    return {account.store_id: account for account in
            StoreAccount.objects.select_for_update().filter(store_id__in=ids).order_by("pk")}


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
    parties = order_extensions.settle_parties(order)
    if parties:
        store_accounts_lock([order.store_id, *parties])
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
        reason=R("order_completed", number=order.number), now=now,
        cause_type="order", cause_id=str(order.pk), order=order,
        data={"gross": str(gross), "fee": str(fee), "lines": lines},
    ) if gross - fee > 0 else None
    if entry is not None:
        notify_order_settled(order, entry, now=now)
    # e.g. the promoter's commission, paid out of this settlement
    order_extensions.settle(order, store_account, now)
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
        reason=R("refund_after_settlement", number=order.number),
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
        actor=actor, reason=R("refund_reversed"),
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

    def create() -> StoreAccountEntry:
        store_account, deposits = _locked(store)
        entry = store_entry_append(
            store_account, kind=StoreAccountEntry.Kind.ADJUSTMENT, amount=amount,
            actor=actor, reason=reason, now=now, cause_type="adjustment", cause_id=token,
        )
        deposits_cover_from_account_locked(store_account=store_account, accounts=deposits,
                                           now=now, actor=actor)
        return entry

    return once(lambda: StoreAccountEntry.objects.filter(**lookup).first(), create)[0]


# --- paid promotion (推广) -------------------------------------------------------------------------
def store_account_charge_promotion(*, store: Store, amount, cause_type: str, cause_id,
                                   actor, reason, now: datetime) -> StoreAccountEntry:
    """Take a paid promotion's budget from the store account's available balance (the
    promotions app calls this inside its transaction, its own row locked first). Refused
    when the balance is short; once per cause."""
    assert connection.in_atomic_block, "a promotion charge must run inside transaction.atomic"
    amount = to_money(amount)
    store_account, _deposits = _locked(store)
    existing = StoreAccountEntry.objects.filter(
        account=store_account, kind=StoreAccountEntry.Kind.PROMOTION_CHARGE,
        cause_type=cause_type, cause_id=str(cause_id)).first()
    if existing is not None:
        return existing
    if amount <= 0 or amount > store_account.available:
        raise ApplicationError(
            _("The store account's available balance (%(available)s) does not cover "
              "%(amount)s.") % {"available": store_account.available, "amount": amount},
            code="insufficient_balance", field="budget")
    return store_entry_append(
        store_account, kind=StoreAccountEntry.Kind.PROMOTION_CHARGE, amount=-amount,
        actor=actor, reason=reason, now=now, cause_type=cause_type, cause_id=str(cause_id))


def store_account_refund_promotion(*, store: Store, amount, cause_type: str, cause_id,
                                   actor, reason, now: datetime) -> StoreAccountEntry | None:
    """Give a paid promotion's unspent budget back to the store account (once per cause);
    the money is used for any deposit shortfall first, like every credit."""
    assert connection.in_atomic_block, "a promotion refund must run inside transaction.atomic"
    amount = to_money(amount)
    if amount <= 0:
        return None
    store_account, deposits = _locked(store)
    lookup = {"kind": StoreAccountEntry.Kind.PROMOTION_REFUND, "cause_type": cause_type,
              "cause_id": str(cause_id)}
    if StoreAccountEntry.objects.filter(account=store_account, **lookup).exists():
        return None
    entry = store_entry_append(store_account, amount=amount, actor=actor, reason=reason,
                               now=now, **lookup)
    deposits_cover_from_account_locked(store_account=store_account, accounts=deposits, now=now,
                                       actor=actor)
    return entry


# --- credit score at 0 ----------------------------------------------------------------------------
def store_account_forfeit_on_credit_zero(*, store_id: int, violation, reason, now: datetime
                                         ) -> StoreAccountEntry | None:
    """The credit score reached 0 (compliance announces it): what is left on the store
    account is deducted, once per store."""
    store = Store.objects.get(pk=store_id)
    store_account, _deposits = _locked(store)
    if store_account.balance <= 0:
        return None
    lookup = {"kind": StoreAccountEntry.Kind.ADJUSTMENT, "cause_type": "credit_zero",
              "cause_id": str(store_id)}
    if StoreAccountEntry.objects.filter(account=store_account, **lookup).exists():
        return None
    return store_entry_append(
        store_account, amount=-store_account.balance, actor=None, reason=reason, now=now,
        data={"violation": violation.pk}, **lookup)


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
    notify_withdrawal_result(withdrawal, now=now)
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
    def find() -> Withdrawal | None:
        return Withdrawal.objects.filter(store=store, token=token).first()

    def create() -> Withdrawal:
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
            reason=R("withdrawal_requested"), now=now, cause_type="withdrawal",
            cause_id=str(withdrawal.pk),
        )
        WithdrawalEvent.objects.create(
            withdrawal=withdrawal, from_status="", to_status=withdrawal.status, actor=actor,
            at=now, **reason_fields(R("withdrawal_requested")))
        return withdrawal

    existing = find()
    if existing:
        return existing
    _may_withdraw_or_raise(store)
    withdrawal, created = once(find, create)
    if not created:
        return withdrawal
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
    reason = R("withdrawal_failed")
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
                reason=R("withdrawal_of_store", store=withdrawal.store.name),
                now=now,
            )
        except PaymentFailedError as exc:
            payment = exc.payment
        fields = {"payment": payment, "automatic": automatic}
        if payment.status == Payment.Status.SUCCEEDED:
            withdrawal_transition(
                withdrawal=withdrawal, to=Withdrawal.Status.PAID, actor=actor,
                reason=R("paid_out_automatically") if automatic else R("approved_paid_out"),
                now=now, fields=fields, data={"payment": payment.provider_ref})
        elif payment.status == Payment.Status.PENDING:
            withdrawal_transition(
                withdrawal=withdrawal, to=Withdrawal.Status.PAYING, actor=actor,
                reason=R("approved_paying"),
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
                              reason=R("payout_confirmed"), now=now,
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
