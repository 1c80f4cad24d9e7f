"""Reads of after-sales, already scoped to who asks: the buyer sees their own requests, the
merchant their store's, support agents the escalated cases."""

from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Subquery, Sum, When
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


def quality_complaint_counts(product_ids, since) -> dict:
    """After-sale requests for a quality problem per product since `since` (the sampling
    draw favours products with recent quality complaints)."""
    rows = (AfterSaleRequest.objects
            .filter(reason=AfterSaleRequest.Reason.QUALITY, created_at__gte=since,
                    line__product_id__in=list(product_ids))
            .values("line__product_id").annotate(n=Count("pk")))
    return {row["line__product_id"]: row["n"] for row in rows}


def line_refundable_amount(line: OrderLine) -> Decimal:
    """What can still be asked back for a line: paid, less refunds, less what the platform
    already paid out for it first (先行赔付 does not touch the order's refund total)."""
    paid_out = AfterSaleRequest.objects.filter(line=line).aggregate(
        s=Sum("payout_amount"))["s"] or ZERO
    return max(line.paid_amount - line.refunded_amount - paid_out, ZERO)


def stores_have_return_address(store_ids: list[int]) -> bool:
    return MerchantReturnAddress.objects.filter(store_id__in=store_ids).exists()


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


# The statuses in which the next move is the merchant's (answer, confirm the returned
# goods, reship the exchange, review a quality ruling): the "waiting for me" list.
MERCHANT_TURN_STATUSES = (rules.PENDING, rules.RETURNING, rules.AWAITING_RESHIP,
                          rules.RULING_REVIEW)


def request_filter(qs: QuerySet, *, status="", kind="", escalated=None, q="",
                   store=None) -> QuerySet:
    if status == "open":
        qs = qs.filter(finished=False)
    elif status == "merchant":
        qs = qs.filter(finished=False, status__in=MERCHANT_TURN_STATUSES)
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


# The merchant's list at any size: the store ids are read first (the planner sees
# literals, not a join to the store), each view has an ordering one index serves
# (aftersale_store_open_page, aftersale_store_all_page), counts stop at a cap, and pages are
# keyset pages (common.keyset).
OPEN_KEYS = ("next_deadline", "id")  # next_deadline is NULL while a refund is in progress
ALL_KEYS = ("-created_at", "-id")
NULLABLE_KEYS = ("next_deadline",)
LIST_COUNTED = (rules.PENDING, rules.RETURNING, rules.AWAITING_RESHIP, rules.ESCALATED)


def merchant_requests(store_ids: list[int]) -> QuerySet[AfterSaleRequest]:
    """The stores' requests with what a list row shows (order, item and its product's
    image, buyer) in the same query."""
    return (AfterSaleRequest.objects.filter(store_id__in=store_ids)
            .select_related("order", "line", "line__product", "buyer"))


def merchant_request_view(qs: QuerySet, view: str) -> tuple[QuerySet, tuple]:
    """"open": open requests, the nearest clock first (those without a clock last);
    anything else: all requests, newest first. Returns the rows and the keys that order
    them."""
    if view == "open":
        return qs.filter(finished=False), OPEN_KEYS
    return qs, ALL_KEYS


def merchant_request_counts(store_ids: list[int], statuses, cap: int) -> dict:
    """How many of the stores' requests are in each status, at most cap + 1 each: one
    query, each count reading at most cap + 1 entries of the (store, status, created_at)
    index."""
    if not store_ids:
        return {status: 0 for status in statuses}
    base = AfterSaleRequest.objects.filter(store_id__in=store_ids).order_by()
    parts, params = [], []
    for status in statuses:
        sql, sub_params = base.filter(status=status).values("pk")[:cap + 1].query.sql_with_params()
        # only the ORM's own compiled subquery (its values stay parameters) is formatted in
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS c)")  # noqa: S608
        params.extend(sub_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(statuses, cursor.fetchone(), strict=True))


def request_detail_for_merchant(user, pk) -> AfterSaleRequest:
    return _detail_qs(AfterSaleRequest.objects.for_merchant(user)).get(pk=pk)


def request_counts_for_merchant(user) -> dict:
    rows = (AfterSaleRequest.objects.for_merchant(user).filter(status__in=rules.OPEN_STATUSES)
            .values("status").annotate(n=Count("pk")).order_by())
    return {row["status"]: row["n"] for row in rows}


