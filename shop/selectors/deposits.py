"""Reads of deposits, the store account and closure: requirements with their reasons,
the stored shortfall, ledgers scoped to the merchant, the closure checklist and the
public closure notice."""

import importlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, DecimalField, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

import shop.conf  # noqa: F401  (configuration keys)
from common import config
from common.money import format_cny, to_money
from compliance.models import Category
from shop.models import (
    CategoryInvitation,
    ClosureApplication,
    DepositAccount,
    DepositAdjustment,
    DepositEntry,
    DepositPayIn,
    Order,
    Product,
    Store,
    StoreAccount,
    StoreAccountEntry,
    Withdrawal,
)
from shop.rules import deposits as rules

KINDS = (DepositAccount.Kind.STORE, DepositAccount.Kind.PROMOTION)
# Products that count: on sale or waiting for review.
ACTIVE_PRODUCT_STATUSES = (Product.Status.LISTED, Product.Status.IN_REVIEW)
OPEN_ORDER_STATUSES = (
    Order.Status.PENDING_PAYMENT, Order.Status.PAID, Order.Status.SHIPPED, Order.Status.SIGNED,
)
# A closure application not decided for good: under review, or approved with a refund payout
# the provider has not confirmed yet.
OPEN_CLOSURE_STATUSES = (ClosureApplication.Status.PENDING, ClosureApplication.Status.REFUNDING)


# --- configuration --------------------------------------------------------------------------
def deposit_table() -> rules.DepositTable:
    return rules.DepositTable(
        base_store=config.get("deposit.base_store"),
        base_promotion=config.get("deposit.base_promotion"),
        tiers=(
            rules.SalesTier(config.get("deposit.tier1_min_sales"),
                            config.get("deposit.tier1_store"),
                            config.get("deposit.tier1_promotion")),
            rules.SalesTier(config.get("deposit.tier2_min_sales"),
                            config.get("deposit.tier2_store"),
                            config.get("deposit.tier2_promotion")),
        ),
    )


# --- requirements ---------------------------------------------------------------------------
def _nearest(chain, field):
    for node in chain:  # self first, then parents
        value = getattr(node, field)
        if value is not None:
            return value
    return None


def store_category_deposits(store: Store) -> list[rules.CategoryDeposit]:
    """Special deposits of the categories of the store's products on sale or in review,
    and of the invitation-only categories it is invited into (a blank amount inherits the
    parent's). One query."""
    categories = Category.objects.filter(
        Q(products__store=store, products__status__in=ACTIVE_PRODUCT_STATUSES)
        | Q(store_invitations__store=store,
            store_invitations__status=CategoryInvitation.Status.INVITED)
    ).select_related("parent__parent").distinct()
    result = [_category_deposit(category) for category in categories]
    return result


def store_promotes_other_platform(store: Store) -> bool:
    return Product.objects.filter(
        store=store, kind=Product.Kind.OTHER_PLATFORM, status__in=ACTIVE_PRODUCT_STATUSES
    ).exists()


def deposit_requirements(store: Store, accounts: dict | None = None) -> dict:
    """The required amount of each deposit now, with its reasons. The sales tier uses the
    sales figure the last monthly adjustment stored on the account."""
    accounts = accounts or {a.kind: a for a in store.deposit_accounts.all()}
    table = deposit_table()
    categories = store_category_deposits(store)
    promotes = store_promotes_other_platform(store)
    result = {}
    for kind in KINDS:
        account = accounts.get(kind)
        closed = account is not None and account.closed_at is not None
        result[kind] = rules.deposit_requirement(
            kind, table=table, categories=categories, industry_base=store.industry_base,
            sales=account.sales_amount if account else None,
            sales_month=account.sales_month if account else None,
            applies=not closed and (kind == DepositAccount.Kind.STORE or promotes),
        )
    return result


