"""Deposits (保证金): opening the accounts, paying in through the payment provider,
deductions for compensation, manual adjustments, the evaluation of shortfalls (transfer
from the store account, then restriction) and the monthly dynamic adjustment.

Ledgers are append-only: every movement is a DepositEntry (or StoreAccountEntry) whose
balance_after continues the account's balance, written while the owner rows are locked.
Locks are always taken in this order, so two services never wait on each other in a
circle: order row (if any) → StoreAccount → DepositAccounts by pk."""

import logging
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

import shop.conf  # noqa: F401  (configuration keys)
from common import config, deadlines
from common.errors import ApplicationError
from common.idempotency import once
from common.money import to_money
from common.reasons import Label, clean, reason_fields
from common.workflows import transition_apply
from payments.providers import sandbox_enabled
from payments.services import (
    payment_instructions,
    payment_refund,
    payment_start,
    sandbox_pay,
)
from shop.models import (
    DepositAccount,
    DepositAdjustment,
    DepositAdjustmentRun,
    DepositEntry,
    DepositPayIn,
    DepositPayInEvent,
    Order,
    Store,
    StoreAccount,
    StoreAccountEntry,
)
from shop.notifications import notify_deposit_shortfall
from shop.reasons import R
from shop.rules import deposits as rules
from shop.rules.deposits import PAYIN_TRANSITIONS
from shop.selectors.deposits import deposit_requirements

logger = logging.getLogger(__name__)
SHANGHAI = ZoneInfo(settings.PLATFORM_TIME_ZONE)
KINDS = (DepositAccount.Kind.STORE, DepositAccount.Kind.PROMOTION)
MAX_PAYIN = Decimal("10000000.00")


# --- accounts and locks -----------------------------------------------------------------------
def deposit_accounts_open(*, store: Store, now: datetime | None = None) -> dict:
    """Both deposit accounts and the store account of a store, created on first use.
    A new deposit account gives the merchant until `pay_by` to pay before a shortfall
    restricts the store. Idempotent."""
    grace = timedelta(days=config.get("deposit.first_payment_days"))
    accounts = {}
    for kind in KINDS:
        accounts[kind], _created = DepositAccount.objects.get_or_create(
            store=store, kind=kind,
            defaults={"pay_by": (store.opened_at or now or timezone.now()) + grace},
        )
    StoreAccount.objects.get_or_create(store=store)
    return accounts


def accounts_lock(store: Store) -> tuple[StoreAccount, dict]:
    """The store account and the deposit accounts of a store, locked for the rest of the
    transaction, in the fixed order (store account first, deposits by pk)."""
    assert connection.in_atomic_block, "accounts_lock must run inside transaction.atomic"
    store_account = StoreAccount.objects.select_for_update().get(store=store)
    deposits = {
        a.kind: a
        for a in DepositAccount.objects.select_for_update().filter(store=store).order_by("pk")
    }
    return store_account, deposits


def _append(model, account, *, kind, amount, actor, reason, now, cause_type="", cause_id="",
            **extra):
    """Append one entry to a locked account and move its balance."""
    amount = to_money(amount)
    balance = to_money(account.balance + amount)
    entry = model.objects.create(
        account=account, kind=kind, amount=amount, balance_after=balance, actor=actor,
        at=now, cause_type=cause_type, cause_id=str(cause_id), **reason_fields(reason), **extra,
    )
    account.balance = balance
    account.save(update_fields=["balance", "updated_at"])
    return entry


def deposit_entry_append(account, **kwargs) -> DepositEntry:
    return _append(DepositEntry, account, **kwargs)


def store_entry_append(account, **kwargs) -> StoreAccountEntry:
    return _append(StoreAccountEntry, account, **kwargs)