def merchant_after_sale_todo(store_id: int, *, cap: int) -> dict:
    """For the dashboard: the store's requests waiting for the merchant and its escalated
    cases, each as {"count": at most cap + 1, "nearest": the nearest clock or None}. Four
    queries, each reading at most cap + 1 entries of the (store, finished, next_deadline)
    index."""
    result = {}
    for key, statuses in (("waiting", MERCHANT_TURN_STATUSES), ("escalated", (rules.ESCALATED,))):
        qs = AfterSaleRequest.objects.filter(
            store_id=store_id, finished=False, status__in=statuses).order_by()
        nearest = (qs.filter(next_deadline__isnull=False).order_by("next_deadline")
                   .values_list("next_deadline", flat=True)[:1])
        result[key] = {"count": qs.values("pk")[:cap + 1].count(),
                       "nearest": next(iter(nearest), None)}
    return result


# --- support agents -------------------------------------------------------------------------
def cases_for_agent(user, *, state="open", assigned="", store=None) -> QuerySet:
    """Escalated cases: the asking agent's own first, then by the handling clock. state:
    open (waiting for a ruling), ruled, all; assigned: me, unassigned, or everyone."""
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
        qs = qs.filter(store_id=getattr(store, "pk", store))
    return qs.select_related("order", "line", "buyer", "store", "agent").annotate(
        not_mine=Case(When(agent_id=user.pk, then=0), default=1, output_field=IntegerField()),
    ).order_by(*AGENT_QUEUE_ORDER)


# The agent's own cases first, then everyone's by the handling clock.
AGENT_QUEUE_ORDER = ("not_mine", "agent_handle_by", "escalated_at", "pk")


def next_case_for_agent(user, *, after=None) -> AfterSaleRequest | None:
    """The case an agent turns to after a ruling: their own cases waiting for a ruling by
    the handling clock, else the unassigned ones by the clock (to take); `after` (the case
    just ruled) is never offered again. None when nothing waits."""
    if not roles.has_role(user, roles.AGENT):
        return None
    waiting = AfterSaleRequest.objects.filter(escalated_at__isnull=False,
                                              status=rules.ESCALATED)
    if after is not None:
        waiting = waiting.exclude(pk=getattr(after, "pk", after))
    order = ("agent_handle_by", "escalated_at", "pk")
    return (waiting.filter(agent=user).order_by(*order).first()
            or waiting.filter(agent__isnull=True).order_by(*order).first())


# The queue's keyset pages: open cases by the handling clock (aftersale_queue_open_page:
# status, agent_handle_by, id); all escalated or ruled cases, newest escalation first
# (aftersale_queue_all_page, aftersale_queue_ruled_page).
# Open cases: the agent's own first (`not_mine`, annotated by cases_for_agent), each part by
# the clock.
QUEUE_OPEN_KEYS = ("not_mine", "agent_handle_by", "id")
QUEUE_ALL_KEYS = ("-escalated_at", "-id")


def agent_queue_keys(state: str) -> tuple[tuple, tuple]:
    """(keys, nullable keys) that order a page of `cases_for_agent(state=state)`."""
    if state == "open":
        return QUEUE_OPEN_KEYS, ("agent_handle_by",)
    return QUEUE_ALL_KEYS, ()


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


def orders_to_confirm_before_shipping(orders) -> set[int]:
    """Ids of the orders whose shipping the merchant must confirm: an open refund-only
    request, which shipping does not end (see `rules.auto_approve_action`). One query."""
    return set(AfterSaleRequest.objects.filter(
        order__in=[o.pk for o in orders], status__in=rules.OPEN_STATUSES,
        kind=AfterSaleRequest.Kind.REFUND_ONLY,
    ).values_list("order_id", flat=True))


def shipping_warning() -> str:
    """What the merchant reads before shipping an order with an open refund-only request."""
    return _("The buyer has asked for a refund without returning the goods. Shipping does not "
             "end that request: it stays open, and if you do not review it in time the buyer "
             "is refunded automatically while the parcel is not yet signed for (once it is "
             "signed for, platform support decides). Review the request first, or confirm "
             "that you ship anyway.")


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