def requirement_line_text(line: dict) -> str:
    """One reason of a requirement, in the reader's language."""
    amount = format_cny(line.get("amount", "0"))
    code = line.get("code")
    if code == "base":
        return _("Base amount: %(amount)s") % {"amount": amount}
    if code == "category":
        if line.get("industry_base"):
            return _("Special category “%(category)s”, industry-belt base price: %(amount)s") % {
                "category": line.get("category", ""), "amount": amount}
        return _("Special category “%(category)s”: %(amount)s") % {
            "category": line.get("category", ""), "amount": amount}
    if code == "sales_tier":
        return _("Sales of %(month)s were %(sales)s, at least %(min)s: %(amount)s") % {
            "month": line.get("month", ""), "sales": format_cny(line.get("sales", "0")),
            "min": format_cny(line.get("min_sales", "0")), "amount": amount}
    if code == "sales_below_tiers":
        return _("Sales of %(month)s were %(sales)s, below every tier: %(amount)s") % {
            "month": line.get("month", ""), "sales": format_cny(line.get("sales", "0")),
            "amount": amount}
    if code == "not_required":
        return _("Not required: the store promotes no other-platform products.")
    return amount


def _category_deposit(category: Category) -> rules.CategoryDeposit:
    chain = [category]
    node = category
    while node.parent_id is not None:
        node = node.parent
        chain.append(node)
    return rules.CategoryDeposit(
        name=category.name,
        standard=_nearest(chain, "deposit_standard"),
        industry_base=_nearest(chain, "deposit_industry_base"),
        invitation_only=any(c.invitation_only for c in chain),
    )


def category_deposit(category_id: int) -> rules.CategoryDeposit | None:
    """A category's special deposit as a store adding it would meet it (None: no such
    category)."""
    category = Category.objects.select_related("parent__parent").filter(pk=category_id).first()
    return _category_deposit(category) if category is not None else None


def deposit_explanations(store: Store, *, sales=None, extra_categories=(),
                         accounts: dict | None = None) -> dict:
    """Every rule considered for each deposit of the store, as `rules.requirement_explained`
    weighs them: the store's categories (plus `extra_categories`, for the what-if), the
    sales the last monthly adjustment stored (or `sales`, for the what-if), the base."""
    accounts = accounts if accounts is not None else {
        a.kind: a for a in DepositAccount.objects.filter(store=store)}
    table = deposit_table()
    categories = store_category_deposits(store) + list(extra_categories)
    promotes = store_promotes_other_platform(store)
    result = {}
    for kind in KINDS:
        account = accounts.get(kind)
        closed = account is not None and account.closed_at is not None
        if sales is not None:
            kind_sales, month = sales, None
        else:
            kind_sales = account.sales_amount if account else None
            month = account.sales_month if account else None
        result[kind] = rules.requirement_explained(
            kind, table=table, categories=categories, industry_base=store.industry_base,
            sales=kind_sales, sales_month=month,
            applies=not closed and (kind == DepositAccount.Kind.STORE or promotes),
        )
    return result


def explanation_rows(explanation: rules.Explanation) -> list[dict]:
    """The rules of an explanation as the deposit page's table shows them: the rule, the
    facts it rests on, what it asks for (or why it asks nothing) and whether it decides."""
    rows = []
    for rule in explanation.rules:
        facts = rule.facts
        if rule.code == "base":
            label, detail = _("Base amount"), _("Every store pays at least this.")
        elif rule.code == "category":
            label = _("Category “%(category)s”") % {"category": facts["category"]}
            detail = {
                "standard": _("Special deposit of this category."),
                "industry_base": _("Industry-belt base price of this category."),
                "no_special": _("No special deposit: the base amount applies."),
                "invitation_only": _("Invitation-only category: it asks nothing of a store "
                                     "outside an industry-belt base."),
            }[rule.why]
        else:
            label = (_("Sales of %(month)s") % {"month": facts["month"]} if facts.get("month")
                     else _("Last month's sales"))
            if rule.why == "no_sales":
                detail = _("No monthly sales figure yet: no tier applies.")
            else:
                tiers = "; ".join(
                    _("from %(min)s: %(amount)s") % {"min": format_cny(m), "amount": format_cny(a)}
                    for m, a in facts["tiers"])
                if rule.why == "tier":
                    detail = _("%(sales)s reaches the tier from %(min)s (tiers: %(tiers)s).") % {
                        "sales": format_cny(facts["sales"]), "min": format_cny(facts["min_sales"]),
                        "tiers": tiers}
                else:
                    detail = _("%(sales)s is below every tier (tiers: %(tiers)s).") % {
                        "sales": format_cny(facts["sales"]), "tiers": tiers}
        rows.append({"label": label, "detail": detail, "amount": rule.amount,
                     "decisive": rule.decisive})
    return rows


