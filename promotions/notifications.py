"""Notifications (站内信) the promotions app writes to merchants (see
`common.notifications`), and the helpers its services call, one call each."""

from django.utils.translation import gettext_lazy as _

from common.notifications import Kinds, notification_create

N = Kinds("promotions", {
    "lightning_review_rejected": (
        _("Lightning listing taken down"),
        _("The review of your lightning product “%(product)s” was rejected: the listing is "
          "taken down and out of the live cart."),
    ),
    "ad_session_ended": (
        _("Promotion ended with its live session"),
        _("Promotion order #%(order)s ended with its live session: ¥%(amount)s unspent "
          "budget went back to your store account."),
    ),
})


def notify_lightning_review_rejected(listing, *, product_title: str, reason: str, now) -> None:
    notification_create(
        recipient=listing.store.merchant_id, kind=N("lightning_review_rejected"),
        params={"product": product_title}, text=reason,
        link=("seller_promotions:lightning_session", [listing.session_id]), now=now)


def notify_ad_session_ended(order, *, amount, now) -> None:
    notification_create(
        recipient=order.store.merchant_id, kind=N("ad_session_ended"),
        params={"order": order.pk, "amount": str(amount)},
        link=("seller_promotions:ads_detail", [order.pk]), now=now)