# --- shortfall ------------------------------------------------------------------------------------
def _cover_and_restrict(store_account, account, *, now, actor=None) -> None:
    """For a locked deposit account whose required_amount is set: move what is missing
    from the store account's available balance, then restrict the store for the rest
    (once the first-payment clock has run out) or lift the restriction."""
    shortfall_before, restricted_before = account.shortfall, account.restricted_since
    if account.closed_at is not None:
        account.shortfall = Decimal("0.00")
        account.restricted_since = None
    else:
        missing = rules.shortfall(account.required_amount, account.balance)
        moved = rules.transfer_amount(missing, store_account.available)
        if moved > 0:
            entry = deposit_entry_append(
                account, kind=DepositEntry.Kind.TRANSFER, amount=moved, actor=actor,
                reason=R("shortfall_covered"), now=now,
                cause_type="store_account", cause_id="", data={"store_account": store_account.pk},
            )
            store_entry_append(
                store_account, kind=StoreAccountEntry.Kind.DEPOSIT_TRANSFER, amount=-moved,
                actor=actor, reason=R("transferred_to_deposit",
                                      deposit=Label("shop.DepositAccount.kind", account.kind)),
                now=now,
                cause_type="deposit_entry", cause_id=str(entry.pk),
            )
            missing -= moved
        account.shortfall = missing
        grace_running = account.pay_by is not None and account.pay_by > now
        if missing > 0 and not grace_running:
            account.restricted_since = account.restricted_since or now
        elif missing <= 0:
            account.restricted_since = None
    paid_while_required = account.shortfall == 0 and account.required_amount > 0
    if account.pay_by is not None and (account.pay_by <= now or paid_while_required):
        # The first-payment clock has fired, or the deposit was paid while required: from
        # now on a shortfall restricts at once. A deposit not required yet (the promotion
        # deposit before the first other-platform product) keeps its first-payment period.
        account.pay_by = None
    account.save(update_fields=["shortfall", "restricted_since", "pay_by", "updated_at"])
    notify_deposit_shortfall(account, shortfall_before=shortfall_before,
                             restricted_before=restricted_before, now=now)


def deposits_evaluate_locked(*, store, store_account, accounts, now, actor=None,
                             recompute: bool = True) -> None:
    """Recompute the requirements (when asked) and settle the shortfalls of locked
    accounts. Runs inside the caller's transaction."""
    if recompute:
        requirements = deposit_requirements(store, accounts)
        for kind, account in sorted(accounts.items(), key=lambda kv: kv[1].pk):
            req = requirements[kind]
            account.required_amount = req.amount
            account.required_lines = list(req.lines)
            account.required_at = now
            account.save(update_fields=["required_amount", "required_lines", "required_at",
                                        "updated_at"])
    for _kind, account in sorted(accounts.items(), key=lambda kv: kv[1].pk):
        _cover_and_restrict(store_account, account, now=now, actor=actor)


def deposit_evaluate(*, store: Store, actor=None, now: datetime | None = None) -> dict:
    """Recompute what the store's deposits must hold and apply the shortfall rule. Other
    modules call this when something the requirement rests on changed (a product entered
    review in a special category, a store became an industry-belt base)."""
    now = now or timezone.now()
    deposit_accounts_open(store=store, now=now)
    with transaction.atomic():
        store_account, accounts = accounts_lock(store)
        deposits_evaluate_locked(store=store, store_account=store_account, accounts=accounts,
                                 now=now, actor=actor)
    return accounts


def deposits_cover_from_account_locked(*, store_account, accounts, now, actor=None) -> None:
    """Money arrived on the store account: use it for any stored shortfall first."""
    for _kind, account in sorted(accounts.items(), key=lambda kv: kv[1].pk):
        if account.shortfall > 0 and store_account.available > 0:
            _cover_and_restrict(store_account, account, now=now, actor=actor)


# --- deductions -----------------------------------------------------------------------------------
def _existing_deduction(store, account, cause_type, cause_id):
    return DepositEntry.objects.filter(
        account__store=store, account__kind=account, kind=DepositEntry.Kind.DEDUCTION,
        cause_type=cause_type, cause_id=cause_id,
    ).first()


