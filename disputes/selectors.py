"""Reads of after-sales, already scoped to who asks: the buyer sees their own requests, the
merchant their store's, support agents the escalated cases."""

from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config, roles
from common.money import ZERO
from disputes import rules
from disputes.models import (
    AfterSaleAttachment,
    AfterSaleEvent,
    AfterSaleEvidence,
    AfterSaleMessage,
    AfterSaleRequest,
    MerchantReturnAddress,
    Ruling,
)
from shop.models import Order, OrderLine, Store, TrackingEvent


# --- shared ---------------------------------------------------------------------------------
def store_has_open_cases(store) -> bool:
    """Does the store have an open after-sale request or escalation? (Closing a store and
    refunding its deposit wait until it has none.)"""
    return AfterSaleRequest.objects.filter(
        store=store, status__in=rules.OPEN_STATUSES
    ).exists()


def line_refundable_amount(line: OrderLine) -> Decimal:
    """What can still be asked back for a line: paid, less refunds, less what the platform
    already paid out for it first (先行赔付 does not touch the order's refund total)."""
    paid_out = AfterSaleRequest.objects.filter(line=line).aggregate(
        s=Sum("payout_amount"))["s"] or ZERO
    return max(line.paid_amount - line.refunded_amount - paid_out, ZERO)


def merchant_return_address(store) -> MerchantReturnAddress | None:
    """The merchant's last return address."""
    return MerchantReturnAddress.objects.filter(store=store).order_by("-pk").first()


def standing_ruling(request: AfterSaleRequest) -> Ruling | None:
    return request.rulings.filter(reopened_at__isnull=True).first()


def line_has_standing_ruling(line: OrderLine) -> bool:
    """Has support ruled on a request of this line, without a reviewer reopening it?"""
    return Ruling.objects.filter(request__line=line, reopened_at__isnull=True).exists()


# Open requests first, by the nearest clock, then the newest: the stored columns the
# transition service keeps, served by the (store | buyer, finished, next_deadline,
# -created_at) indexes.
LIST_ORDER = ("finished", "next_deadline", "-created_at", "-pk")


def _list_qs(qs: QuerySet) -> QuerySet:
    return qs.select_related("order", "line", "buyer", "store", "agent").order_by(*LIST_ORDER)


def _detail_qs(qs: QuerySet) -> QuerySet:
    return qs.select_related("order", "line", "line__product", "buyer", "store",
                             "store__merchant", "agent").prefetch_related(
        Prefetch("events", queryset=AfterSaleEvent.objects.select_related("actor")),
        Prefetch("messages", queryset=AfterSaleMessage.objects.select_related("author")
                 .prefetch_related("attachments")),
        Prefetch("evidence", queryset=AfterSaleEvidence.objects.select_related("author")
                 .prefetch_related("attachments")),
        Prefetch("rulings", queryset=Ruling.objects.select_related("agent", "reopened_by")),
    )


def request_filter(qs: QuerySet, *, status="", kind="", escalated=None, q="",
                   store=None) -> QuerySet:
    if status == "open":
        qs = qs.filter(finished=False)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if escalated is True:
        qs = qs.filter(escalated_at__isnull=False)
    elif escalated is False:
        qs = qs.filter(escalated_at__isnull=True)
    if q:
        q = q.strip()
        qs = qs.filter(Q(order__number=q) | Q(return_waybill=q)
                       | Q(pk=int(q) if q.isdigit() and len(q) < 12 else 0))
    if store:
        qs = qs.filter(store=store)
    return qs


# --- buyer ----------------------------------------------------------------------------------
def requests_for_buyer(user) -> QuerySet[AfterSaleRequest]:
    if not getattr(user, "is_authenticated", False):
        return AfterSaleRequest.objects.none()
    return _list_qs(AfterSaleRequest.objects.filter(buyer=user))


def request_detail_for_buyer(user, pk) -> AfterSaleRequest:
    """Raises DoesNotExist for anyone else's request (the API answers 404)."""
    if not getattr(user, "is_authenticated", False):
        raise AfterSaleRequest.DoesNotExist
    return _detail_qs(AfterSaleRequest.objects.filter(buyer=user)).get(pk=pk)


def order_line_for_buyer(user, *, order_number: str, line_id: int) -> OrderLine:
    """A line of one of the buyer's orders; raises OrderLine.DoesNotExist otherwise."""
    return OrderLine.objects.select_related("order", "order__store", "product").get(
        pk=line_id, order__number=order_number, order__buyer=user
    )


# --- merchant -------------------------------------------------------------------------------
def requests_for_merchant(user) -> QuerySet[AfterSaleRequest]:
    """The store's requests: open ones first by the nearest clock, then the newest. The
    store id is also given as a value (a merchant has one store) so the database reads the
    (store, finished, next_deadline) index in order instead of sorting the store's rows."""
    if not getattr(user, "is_authenticated", False):
        return AfterSaleRequest.objects.none()
    own_store = Store.objects.filter(merchant=user).order_by().values("pk")[:1]
    return _list_qs(AfterSaleRequest.objects.for_merchant(user)
                    .filter(store_id=Subquery(own_store)))


def request_detail_for_merchant(user, pk) -> AfterSaleRequest:
    return _detail_qs(AfterSaleRequest.objects.for_merchant(user)).get(pk=pk)


def request_counts_for_merchant(user) -> dict:
    rows = (AfterSaleRequest.objects.for_merchant(user).filter(status__in=rules.OPEN_STATUSES)
            .values("status").annotate(n=Count("pk")).order_by())
    return {row["status"]: row["n"] for row in rows}