def explanation_verdict(explanation: rules.Explanation) -> str:
    """Why the winner wins, in one sentence."""
    if not explanation.applies:
        return _("Not required: the store promotes no other-platform products.")
    winner = explanation.winner
    amount = format_cny(explanation.amount)
    if winner.code == "base":
        text = _("%(amount)s: no category or sales tier asks for more than the base amount.") % {
            "amount": amount}
    elif winner.code == "category":
        text = _("%(amount)s: the category “%(category)s” asks for the most of all the rules "
                 "considered.") % {"amount": amount, "category": winner.facts["category"]}
    else:
        text = _("%(amount)s: the tier your sales reach asks for more than the base and every "
                 "category.") % {"amount": amount}
    if explanation.tied:
        n = len(explanation.tied)
        text += " " + ngettext("%(n)d other rule asks for the same amount.",
                               "%(n)d other rules ask for the same amount.", n) % {"n": n}
    return text


@dataclass
class DepositState:
    """One deposit as the merchant's page shows it: one consistent set of figures.
    `required` is the amount `shortfall` and `to_pay` are computed from, and `lines`
    explain that amount (balance + shortfall == required whenever something is missing)."""

    account: DepositAccount
    lines: list  # (text, amount, decisive), explaining `required`
    balance: Decimal
    required: Decimal
    shortfall: Decimal
    to_pay: Decimal  # what paying now must bring in to clear the shortfall
    # What the requirement is from the store's products and sales right now. When it is
    # below `required`, the stored requirement (which the restrictions rest on) has not been
    # re-evaluated yet: re-evaluation will lower it to `will_drop_to`.
    live_required: Decimal = Decimal("0.00")
    will_drop_to: Decimal | None = None


def deposit_shortfall(store: Store) -> dict:
    """The stored state of the store's deposits, as the evaluation service left it:
    {"restricted": bool, "total": Decimal, "accounts": {kind: {...}}}. One query."""
    accounts = {a.kind: a for a in DepositAccount.objects.filter(store=store)}
    out = {"restricted": False, "total": Decimal("0.00"), "accounts": {}}
    for kind, account in accounts.items():
        out["accounts"][kind] = {
            "required": account.required_amount,
            "balance": account.balance,
            "shortfall": account.shortfall,
            "restricted_since": account.restricted_since,
            "pay_by": account.pay_by,
            "closed": account.closed_at is not None,
        }
        out["total"] += account.shortfall
        out["restricted"] = out["restricted"] or account.restricted_since is not None
    return out


@dataclass(frozen=True)
class DepositsPaid:
    paid: bool
    missing: Decimal  # what the open deposits lack in all
    has_store_deposit: bool  # an open store deposit is held


def deposits_paid(store: Store) -> DepositsPaid:
    """Whether the store's deposits are fully paid (`rules.deposits_fully_paid`), as every
    feature that requires it asks (campaign sign-ups, lightning purchase). One query."""
    accounts = deposit_shortfall(store)["accounts"]
    held = "store" in accounts and not accounts["store"]["closed"]
    return DepositsPaid(paid=rules.deposits_fully_paid(accounts),
                        missing=rules.deposits_missing(accounts), has_store_deposit=held)


def _line_rows(lines) -> list:
    return [(requirement_line_text(line), Decimal(str(line.get("amount", "0"))),
             line.get("decisive", False)) for line in lines]