def deposit_deduct(
    *, store: Store, amount, cause_type: str, cause_id: str, actor, reason: str,
    account: str = "store", now: datetime | None = None,
) -> DepositEntry:
    """Deduct a compensation (e.g. 先行赔付 ruled in a dispute) from a deposit.

    Exactly once per (account, cause_type, cause_id): a repeated call, or a concurrent one,
    returns the first entry and moves nothing. The deposit may go below zero by at most
    `deposit.max_negative_balance`; what it cannot cover is recorded on the entry
    (`uncovered`, with `requested_amount` and `deducted`). Afterwards the shortfall is
    covered from the store account where possible, else the store is restricted."""
    now = now or timezone.now()
    amount = to_money(amount)
    cause_type, cause_id = str(cause_type).strip(), str(cause_id).strip()
    if amount <= 0:
        raise ApplicationError(_("A deduction must be more than zero."), code="invalid_amount")
    if account not in KINDS:
        raise ApplicationError(_("Unknown deposit."), code="unknown_deposit")
    if not cause_type or not cause_id or len(cause_type) > 24 or len(cause_id) > 64:
        raise ApplicationError(_("A deduction needs the cause it pays for."), code="no_cause")
    if not str(reason).strip():
        raise ApplicationError(_("A deduction needs a reason."), code="no_reason")
    reason = clean(reason)

    def find() -> DepositEntry | None:
        return _existing_deduction(store, account, cause_type, cause_id)

    def create() -> DepositEntry:
        store_account, accounts = accounts_lock(store)
        existing = find()  # deducted while this request waited for the lock
        if existing is not None:
            return existing
        target = accounts[account]
        deducted, uncovered = rules.deduction_split(
            amount, target.balance, config.get("deposit.max_negative_balance")
        )
        entry = deposit_entry_append(
            target, kind=DepositEntry.Kind.DEDUCTION, amount=-deducted, actor=actor,
            reason=reason, now=now, cause_type=cause_type, cause_id=cause_id,
            requested_amount=amount, uncovered=uncovered,
        )
        deposits_evaluate_locked(store=store, store_account=store_account,
                                 accounts=accounts, now=now, actor=actor)
        return entry

    existing = find()
    if existing is not None:
        return existing
    deposit_accounts_open(store=store, now=now)
    # The same cause winning a race in another transaction: that deduction stands.
    return once(find, create)[0]


# --- manual adjustments ------------------------------------------------------------------------------
def deposit_adjust(*, account: DepositAccount, amount, actor, reason: str, token: str,
                   now: datetime | None = None) -> DepositEntry:
    """A reviewer's manual adjustment (reason required); `token` makes a resubmitted form
    change nothing."""
    now = now or timezone.now()
    amount = to_money(amount)
    reason = clean(reason)
    if not reason:
        raise ApplicationError(_("An adjustment needs a reason."), code="no_reason", field="reason")
    if amount == 0:
        raise ApplicationError(_("An adjustment must move money."), code="invalid_amount",
                               field="amount")
    if not token:
        raise ApplicationError(_("The form has expired; open it again."), code="no_token")
    lookup = {"account": account, "kind": DepositEntry.Kind.ADJUSTMENT,
              "cause_type": "adjustment", "cause_id": token}
    store = account.store

    def create() -> DepositEntry:
        store_account, accounts = accounts_lock(store)
        locked = accounts[account.kind]
        entry = deposit_entry_append(
            locked, kind=DepositEntry.Kind.ADJUSTMENT, amount=amount, actor=actor,
            reason=reason, now=now, cause_type="adjustment", cause_id=token,
        )
        deposits_evaluate_locked(store=store, store_account=store_account,
                                 accounts=accounts, now=now, actor=actor)
        return entry

    return once(lambda: DepositEntry.objects.filter(**lookup).first(), create)[0]


# --- paying in ------------------------------------------------------------------------------------
DEPOSIT_PAYIN = "deposit.payin"
DEPOSIT_PAYIN_REFUND = "deposit.payin_refund"


