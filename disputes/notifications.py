"""Notifications (站内信) the after-sales write to merchants (see `common.notifications`),
and the helpers their services call at each point."""

from django.utils.translation import gettext_lazy as _

from common.notifications import Kinds, notification_create
from common.reasons import Label

N = Kinds("disputes", {
    "aftersale_opened": (
        _("After-sale request opened"),
        _("A buyer opened a request (%(kind)s, ¥%(amount)s) on order %(number)s: "
          "answer it before its clock runs out."),
    ),
    "aftersale_escalated": (
        _("After-sale request escalated"),
        _("The after-sale request on order %(number)s went to platform support."),
    ),
    "aftersale_ruled": (
        _("After-sale ruling"),
        _("Platform support ruled on the after-sale request on order %(number)s: "
          "%(outcome)s."),
    ),
})


def _notify(request, kind: str, *, params: dict, now, text: str = "") -> None:
    notification_create(
        recipient=request.store.merchant_id, kind=N(kind),
        params={"number": request.order.number, **params}, text=text,
        link=("seller_aftersales:detail", [request.pk]), now=now)


def notify_aftersale_opened(request, *, now) -> None:
    _notify(request, "aftersale_opened", now=now, params={
        "kind": Label("disputes.AfterSaleRequest.kind", request.kind),
        "amount": str(request.amount)})


def notify_aftersale_moved(request, *, old: str, now) -> None:
    """A request that has just gone to platform support (by the buyer, a clock or a
    reviewer reopening a ruling)."""
    if request.status == request.Status.ESCALATED and old != request.status:
        _notify(request, "aftersale_escalated", now=now, params={})


def notify_aftersale_ruled(request, ruling, *, now) -> None:
    _notify(request, "aftersale_ruled", now=now, text=ruling.reasoning, params={
        "outcome": Label("disputes.Ruling.outcome", ruling.outcome)})