# --- support agents -------------------------------------------------------------------------
def cases_for_agent(user, *, state="open", assigned="", store=None) -> QuerySet:
    """Escalated cases, ordered by the agents' own handling clock. state: open (waiting for
    a ruling), ruled, all; assigned: me, unassigned, or everyone."""
    if not roles.has_role(user, roles.AGENT):
        return AfterSaleRequest.objects.none()
    qs = AfterSaleRequest.objects.filter(escalated_at__isnull=False)
    if state == "open":
        qs = qs.filter(status=rules.ESCALATED)
    elif state == "ruled":
        qs = qs.filter(ruled_at__isnull=False)
    if assigned == "me":
        qs = qs.filter(agent=user)
    elif assigned == "unassigned":
        qs = qs.filter(agent__isnull=True)
    if store:
        qs = qs.filter(store=store)
    return qs.select_related("order", "line", "buyer", "store", "agent").order_by(
        "agent_handle_by", "escalated_at", "pk"
    )


def case_detail_for_agent(user, pk) -> AfterSaleRequest:
    if not roles.has_role(user, roles.AGENT):
        raise AfterSaleRequest.DoesNotExist
    return _detail_qs(AfterSaleRequest.objects.filter(escalated_at__isnull=False)).get(pk=pk)


def case_order(request: AfterSaleRequest) -> Order:
    """The order of a case with its lines, payments and tracking, for the workbench."""
    return (Order.objects.select_related("store", "buyer")
            .prefetch_related("lines", "tracking").get(pk=request.order_id))


def case_facts(request: AfterSaleRequest, order: Order, *, now=None) -> rules.CaseFacts:
    """Everything the handbook checks need, from what the system already knows."""
    now = now or timezone.now()
    tracking = {t.kind for t in order.tracking.all()}
    line = request.line
    evidence = list(request.evidence.all())
    ruling = next((r for r in request.rulings.all() if r.reopened_at is None), None)
    return rules.CaseFacts(
        reason=request.reason, kind=request.kind, now=now,
        paid_at=order.paid_at, shipped_at=order.shipped_at, picked_up_at=order.picked_up_at,
        signed_at=order.signed_at, signed_in_locker=order.signed_in_locker,
        refused=TrackingEvent.Kind.REFUSED in tracking,
        returned_to_merchant=TrackingEvent.Kind.RETURNED in tracking,
        ship_within_hours=config.get("order.ship_within_hours"),
        pickup_within_hours=config.get("order.pickup_within_hours"),
        gifts_promised=line.gifts, gift_value=line.product.gift_value,
        supports_seven_day_return=line.supports_seven_day_return,
        requested_at=request.created_at, goods_intact=request.goods_intact,
        free_shipping=order.shipping_fee == 0,
        return_required=request.needs_return or bool(ruling and ruling.return_required),
        return_waybill=request.return_waybill,
        buyer_evidence=frozenset(e.kind for e in evidence if e.side == "buyer"),
        merchant_evidence=frozenset(e.kind for e in evidence if e.side == "merchant"),
        seven_day_days=config.get("aftersale.seven_day_return_days"),
    )


def agents():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(groups__name=roles.AGENT, is_active=True).order_by(
        "username")


# --- files ----------------------------------------------------------------------------------
def attachment_for_buyer(user, pk) -> AfterSaleAttachment:
    return AfterSaleAttachment.objects.get(pk=pk, request__buyer=user)


def attachment_for_merchant(user, pk) -> AfterSaleAttachment:
    return AfterSaleAttachment.objects.get(pk=pk, request__store__merchant=user)


def attachment_for_agent(user, pk) -> AfterSaleAttachment:
    if not roles.has_role(user, roles.AGENT):
        raise AfterSaleAttachment.DoesNotExist
    return AfterSaleAttachment.objects.get(pk=pk, request__escalated_at__isnull=False)


# --- orders ---------------------------------------------------------------------------------
def open_requests_of_orders(order) -> QuerySet[AfterSaleRequest]:
    """The open after-sale requests of an order (or of `OuterRef("pk")`, to annotate a
    list of orders in its own query), oldest first."""
    return AfterSaleRequest.objects.filter(
        order=order, status__in=rules.OPEN_STATUSES
    ).order_by("created_at", "pk")


def open_requests_for_order(order) -> list[AfterSaleRequest]:
    return list(open_requests_of_orders(order).select_related("line"))


# --- the ruling form of the workbench -------------------------------------------------------
def ruling_initial(case) -> dict:
    """The ruling form's defaults for a case. Nothing is deducted until the agent decides
    it: the gift's cap is shown beside the field (the handbook check), not filled in."""
    return {"outcome": "full_refund", "fault": rules.implied_fault(case.reason) or "none",
            "return_required": case.needs_return,
            "amount": case.amount or None}


def ruling_gift_cap(case) -> Decimal:
    """How much of the gift a ruling may deduct for the case's item (0: no marked gift)."""
    line = case.line
    return rules.gift_deduction_cap(gifts=line.gifts, gift_value=line.product.gift_value,
                                    quantity=line.quantity)


def ruling_form_gift_cap(form, case):
    """The ruling form telling the agent how much of the gift may be deducted (nothing is
    filled in)."""
    cap = ruling_gift_cap(case)
    field = form.fields["gift_deduction"]
    if cap:
        field.help_text = _("%(text)s At most ¥%(cap)s for this item.") % {
            "text": field.help_text, "cap": cap}
        field.widget.attrs["max"] = str(cap)
    else:
        field.help_text = _("This item came without a gift with a marked value.")
    return form