def deposit_payin_start(*, store: Store, kind: str, amount, actor, token: str,
                        now: datetime | None = None) -> tuple[DepositPayIn, dict]:
    """The merchant pays into a deposit: a pending pay-in and its payment (the same ones
    for the same form token) and what the merchant needs to pay it."""
    now = now or timezone.now()
    amount = to_money(amount)
    if actor is None or store.merchant_id != actor.pk:
        raise ApplicationError(_("This is not your store."), code="not_yours")
    if kind not in KINDS:
        raise ApplicationError(_("Unknown deposit."), code="unknown_deposit", field="kind")
    if amount <= 0 or amount > MAX_PAYIN:
        raise ApplicationError(_("Enter an amount between ¥0.01 and ¥10,000,000."),
                               code="invalid_amount", field="amount")
    if not token:
        raise ApplicationError(_("The form has expired; open it again."), code="no_token")
    accounts = deposit_accounts_open(store=store, now=now)
    account = accounts[kind]
    if account.closed_at is not None:
        raise ApplicationError(_("This deposit was refunded when the store closed."),
                               code="deposit_closed")
    key = f"deposit-payin:{store.pk}:{token}"

    def create() -> DepositPayIn:
        payin = DepositPayIn.objects.create(
            account=account, amount=amount, idempotency_key=key, created_by=actor,
            created_at=now,
        )
        DepositPayInEvent.objects.create(
            payin=payin, from_status="", to_status=payin.status, actor=actor,
            at=now, **reason_fields(R("payin_started")))
        payin.payment = payment_start(
            purpose=DEPOSIT_PAYIN, subject_id=payin.pk, amount=amount,
            idempotency_key=f"deposit.payin:{payin.pk}", actor=actor,
            reference=f"store:{store.pk}", now=now,
        )
        payin.save(update_fields=["payment"])
        return payin

    payin = once(lambda: DepositPayIn.objects.select_related("payment")
                 .filter(idempotency_key=key).first(), create)[0]
    return payin, payment_instructions(payin.payment)


def deposit_payin_transition(*, payin: DepositPayIn, to: str, actor=None, reason: str = "",
                             now: datetime | None = None,
                             data: dict | None = None) -> DepositPayIn:
    """The one writer of a pay-in's status (`rules.PAYIN_TRANSITIONS`): the provider's
    answer, recorded when it came (`confirmed_at`). Moves a locked pay-in inside the
    caller's transaction and appends a DepositPayInEvent. An illegal move raises
    ApplicationError (code ``bad_state``) and writes nothing."""
    now = now or timezone.now()
    transition_apply(payin, table=PAYIN_TRANSITIONS, to=to, actor=actor, reason=reason,
                     now=now, event_model=DepositPayInEvent, event_fk="payin",
                     fields={"confirmed_at": now}, data=data)
    return payin


def deposit_payin_settled(payment, succeeded: bool, now: datetime) -> None:
    """The provider settled a pay-in's payment (purpose ``deposit.payin``, row locked).
    Failed: the pay-in failed. Paid (also after it was reported failed): the deposit is
    credited, once; money that arrives after the deposit was closed (refunded on closing
    the store) is sent straight back to the merchant and the pay-in is marked refunded,
    as an order's late payment is."""
    store_id = (DepositPayIn.objects.filter(pk=payment.subject_id)
                .values_list("account__store_id", flat=True).first())
    if store_id is None:
        return
    store = Store.objects.get(pk=store_id)
    store_account, accounts = accounts_lock(store)
    payin = DepositPayIn.objects.select_for_update().get(pk=payment.subject_id)
    data = {"payment": payment.provider_ref}
    if not succeeded:
        if payin.status == DepositPayIn.Status.PENDING:
            deposit_payin_transition(
                payin=payin, to=DepositPayIn.Status.FAILED, now=now, data=data,
                reason=R("payin_failed"))
        return
    if payin.status not in (DepositPayIn.Status.PENDING, DepositPayIn.Status.FAILED):
        return
    account = accounts[payin.account.kind]
    if account.closed_at is not None:
        refund = payment_refund(
            purpose=DEPOSIT_PAYIN_REFUND, subject_id=payin.pk, payee=payin.created_by,
            amount=payin.amount, idempotency_key=f"payin:{payin.pk}:refund", actor=None,
            reason=R("payin_after_closed"),
            reference=f"store:{store.pk}", now=now,
        )
        deposit_payin_transition(
            payin=payin, to=DepositPayIn.Status.REFUNDED, now=now,
            data={**data, "refund": refund.provider_ref},
            reason=R("payin_after_closed"))
        logger.info("deposit pay-in %s arrived after the deposit closed; refunded by %s",
                    payin.pk, refund.provider_ref)
        return
    deposit_payin_transition(
        payin=payin, to=DepositPayIn.Status.SUCCEEDED, now=now, data=data,
        reason=R("paid_through", provider=payment.provider))
    first = not account.entries.filter(
        kind__in=[DepositEntry.Kind.PAYMENT, DepositEntry.Kind.TOP_UP]).exists()
    deposit_entry_append(
        account, kind=DepositEntry.Kind.PAYMENT if first else DepositEntry.Kind.TOP_UP,
        amount=payin.amount, actor=payin.created_by,
        reason=R("paid_through", provider=R("sandbox_provider") if payment.provider == "sandbox"
                 else payment.provider), now=now,
        cause_type="payin", cause_id=str(payin.pk), payment=payment,
        data={"provider_ref": payment.provider_ref},
    )
    deposits_evaluate_locked(store=store, store_account=store_account, accounts=accounts,
                             now=now, actor=payin.created_by)


