"""Coupons: create, copy, change quantity, stop, drop in the live room; claim (the quantity
and the per-buyer limit taken by conditional updates in one transaction); use once at
checkout and give back when the order does not go ahead (the order extension below).

Every move of a coupon goes through `coupon_transition` (common.workflows); every move of a
claimed coupon through `coupon_claims_transition`, a conditional UPDATE of the rows still in
the expected state, so a claim is used once however many orders race for it."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config
from common.errors import ApplicationError
from common.money import format_cny, to_money
from common.reasons import Reason, reason_fields
from common.workflows import transition_apply
from promotions.models import (
    Coupon,
    CouponBuyerCount,
    CouponClaim,
    CouponClaimEvent,
    CouponEvent,
    LiveSession,
)
from promotions.reasons import R
from promotions.rules.coupons import (
    COUPON_TRANSITIONS,
    Candidate,
    Terms,
    best_coupon,
    can_claim_move,
    claim_validity,
    coupon_discount,
    terms_problems,
)
from promotions.selectors.flash_sales import order_promotion_reads_for
from shop.models import Product

TERM_FIELDS = ("title", "kind", "amount", "threshold", "scope", "quantity", "per_buyer_limit",
               "claim_starts_at", "claim_ends_at", "validity", "valid_from", "valid_until",
               "valid_days", "channel")


# --- the transition writers -------------------------------------------------------------
def coupon_transition(*, coupon: Coupon, to: str, actor, reason: Reason | str = "",
                      now: datetime, fields: dict | None = None) -> Coupon:
    """Move a locked coupon (inside the caller's transaction)."""
    transition_apply(coupon, table=COUPON_TRANSITIONS, to=to, actor=actor, reason=reason,
                     now=now, event_model=CouponEvent, event_fk="coupon", fields=fields)
    return coupon


def coupon_claims_transition(*, claims, from_status: str, to: str, actor,
                             reason: Reason | str, now: datetime,
                             fields: dict | None = None) -> list[int]:
    """Move the claims of `claims` (a queryset) that are still `from_status` to `to`: the
    rows are locked and re-checked, moved with one UPDATE, and each gets an event (naming
    the order it was used by, if any). Returns the ids moved; a row another transaction
    moved first is not among them."""
    assert connection.in_atomic_block, "a transition must run inside transaction.atomic"
    if not can_claim_move(from_status, to):
        raise ApplicationError(_("This cannot be done now."), code="bad_state")
    rows = list(claims.filter(status=from_status).select_for_update()
                .order_by("pk").values_list("pk", "order_id"))
    if not rows:
        return []
    ids = [pk for pk, _order in rows]
    CouponClaim.objects.filter(pk__in=ids, status=from_status).update(status=to,
                                                                     **(fields or {}))
    CouponClaimEvent.objects.bulk_create(
        CouponClaimEvent(claim_id=pk, from_status=from_status, to_status=to, actor=actor,
                         at=now, data={"order": order_id} if order_id else {},
                         **reason_fields(reason))
        for pk, order_id in rows
    )
    return ids


# --- creating and changing coupons ------------------------------------------------------
def _money(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return to_money(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError(_("Enter an amount such as 5.00."), code="invalid_amount",
                               field=field)


def _whole(value, field: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        if isinstance(value, bool):
            raise ValueError
        return value if isinstance(value, int) else int(str(value).strip())
    except (TypeError, ValueError):
        raise ApplicationError(_("Enter a whole number."), code="invalid_number", field=field)


def _bounded(value: int | None, field: str, maximum: int) -> int:
    if value is None or value < 1:
        raise ApplicationError(_("Enter at least 1."), code="too_small", field=field)
    if value > maximum:
        raise ApplicationError(_("At most %(n)s.") % {"n": maximum}, code="too_large",
                               field=field)
    return value


def _clean(store, data: dict, product_ids, now: datetime) -> tuple[dict, list[Product]]:
    """The coupon's fields from what the merchant sent, or an ApplicationError naming the
    field at fault."""
    title = (data.get("title") or "").strip()
    if not title:
        raise ApplicationError(_("Give the coupon a name."), code="required", field="title")
    kind = data.get("kind")
    if kind not in Coupon.Kind.values:
        raise ApplicationError(_("Choose the kind of coupon."), code="invalid_kind",
                               field="kind")
    amount = _money(data.get("amount"), "amount")
    threshold = _money(data.get("threshold"), "threshold")
    if kind == Coupon.Kind.NO_THRESHOLD:
        threshold = Decimal("0.00")
    problems = terms_problems(kind=kind, amount=amount, threshold=threshold)
    if "amount" in problems:
        raise ApplicationError(_("The discount must be more than 0."),
                               code=problems["amount"], field="amount")
    if problems.get("threshold") == "threshold_missing":
        raise ApplicationError(_("Enter how much must be spent (the X of 满X减Y)."),
                               code="threshold_missing", field="threshold")
    if problems.get("threshold") == "threshold_not_above_amount":
        raise ApplicationError(
            _("The amount to spend must be more than the discount (%(amount)s).")
            % {"amount": format_cny(amount)},
            code="threshold_not_above_amount", field="threshold")
    quantity = _bounded(_whole(data.get("quantity"), "quantity"), "quantity",
                        config.get("coupon.max_quantity"))
    limit = _bounded(_whole(data.get("per_buyer_limit"), "per_buyer_limit"),
                     "per_buyer_limit", config.get("coupon.max_per_buyer_limit"))
    if limit > quantity:
        raise ApplicationError(_("A buyer cannot claim more than the total quantity."),
                               code="limit_above_quantity", field="per_buyer_limit")
    starts, ends = data.get("claim_starts_at"), data.get("claim_ends_at")
    if not isinstance(starts, datetime):
        raise ApplicationError(_("Enter when claiming opens."), code="required",
                               field="claim_starts_at")
    if not isinstance(ends, datetime) or ends <= starts:
        raise ApplicationError(_("Claiming must close after it opens."),
                               code="claim_window", field="claim_ends_at")
    if ends <= now:
        raise ApplicationError(_("Claiming must close in the future."), code="claim_window",
                               field="claim_ends_at")
    validity = data.get("validity")
    max_days = config.get("coupon.max_valid_days")
    valid_from = valid_until = valid_days = None
    if validity == Coupon.Validity.FIXED:
        valid_from, valid_until = data.get("valid_from"), data.get("valid_until")
        if not isinstance(valid_from, datetime):
            raise ApplicationError(_("Enter when the coupon becomes valid."),
                                   code="required", field="valid_from")
        if not isinstance(valid_until, datetime) or valid_until <= valid_from:
            raise ApplicationError(_("The validity must end after it starts."),
                                   code="validity_window", field="valid_until")
        if valid_until <= starts:
            raise ApplicationError(_("The validity must end after claiming opens."),
                                   code="validity_window", field="valid_until")
        if valid_until - valid_from > timedelta(days=max_days):
            raise ApplicationError(_("A coupon is valid for at most %(n)s days.")
                                   % {"n": max_days}, code="validity_too_long",
                                   field="valid_until")
    elif validity == Coupon.Validity.AFTER_CLAIM:
        valid_days = _bounded(_whole(data.get("valid_days"), "valid_days"), "valid_days",
                              max_days)
    else:
        raise ApplicationError(_("Choose how long the coupon is valid."),
                               code="invalid_validity", field="validity")
    channel = data.get("channel") or Coupon.Channel.STORE_PAGE
    if channel not in Coupon.Channel.values:
        raise ApplicationError(_("Choose a channel."), code="invalid_channel", field="channel")
    scope = data.get("scope") or Coupon.Scope.STORE
    if scope not in Coupon.Scope.values:
        raise ApplicationError(_("Choose what the coupon applies to."), code="invalid_scope",
                               field="scope")
    products = []
    if scope == Coupon.Scope.PRODUCTS:
        ids = sorted({int(pk) for pk in (product_ids or []) if str(pk).isdigit()})
        if not ids:
            raise ApplicationError(_("Choose at least one product."), code="no_products",
                                   field="products")
        if len(ids) > config.get("coupon.max_products"):
            raise ApplicationError(_("A coupon applies to at most %(n)s products.")
                                   % {"n": config.get("coupon.max_products")},
                                   code="too_many_products", field="products")
        products = list(Product.objects.filter(store=store, kind=Product.Kind.OWN,
                                               pk__in=ids).order_by("pk"))
        if len(products) != len(ids):
            raise ApplicationError(_("Choose own products of your store."),
                                   code="unknown_product", field="products")
    fields = {
        "title": title[:40], "kind": kind, "amount": amount, "threshold": threshold,
        "scope": scope, "quantity": quantity, "per_buyer_limit": limit,
        "claim_starts_at": starts, "claim_ends_at": ends, "validity": validity,
        "valid_from": valid_from, "valid_until": valid_until, "valid_days": valid_days,
        "channel": channel,
    }
    return fields, products


def coupon_create(*, store, actor, data: dict, product_ids=(), copied_from: Coupon | None = None,
                  now: datetime | None = None) -> Coupon:
    """A merchant creates a coupon for their store (validated field by field)."""
    now = now or timezone.now()
    if store.merchant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This is not your store."), code="not_yours")
    fields, products = _clean(store, data, product_ids, now)
    with transaction.atomic():
        coupon = Coupon.objects.create(store=store, copied_from=copied_from,
                                       status=Coupon.Status.ACTIVE, created_at=now, **fields)
        if products:
            coupon.products.set(products)
        reason = (R("coupon_copied", source=copied_from.pk) if copied_from
                  else R("coupon_created"))
        CouponEvent.objects.create(coupon=coupon, from_status="", to_status=coupon.status,
                                   actor=actor, at=now, **reason_fields(reason))
    return coupon


def coupon_terms_data(coupon: Coupon) -> dict:
    """A coupon's terms as `coupon_create` takes them (to copy it)."""
    return {name: getattr(coupon, name) for name in TERM_FIELDS}


def coupon_copy(*, coupon: Coupon, actor, product_ids=None, changes: dict | None = None,
                now: datetime | None = None) -> Coupon:
    """A new coupon with the same terms, for other products (or the same ones), with
    `changes` applied (e.g. a new claim window). Nothing claimed is carried over."""
    data = {**coupon_terms_data(coupon), **(changes or {})}
    if product_ids is None:
        product_ids = list(coupon.products.values_list("pk", flat=True))
    elif product_ids:
        data["scope"] = Coupon.Scope.PRODUCTS
    return coupon_create(store=coupon.store, actor=actor, data=data, product_ids=product_ids,
                         copied_from=coupon, now=now)


def _ensure_merchant(coupon: Coupon, actor) -> None:
    if actor is not None and coupon.store.merchant_id != actor.pk:
        raise ApplicationError(_("This is not your coupon."), code="not_yours")


def coupon_change_quantity(*, coupon: Coupon, quantity, actor,
                           now: datetime | None = None) -> Coupon:
    """Change the total quantity; never below what has been claimed (checked by the
    UPDATE itself, so a claim arriving meanwhile is counted)."""
    now = now or timezone.now()
    _ensure_merchant(coupon, actor)
    new = _bounded(_whole(quantity, "quantity"), "quantity", config.get("coupon.max_quantity"))
    with transaction.atomic():
        current = Coupon.objects.select_for_update().get(pk=coupon.pk)
        if current.status != Coupon.Status.ACTIVE:
            raise ApplicationError(_("A stopped coupon cannot be changed."), code="bad_state")
        old = current.quantity
        changed = Coupon.objects.filter(pk=coupon.pk, claimed__lte=new).update(
            quantity=new, updated_at=now)
        if not changed:
            raise ApplicationError(
                _("The quantity cannot be below what has been claimed (%(n)s).")
                % {"n": Coupon.objects.get(pk=coupon.pk).claimed},
                code="below_claimed", field="quantity")
        CouponEvent.objects.create(
            coupon=current, from_status=current.status, to_status=current.status, actor=actor,
            at=now, data={"quantity": [old, new]},
            **reason_fields(R("coupon_quantity_changed", old=old, new=new)))
    coupon.refresh_from_db()
    return coupon


def coupon_stop(*, coupon: Coupon, actor, now: datetime | None = None) -> Coupon:
    """Stop issuing a coupon. Coupons already claimed stay usable until they expire."""
    now = now or timezone.now()
    _ensure_merchant(coupon, actor)
    with transaction.atomic():
        locked = Coupon.objects.select_for_update().get(pk=coupon.pk)
        coupon_transition(coupon=locked, to=Coupon.Status.STOPPED, actor=actor,
                          reason=R("coupon_stopped"), now=now, fields={"stopped_at": now})
    return locked


def coupon_drop(*, coupon: Coupon, actor, now: datetime | None = None) -> Coupon:
    """Drop a live-room coupon (直播间发券) in the store's live session: only while it is
    live; buyers in the room can claim it until the session ends."""
    now = now or timezone.now()
    _ensure_merchant(coupon, actor)
    with transaction.atomic():
        locked = Coupon.objects.select_for_update().get(pk=coupon.pk)
        if locked.channel != Coupon.Channel.LIVE_DROP:
            raise ApplicationError(_("Only a live-room coupon can be dropped in the live room."),
                                   code="not_live_coupon")
        if locked.status != Coupon.Status.ACTIVE:
            raise ApplicationError(_("A stopped coupon cannot be dropped."), code="bad_state")
        if not (locked.claim_starts_at <= now < locked.claim_ends_at):
            raise ApplicationError(_("The coupon's claiming window is not open."),
                                   code="claim_closed")
        session = (LiveSession.objects.select_for_update()
                   .filter(store_id=locked.store_id, status=LiveSession.Status.LIVE).first())
        if session is None:
            raise ApplicationError(
                _("A coupon can be dropped only while your live session is on."),
                code="not_live")
        locked.live_session = session
        locked.dropped_at = now
        locked.save(update_fields=["live_session", "dropped_at", "updated_at"])
        CouponEvent.objects.create(
            coupon=locked, from_status=locked.status, to_status=locked.status, actor=actor,
            at=now, data={"live_session": session.pk},
            **reason_fields(R("coupon_dropped", session=session.pk)))
    return locked


# --- claiming ---------------------------------------------------------------------------
def coupon_claimable_problem(coupon: Coupon, now: datetime, *, live_session_on: bool
                             ) -> ApplicationError | None:
    if coupon.status != Coupon.Status.ACTIVE:
        return ApplicationError(_("This coupon has been stopped."), code="coupon_stopped")
    if now < coupon.claim_starts_at:
        return ApplicationError(_("This coupon cannot be claimed yet."), code="claim_not_open")
    if now >= coupon.claim_ends_at:
        return ApplicationError(_("Claiming this coupon has closed."), code="claim_closed")
    if coupon.channel == Coupon.Channel.LIVE_DROP and not live_session_on:
        return ApplicationError(_("This coupon is dropped in the live room while it is on."),
                                code="not_live")
    if coupon.claimed >= coupon.quantity:
        return ApplicationError(_("All of this coupon has been claimed."), code="sold_out")
    return None


def coupon_claim(*, coupon: Coupon, actor, now: datetime | None = None) -> CouponClaim:
    """A buyer claims a coupon. In one transaction: the buyer's count goes up only while
    below the limit, then the coupon's `claimed` only while below the quantity (the hot row
    last, so its lock is held for the fewest statements); either UPDATE touching no row
    refuses the claim and rolls the other back."""
    now = now or timezone.now()
    coupon = Coupon.objects.select_related("store", "live_session").get(pk=coupon.pk)
    if coupon.store.merchant_id == actor.pk:
        raise ApplicationError(_("You cannot claim your own store's coupon."), code="own_store")
    live_on = bool(coupon.live_session_id
                   and coupon.live_session.status == LiveSession.Status.LIVE)
    problem = coupon_claimable_problem(coupon, now, live_session_on=live_on)
    if problem is not None:
        raise problem
    valid_from, valid_until = claim_validity(
        validity=coupon.validity, claimed_at=now, valid_from=coupon.valid_from,
        valid_until=coupon.valid_until, valid_days=coupon.valid_days)
    if valid_until <= now:
        raise ApplicationError(_("This coupon's validity has ended."), code="claim_closed")
    with transaction.atomic():
        CouponBuyerCount.objects.bulk_create(
            [CouponBuyerCount(coupon=coupon, buyer=actor, claimed=0,
                              limit=coupon.per_buyer_limit)],
            ignore_conflicts=True)
        counted = CouponBuyerCount.objects.filter(
            coupon=coupon, buyer=actor, claimed__lt=F("limit")).update(claimed=F("claimed") + 1)
        if counted != 1:
            raise ApplicationError(
                _("You have claimed this coupon the most times allowed (%(n)s).")
                % {"n": coupon.per_buyer_limit}, code="limit_reached")
        taken = Coupon.objects.filter(
            pk=coupon.pk, status=Coupon.Status.ACTIVE, claimed__lt=F("quantity"),
        ).update(claimed=F("claimed") + 1)
        if taken != 1:
            if Coupon.objects.filter(pk=coupon.pk, status=Coupon.Status.STOPPED).exists():
                raise ApplicationError(_("This coupon has been stopped."),
                                       code="coupon_stopped")
            raise ApplicationError(_("All of this coupon has been claimed."), code="sold_out")
        claim = CouponClaim.objects.create(
            coupon=coupon, store_id=coupon.store_id, buyer=actor, claimed_at=now,
            valid_from=valid_from, valid_until=valid_until)
        CouponClaimEvent.objects.create(claim=claim, from_status="",
                                        to_status=CouponClaim.Status.UNUSED, actor=actor,
                                        at=now, **reason_fields(R("claim_claimed")))
    return claim


# --- using at checkout ------------------------------------------------------------------
def _terms(coupon: Coupon, product_ids=None) -> Terms:
    if coupon.scope == Coupon.Scope.PRODUCTS:
        ids = product_ids if product_ids is not None else {
            p.pk for p in coupon.products.all()}
        scope = frozenset(ids)
    else:
        scope = None
    return Terms(kind=coupon.kind, amount=coupon.amount, threshold=coupon.threshold,
                 product_ids=scope)


def coupon_claim_use(*, claim_id: int, order, now: datetime) -> None:
    """Mark the buyer's claim used by `order`, inside the order's transaction: only a claim
    still unused and valid moves; otherwise the order is refused (and rolled back)."""
    moved = coupon_claims_transition(
        claims=CouponClaim.objects.filter(pk=claim_id, buyer_id=order.buyer_id,
                                          store_id=order.store_id, valid_from__lte=now,
                                          valid_until__gt=now),
        from_status=CouponClaim.Status.UNUSED, to=CouponClaim.Status.USED,
        actor=order.buyer, reason=R("claim_used", number=order.number), now=now,
        fields={"order": order, "used_at": now})
    if not moved:
        raise ApplicationError(
            _("This coupon has already been used or is no longer valid."),
            code="coupon_used", field="coupon")


def coupon_claims_release(*, order_ids: list[int], now: datetime) -> list[int]:
    """Give the coupons used by these orders back to their buyers (the orders are leaving
    the state that held them, in the same transaction): once, as only used claims move."""
    return coupon_claims_transition(
        claims=CouponClaim.objects.filter(order_id__any_of=order_ids),
        from_status=CouponClaim.Status.USED, to=CouponClaim.Status.UNUSED, actor=None,
        reason=R("claim_returned"), now=now, fields={"order": None, "used_at": None})


def coupon_claims_expire(*, claim_ids: list[int], now: datetime) -> list[int]:
    return coupon_claims_transition(
        claims=CouponClaim.objects.filter(pk__in=claim_ids, valid_until__lte=now),
        from_status=CouponClaim.Status.UNUSED, to=CouponClaim.Status.EXPIRED, actor=None,
        reason=R("claim_expired"), now=now)


def _refuse(message, code):
    return ApplicationError(message, code=code, field="coupon")


class CouponOrderExtension:
    """The order path's coupon (shop.order_extensions): at most one store coupon per order,
    the buyer's choice (`options["coupon"]`: a claim id, 0 for none) or the best that fits."""

    name = "coupon"

    def price(self, draft) -> None:
        choice = draft.options.get("coupon")
        lines = [(line.product.pk, to_money(line.amount)) for line in draft.lines]
        if choice in (None, ""):
            found = self._best(draft, lines)
            if found is None:
                return
            claim_id, coupon_id, discount, terms = found
        else:
            try:
                claim_id = int(choice)
            except (TypeError, ValueError):
                raise _refuse(_("Choose one of your coupons."), "coupon_not_found")
            if claim_id == 0:
                return
            coupon_id, discount, terms = self._chosen(draft, claim_id, lines)
        if terms.product_ids is not None:
            # the discount is shared by the products it was given for, so that a refund
            # of another line returns all that line's price
            for line in draft.lines:
                line.discountable = line.product.pk in terms.product_ids
        draft.discount = to_money(draft.discount) + discount
        draft.data["coupon_claim"] = claim_id
        draft.data["coupon"] = coupon_id
        draft.data["coupon_discount"] = str(discount)

    def _best(self, draft, lines):
        if not order_promotion_reads_for(draft).has_usable_coupon:
            return None  # known from the order's promotions read: no second round trip
        claims = list(
            CouponClaim.objects.filter(buyer=draft.buyer, store=draft.store,
                                       status=CouponClaim.Status.UNUSED,
                                       valid_from__lte=draft.now, valid_until__gt=draft.now)
            .select_related("coupon").prefetch_related("coupon__products").order_by("pk"))
        candidates = [Candidate(claim_id=c.pk, terms=_terms(c.coupon),
                                valid_until=c.valid_until) for c in claims]
        chosen = best_coupon(candidates, lines)
        if chosen is None:
            return None
        candidate, discount = chosen
        coupon_id = next(c.coupon_id for c in claims if c.pk == candidate.claim_id)
        return candidate.claim_id, coupon_id, discount, candidate.terms

    def _chosen(self, draft, claim_id, lines):
        claim = (CouponClaim.objects.select_related("coupon")
                 .filter(pk=claim_id, buyer=draft.buyer).first())
        if claim is None:
            raise _refuse(_("Choose one of your coupons."), "coupon_not_found")
        if claim.store_id != draft.store.pk:
            raise _refuse(_("This coupon is for another store."), "coupon_other_store")
        if claim.status == CouponClaim.Status.USED:
            raise _refuse(_("This coupon has already been used."), "coupon_used")
        if claim.status == CouponClaim.Status.EXPIRED or draft.now >= claim.valid_until:
            raise _refuse(_("This coupon has expired."), "coupon_expired")
        if draft.now < claim.valid_from:
            raise _refuse(_("This coupon is not valid yet."), "coupon_not_yet_valid")
        coupon = claim.coupon
        discount = coupon_discount(_terms(coupon), lines)
        if discount <= 0:
            if coupon.kind == Coupon.Kind.THRESHOLD:
                message = _("This coupon needs %(threshold)s of eligible goods.") % {
                    "threshold": format_cny(coupon.threshold)}
            else:
                message = _("This coupon does not apply to these goods.")
            raise _refuse(message, "coupon_does_not_fit")
        return coupon.pk, to_money(discount), _terms(coupon)

    def reserve(self, draft, order) -> None:
        claim_id = draft.data.get("coupon_claim")
        if claim_id:
            coupon_claim_use(claim_id=claim_id, order=order, now=draft.now)

    def release(self, order_ids, now) -> None:
        coupon_claims_release(order_ids=order_ids, now=now)


coupon_order_extension = CouponOrderExtension()