def deposit_states(store: Store) -> list[DepositState]:
    """For the deposit page: each account with the requirement its shortfall is computed
    from, explained line by line. That is the larger of the stored requirement (what the
    restrictions rest on) and the live one (what the store's products and sales ask for
    now): a requirement that went up must be paid at once; one that went down still
    applies until it is re-evaluated, and the page says what it will drop to."""
    accounts = {a.kind: a for a in DepositAccount.objects.filter(store=store)}
    requirements = deposit_requirements(store, accounts)
    states = []
    for kind in KINDS:
        account = accounts.get(kind)
        req = requirements[kind]
        if account is None:
            # Not opened yet (the first payment opens it): what it will ask for, unsaved.
            account = DepositAccount(store=store, kind=kind)
        if account.closed_at is not None:
            states.append(DepositState(
                account=account, lines=[], balance=account.balance, required=Decimal("0.00"),
                shortfall=Decimal("0.00"), to_pay=Decimal("0.00"),
                live_required=Decimal("0.00"),
            ))
            continue
        live, stored = req.amount, account.required_amount
        if stored > live:
            required, lines, will_drop_to = stored, account.required_lines, live
        else:
            required, lines, will_drop_to = live, req.lines, None
        short = rules.shortfall(required, account.balance)
        states.append(DepositState(
            account=account, lines=_line_rows(lines), balance=account.balance,
            required=required, shortfall=short, to_pay=short, live_required=live,
            will_drop_to=will_drop_to,
        ))
    return states


# --- merchant-scoped lists ----------------------------------------------------------------------
def deposit_accounts_for_merchant(user):
    return DepositAccount.objects.for_merchant(user).select_related("store")


def deposit_entries_for_merchant(user, *, account_kind="", kind="", date_from=None,
                                 date_to=None):
    qs = DepositEntry.objects.for_merchant(user).select_related("account", "actor")
    if account_kind:
        qs = qs.filter(account__kind=account_kind)
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-pk")


def store_account_entries_for_merchant(user, *, kind="", date_from=None, date_to=None):
    qs = StoreAccountEntry.objects.for_merchant(user).select_related("actor", "order")
    if kind:
        qs = qs.filter(kind=kind)
    if date_from:
        qs = qs.filter(at__date__gte=date_from)
    if date_to:
        qs = qs.filter(at__date__lte=date_to)
    return qs.order_by("-pk")


def withdrawals_for_merchant(user):
    return Withdrawal.objects.for_merchant(user).order_by("-requested_at", "-pk")


def payins_for_merchant(user):
    return DepositPayIn.objects.for_merchant(user).select_related("account")


def store_account_for(store: Store) -> StoreAccount | None:
    return StoreAccount.objects.filter(store=store).first()


def store_account_or_blank(store: Store) -> StoreAccount:
    """The store account, or an unsaved empty one while none exists (a read creates no
    row: the services that move money open the account)."""
    return store_account_for(store) or StoreAccount(store=store)


def latest_adjustments(store: Store, limit: int = 3):
    return list(DepositAdjustment.objects.filter(store=store).order_by("-sales_month")[:limit])


def balance_series(account, *, limit: int = 200) -> list:
    """(at, balance_after) of the last `limit` entries of a deposit or store account,
    oldest first, for the chart."""
    if account.pk is None:
        return []
    model = DepositEntry if isinstance(account, DepositAccount) else StoreAccountEntry
    rows = list(
        model.objects.filter(account=account).order_by("-pk")
        .values_list("at", "balance_after")[:limit]
    )
    rows.reverse()
    return rows


# --- closure --------------------------------------------------------------------------------------
@dataclass
class Condition:
    code: str
    label: str
    state: str  # rules.OK / BLOCKED / UNKNOWN
    detail: str = ""

    @property
    def ok(self):
        return self.state == rules.OK

    @property
    def blocked(self):
        return self.state == rules.BLOCKED


# Other apps answer "does this store have open cases?" through these functions. A function
# that cannot be found shows as not checked yet, which blocks the approval.
OPEN_CASE_PROVIDERS = (
    ("disputes", "disputes.selectors", "store_has_open_cases",
     gettext_noop("No open after-sale request or escalation")),
    ("compliance_cases", "compliance.enforcement.selectors", "store_has_open_cases",
     gettext_noop("No open violation appeal or sampling inspection")),
)


def _open_case_provider(module_name: str, function_name: str):
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        return None
    return getattr(module, function_name, None)