def deposit_payin_refund_settled(payment, succeeded: bool, now: datetime) -> None:
    """A pay-in sent back (purpose ``deposit.payin_refund``) settled. If it failed, the
    money is still with the platform: support pays it back by hand."""
    if not succeeded:
        logger.warning("refund %s of %s to user %s failed at the provider; pay it back by hand",
                       payment.provider_ref, payment.amount, payment.payee_id)


def deposit_payin_sandbox_confirm(payin: DepositPayIn, *, now: datetime | None = None):
    """Sandbox only: the sandbox posts its signed success callback for a pay-in, through
    the same path as a real provider's callback. Refused unless the sandbox is enabled
    (PAYMENT_SANDBOX_ENABLED, by default DEBUG): in production this would credit a deposit
    that nobody paid."""
    if not sandbox_enabled():
        raise ApplicationError(_("The sandbox payment provider is not available here."),
                               code="sandbox_disabled")
    if payin.payment is None or payin.payment.provider != "sandbox":
        raise ApplicationError(_("Only sandbox payments can be confirmed here."),
                               code="not_sandbox")
    return sandbox_pay(payin.payment, now=now)


# --- first-payment clock ------------------------------------------------------------------------
def deposits_first_payment_due(now: datetime, batch_size: int = 200) -> int:
    """Sweep: open accounts for stores that have none yet, and restrict stores whose
    first-payment clock ran out while a shortfall remains. The clock is cleared when it
    fires, so a second run changes nothing."""
    moved = 0
    missing = (Store.objects.filter(status=Store.Status.OPEN)
               .exclude(Exists(DepositAccount.objects.filter(store=OuterRef("pk"))))
               .order_by("pk"))
    for store in missing[:batch_size]:
        deposit_evaluate(store=store, now=now)
        moved += 1
    due = DepositAccount.objects.filter(pay_by__lte=now).order_by("pk")
    seen: set = set()
    while True:
        store_ids = list(dict.fromkeys(due.values_list("store_id", flat=True)[:batch_size]))
        if not store_ids or seen.issuperset(store_ids):
            return moved  # nothing due, or nothing more this sweep can move
        seen.update(store_ids)
        for store in Store.objects.filter(pk__in=store_ids).order_by("pk"):
            deposit_evaluate(store=store, now=now)
            moved += 1
        if len(store_ids) < batch_size:
            return moved


# --- monthly dynamic adjustment -------------------------------------------------------------------
def store_sales_for_month(store_ids, month: date) -> dict:
    """Sales of a natural month (platform time zone) per store: what was paid for orders paid
    that month, less what was refunded on them."""
    start, end = rules.month_bounds(month, SHANGHAI)
    rows = (
        Order.objects.filter(store_id__in=store_ids, paid_at__gte=start, paid_at__lt=end)
        .values("store_id").order_by()
        .annotate(total=Sum(F("paid_amount") - F("refunded_amount")))
    )
    return {row["store_id"]: to_money(row["total"] or 0) for row in rows}


