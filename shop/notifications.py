"""Notifications (站内信) the shop writes to merchants (see `common.notifications`), and
the small helpers its services call at each point, one call each."""

from django.utils.translation import gettext_lazy as _

from common.notifications import Kinds, notification_create
from common.reasons import Label

N = Kinds("shop", {
    "application_approved": (
        _("Store application approved"),
        _("Your application for the store “%(store)s” was approved: the store is open."),
    ),
    "application_rejected": (
        _("Store application rejected"),
        _("Your application for the store “%(store)s” was rejected; correct it and "
          "submit it again."),
    ),
    "product_approved": (
        _("Product approved"),
        _("“%(product)s” passed review."),
    ),
    "product_rejected": (
        _("Product rejected"),
        _("“%(product)s” did not pass review."),
    ),
    "deposit_shortfall": (
        _("Deposit shortfall"),
        _("Your %(deposit)s is short by ¥%(amount)s: pay it in to avoid restrictions."),
    ),
    "deposit_restricted": (
        _("Restricted for a deposit shortfall"),
        _("Your %(deposit)s is short by ¥%(amount)s: the store is restricted until it "
          "is paid in."),
    ),
    "order_settled": (
        _("Order settled"),
        _("Order %(number)s was settled: ¥%(amount)s is now available on your store "
          "account."),
    ),
    "withdrawal_result": (
        _("Withdrawal result"),
        _("Your withdrawal of ¥%(amount)s: %(status)s."),
    ),
})


def notify_application_decided(application, *, now) -> None:
    """The reviewer's decision on a store application, to its applicant."""
    rejected = application.status == application.Status.REJECTED
    notification_create(
        recipient=application.applicant_id,
        kind=N("application_rejected" if rejected else "application_approved"),
        params={"store": application.store_name},
        text=application.rejection_reason if rejected else "",
        link=("seller:application" if rejected else "seller:store", []), now=now)


def notify_product_reviewed(product, *, approved: bool, reason: str, now) -> None:
    """A reviewer's decision on a listing or a change, with the reviewer's reason."""
    notification_create(
        recipient=product.store.merchant_id,
        kind=N("product_approved" if approved else "product_rejected"),
        params={"product": product.title}, text="" if approved else reason,
        link=("seller:products_detail", [product.pk]), now=now)


def notify_deposit_shortfall(account, *, shortfall_before, restricted_before, now) -> None:
    """A deposit account that became short, or whose shortfall now restricts the store
    (the first-payment clock ran out): once each time it happens."""
    restricted = account.restricted_since is not None and restricted_before is None
    short = account.shortfall > 0 and not shortfall_before
    if not (restricted or short):
        return
    notification_create(
        recipient=account.store.merchant_id,
        kind=N("deposit_restricted" if restricted else "deposit_shortfall"),
        params={"deposit": Label("shop.DepositAccount.kind", account.kind),
                "amount": str(account.shortfall)},
        link=("seller:deposit", []), now=now)


def notify_order_settled(order, entry, *, now) -> None:
    notification_create(
        recipient=order.store.merchant_id, kind=N("order_settled"),
        params={"number": order.number, "amount": str(entry.amount)},
        link=("seller:orders_detail", [order.number]), key=f"order:{order.pk}", now=now)


def notify_withdrawal_result(withdrawal, *, now) -> None:
    """A withdrawal that reached its end: paid, failed (money back) or rejected."""
    if withdrawal.status not in (withdrawal.Status.PAID, withdrawal.Status.FAILED,
                                 withdrawal.Status.REJECTED):
        return
    notification_create(
        recipient=withdrawal.store.merchant_id, kind=N("withdrawal_result"),
        params={"amount": str(withdrawal.amount),
                "status": Label("shop.Withdrawal.status", withdrawal.status)},
        text=withdrawal.rejection_reason, link=("seller:account", []), now=now)