def closure_checklist(store: Store, *, kinds, application: ClosureApplication | None = None,
                      now=None) -> list[Condition]:
    """Every condition of closing the store and refunding the deposits of `kinds`, each
    with its state and what blocks it."""
    now = now or timezone.now()
    kinds = set(kinds)
    conditions = []
    product_kinds = []
    if DepositAccount.Kind.STORE in kinds:
        product_kinds.append(Product.Kind.OWN)
    if DepositAccount.Kind.PROMOTION in kinds:
        product_kinds.append(Product.Kind.OTHER_PLATFORM)

    products = Product.objects.filter(store=store, kind__in=product_kinds).aggregate(
        listed=Count("pk", filter=Q(status=Product.Status.LISTED)),
        in_review=Count("pk", filter=Q(status=Product.Status.IN_REVIEW)),
    )
    listed, in_review = products["listed"], products["in_review"]
    conditions.append(Condition(
        "products", _("All relevant products delisted and none waiting for review"),
        rules.BLOCKED if listed or in_review else rules.OK,
        _("%(listed)d listed, %(review)d in review: delist them or withdraw them from review.")
        % {"listed": listed, "review": in_review} if listed or in_review else "",
    ))

    if DepositAccount.Kind.STORE in kinds:
        orders = Order.objects.filter(store=store)
        open_orders = orders.filter(status__in=OPEN_ORDER_STATUSES).count()
        conditions.append(Condition(
            "orders", _("All orders completed or closed"),
            rules.BLOCKED if open_orders else rules.OK,
            _("%(n)d orders are still open.") % {"n": open_orders} if open_orders else "",
        ))
        quiet_days = config.get("closure.quiet_days")
        last = orders.filter(status=Order.Status.COMPLETED).aggregate(m=Max("completed_at"))["m"]
        if last is None or last + timedelta(days=quiet_days) <= now:
            conditions.append(Condition(
                "quiet_period",
                _("At least %(days)d days since the last order completed") % {"days": quiet_days},
                rules.OK,
            ))
        else:
            conditions.append(Condition(
                "quiet_period",
                _("At least %(days)d days since the last order completed") % {"days": quiet_days},
                rules.BLOCKED,
                _("The last order completed on %(last)s; possible from %(from)s.") % {
                    "last": timezone.localtime(last).strftime("%Y-%m-%d"),
                    "from": timezone.localtime(last + timedelta(days=quiet_days)).strftime("%Y-%m-%d"),
                },
            ))

    for code, module_name, function_name, label in OPEN_CASE_PROVIDERS:
        check = _open_case_provider(module_name, function_name)
        if check is None:
            conditions.append(Condition(
                code, _(label), rules.UNKNOWN,
                _("The system cannot check this condition: the closure cannot be approved."),
            ))
        elif check(store):
            conditions.append(Condition(code, _(label), rules.BLOCKED,
                                        _("There are open cases: wait until they are closed.")))
        else:
            conditions.append(Condition(code, _(label), rules.OK))

    negative = [a for a in DepositAccount.objects.filter(store=store, kind__in=kinds)
                if a.balance < 0]
    conditions.append(Condition(
        "balance", _("No compensation left unpaid by the deposit"),
        rules.BLOCKED if negative else rules.OK,
        _("The deposit is below zero by %(amount)s: pay the difference first.")
        % {"amount": format_cny(-sum(a.balance for a in negative))} if negative else "",
    ))

    notice_days = config.get("closure.notice_days")
    label = _("Closure notice shown on the store page for %(days)d days") % {"days": notice_days}
    if application is None or application.status not in OPEN_CLOSURE_STATUSES:
        conditions.append(Condition("notice", label, rules.BLOCKED,
                                    _("Starts when you apply.")))
    elif application.notice_until <= now:
        conditions.append(Condition("notice", label, rules.OK))
    else:
        conditions.append(Condition(
            "notice", label, rules.BLOCKED,
            _("Shown until %(until)s.") % {
                "until": timezone.localtime(application.notice_until).strftime("%Y-%m-%d %H:%M")},
        ))
    return conditions


def closure_application_for_merchant(user):
    return ClosureApplication.objects.for_merchant(user).order_by("-applied_at", "-pk")