def _adjust_store(*, run, store, sales, now) -> bool:
    """One store of the monthly run, in the caller's transaction: store the month's sales,
    recompute the requirements, record why, apply the shortfall rule. Returns whether a
    requirement changed; None if the store was already done this month."""
    if DepositAdjustment.objects.filter(store=store, sales_month=run.sales_month).exists():
        return None
    deposit_accounts_open(store=store, now=now)
    store_account, accounts = accounts_lock(store)
    before = {kind: accounts[kind].required_amount for kind in KINDS}
    for account in accounts.values():
        account.sales_month = run.sales_month
        account.sales_amount = sales
        account.save(update_fields=["sales_month", "sales_amount", "updated_at"])
    deposits_evaluate_locked(store=store, store_account=store_account, accounts=accounts,
                             now=now)
    after = {kind: accounts[kind].required_amount for kind in KINDS}
    changed = before != after
    DepositAdjustment.objects.create(
        run=run, store=store, sales_month=run.sales_month, sales_amount=sales,
        store_required_before=before[DepositAccount.Kind.STORE],
        store_required_after=after[DepositAccount.Kind.STORE],
        promotion_required_before=before[DepositAccount.Kind.PROMOTION],
        promotion_required_after=after[DepositAccount.Kind.PROMOTION],
        lines={kind: accounts[kind].required_lines for kind in KINDS},
        changed=changed, created_at=now,
    )
    if changed:
        transaction.on_commit(lambda: _notify_adjustment(store, before, after, run.sales_month))
    return changed


def _notify_adjustment(store, before, after, month) -> None:
    email = store.merchant.email
    if not email:
        return
    lines = [
        _("%(deposit)s: %(before)s → %(after)s") % {
            "deposit": DepositAccount.Kind(kind).label, "before": before[kind],
            "after": after[kind]}
        for kind in KINDS if before[kind] != after[kind]
    ]
    send_mail(
        _("Your required deposit changed"),
        _("Based on the sales of %(month)s:") % {"month": month.strftime("%Y-%m")}
        + "\n" + "\n".join(lines),
        None, [email], fail_silently=True,
    )


def deposit_monthly_adjust(*, sales_month: date | None = None, now: datetime | None = None,
                           actor=None, batch_size: int = 200) -> DepositAdjustmentRun:
    """The monthly adjustment (动态调整) by last natural month's sales (platform time zone).
    Resumable and idempotent: the run is one row per month with a cursor, each store gets
    one DepositAdjustment per month, so running it again (or twice at once) changes
    nothing for stores already done."""
    now = now or timezone.now()
    current_month = rules.month_start(now.astimezone(SHANGHAI).date())
    sales_month = rules.month_start(sales_month) if sales_month else rules.previous_month(
        current_month)
    if sales_month >= current_month:
        # The month's sales are not all in yet: a run now would finish on partial figures
        # and, being one per month, block the real run.
        raise ApplicationError(
            _("The sales of %(month)s are not complete yet: adjust by a month that has ended "
              "(at the latest %(last)s).") % {
                "month": sales_month.strftime("%Y-%m"),
                "last": rules.previous_month(current_month).strftime("%Y-%m")},
            code="month_not_over",
        )
    stores = Store.objects.filter(status__in=[Store.Status.OPEN, Store.Status.CLOSING])
    run, created = DepositAdjustmentRun.objects.get_or_create(
        sales_month=sales_month,
        defaults={"started_at": now, "started_by": actor, "total": stores.count()},
    )
    if run.status == DepositAdjustmentRun.Status.FINISHED:
        return run
    while True:
        with transaction.atomic():
            run = DepositAdjustmentRun.objects.select_for_update().get(pk=run.pk)
            if run.status == DepositAdjustmentRun.Status.FINISHED:
                return run
            batch = list(stores.filter(pk__gt=run.last_store_id).order_by("pk")[:batch_size])
            if not batch:
                run.status = DepositAdjustmentRun.Status.FINISHED
                run.finished_at = now
                run.total = max(run.total, run.done)
                run.save(update_fields=["status", "finished_at", "total"])
                return run
            sales = store_sales_for_month([s.pk for s in batch], sales_month)
            done = changed = 0
            for store in batch:
                result = _adjust_store(run=run, store=store,
                                       sales=sales.get(store.pk, Decimal("0.00")), now=now)
                if result is not None:
                    done += 1
                    changed += int(result)
            run.last_store_id = batch[-1].pk
            run.done = F("done") + done
            run.changed = F("changed") + changed
            run.save(update_fields=["last_store_id", "done", "changed"])
            run.refresh_from_db()


# Registered on import (the admin imports this module at start-up).
deadlines.register("deposits.first_payment_due")(deposits_first_payment_due)