def closure_pending(store: Store) -> ClosureApplication | None:
    """The store's open closure application: under review, or approved with a refund
    still being paid out."""
    return ClosureApplication.objects.filter(
        store=store, status__in=OPEN_CLOSURE_STATUSES
    ).first()


def closure_notice(store: Store) -> dict | None:
    """The public closure notice of a store (关店公示), or None. Shown from the application
    until the decision (and while its refund is being paid out), and after an approved
    closure of the whole store."""
    application = (
        ClosureApplication.objects.filter(store=store)
        .filter(Q(status__in=OPEN_CLOSURE_STATUSES)
                | Q(status=ClosureApplication.Status.APPROVED))
        .order_by("-applied_at", "-pk").first()
    )
    if application is None:
        return None
    if application.status == ClosureApplication.Status.APPROVED and store.status != Store.Status.CLOSED:
        return None
    return {
        "application": application,
        "since": application.applied_at,
        "until": application.notice_until,
        "closed": application.status == ClosureApplication.Status.APPROVED,
        "closed_at": application.decided_at,
        "own_products": application.refund_store_deposit,
        "other_platform": application.refund_promotion_deposit,
    }


def closure_review_queue():
    return ClosureApplication.objects.filter(status=ClosureApplication.Status.PENDING)


# --- reconciliation -------------------------------------------------------------------------------
@dataclass
class ReconcileReport:
    accounts: int = 0
    entries: int = 0
    problems: list = None

    def __post_init__(self):
        self.problems = self.problems or []


def _reconcile(report, account_model, entry_model, label):
    """Check one kind of ledger: each entry's balance_after is the running sum of its
    account's amounts, and each account's stored balance equals both its last entry's
    balance_after and the sum of its entries."""
    last = (entry_model.objects.filter(account=OuterRef("pk")).order_by("-pk")
            .values("balance_after")[:1])
    accounts = (account_model.objects.order_by("pk")
                .annotate(total=Sum("entries__amount"),
                          last=Subquery(last, output_field=DecimalField(max_digits=12,
                                                                        decimal_places=2)))
                .values_list("pk", "balance", "total", "last"))
    for account_id, balance, total, last_after in accounts.iterator(chunk_size=5000):
        report.accounts += 1
        total = to_money(total if total is not None else 0)
        last_after = to_money(last_after if last_after is not None else 0)
        if balance != last_after:
            report.problems.append(
                f"{label} {account_id}: balance {balance}, the last entry says {last_after}"
            )
        if balance != total:
            report.problems.append(
                f"{label} {account_id}: balance {balance}, the entries sum to {total}"
            )
    rows = (entry_model.objects.order_by("account_id", "pk")
            .values_list("account_id", "pk", "amount", "balance_after").iterator(chunk_size=5000))
    running = Decimal("0.00")
    current = None
    for account_id, pk, amount, balance_after in rows:
        report.entries += 1
        if account_id != current:
            current, running = account_id, Decimal("0.00")
        running += amount
        if running != balance_after:
            report.problems.append(
                f"{label} {account_id}: entry {pk} says balance {balance_after}, "
                f"the entries sum to {running}"
            )
            running = balance_after  # report each break once, not every entry after it


@contextmanager
def _one_snapshot():
    """Every read of the check in one transaction, so that money moving meanwhile cannot
    make the balances and the entries disagree. PostgreSQL runs it REPEATABLE READ (one
    snapshot for every statement; read only, so it takes no locks and never conflicts);
    SQLite transactions are serialisable anyway. Inside a caller's transaction the
    caller's isolation applies (the level can only be set before the first query)."""
    if connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def ledgers_reconcile() -> ReconcileReport:
    """Check every ledger (streamed, constant memory), from one consistent snapshot: the
    balance_after of each entry is the running sum of the amounts, and each account's
    balance is both its last entry's balance_after and the sum of its entries."""
    report = ReconcileReport()
    with _one_snapshot():
        _reconcile(report, DepositAccount, DepositEntry, "deposit account")
        _reconcile(report, StoreAccount, StoreAccountEntry, "store account")
    return report
