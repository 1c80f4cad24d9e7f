"""The selection center (选货中心): a seller offers a listed product with a commission rate,
changes the rate, withdraws it; and the order extension that snapshots a promoter's
commission on the orders it brings, records it when the order is paid, settles it out of
the seller's settlement into the promoter's store account, and reverses it on refund.

Why ledger entries and no payment: a commission never leaves the platform — it moves from
the seller's store account (货款) to the promoter's, two balanced entries in the same
transaction as the settlement (or the refund). Money only leaves through the promoter's
withdrawal, which already is a payout with its own purpose (store_account.withdrawal)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

import promotions.conf  # noqa: F401  (configuration keys)
from common import config
from common.errors import ApplicationError
from common.money import to_money, to_places
from common.reasons import reason_fields
from common.workflows import transition_apply
from promotions.models import (
    Commission,
    CommissionEvent,
    LiveCartItem,
    LiveSession,
    ProductOffer,
    ProductOfferEvent,
    ShortVideo,
    ShortVideoProduct,
)
from promotions.models.selection import percent
from promotions.reasons import R
from promotions.rules import selection as rules
from promotions.rules.live import source_parse
from promotions.selectors.selection import offered_rates, promoter_may_use_center
from shop.models import Order, OrderLine, Product, Store, StoreAccountEntry
from shop.services.accounts import store_accounts_lock
from shop.services.deposits import (
    accounts_lock,
    deposits_cover_from_account_locked,
    store_entry_append,
)


def _rate_or_raise(rate) -> Decimal:
    """A rate (a fraction: 0.2 is 20%) within the configured bounds."""
    if not isinstance(rate, Decimal):
        try:
            rate = Decimal(str(rate))
        except Exception:
            rate = None
    low = config.get("selection.min_commission_rate")
    high = config.get("selection.max_commission_rate")
    if (rate is None or not rate.is_finite() or rate != to_places(rate, rules.RATE_PLACES)
            or not rules.rate_within(rate, low, high)):
        raise ApplicationError(
            _("The commission rate must be between %(low)s and %(high)s.") % {
                "low": percent(low), "high": percent(high)},
            code="rate_out_of_bounds", field="rate")
    return rate


# --- offers -----------------------------------------------------------------------------
def offer_transition(*, offer: ProductOffer, to: str, actor, reason, now: datetime,
                     fields: dict | None = None, data: dict | None = None) -> ProductOffer:
    """Move a locked offer (inside the caller's transaction)."""
    transition_apply(offer, table=rules.OFFER_TRANSITIONS, to=to, actor=actor, reason=reason,
                     now=now, event_model=ProductOfferEvent, event_fk="offer", fields=fields,
                     data=data)
    return offer


def offer_create(*, store: Store, product_id, rate, actor,
                 now: datetime | None = None) -> ProductOffer:
    """Offer one of the store's listed own products in the selection center. One active
    offer per product (a unique constraint)."""
    now = now or timezone.now()
    if store.merchant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This is not your store."), code="not_yours")
    if store.status != Store.Status.OPEN:
        raise ApplicationError(_("Only an open store can offer products."), code="store_closed")
    rate = _rate_or_raise(rate)
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        pk = 0
    product = Product.objects.filter(pk=pk, store=store).first() if pk > 0 else None
    if product is None:
        raise ApplicationError(_("Choose one of your products."), code="product_not_found",
                               field="product")
    if product.kind != Product.Kind.OWN or product.status != Product.Status.LISTED:
        raise ApplicationError(_("Only your listed own products can be offered."),
                               code="product_not_listed", field="product")
    try:
        with transaction.atomic():
            offer = ProductOffer.objects.create(store=store, product=product, rate=rate,
                                                status=ProductOffer.Status.ACTIVE,
                                                created_at=now)
            ProductOfferEvent.objects.create(
                offer=offer, from_status="", to_status=offer.status, actor=actor, at=now,
                data={"rate": str(rate)},
                **reason_fields(R("offer_created", rate=percent(rate))))
    except IntegrityError:
        raise ApplicationError(_("This product is already offered."), code="already_offered",
                               field="product")
    return offer


def _locked_offer(offer: ProductOffer, actor) -> ProductOffer:
    if offer.store.merchant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This is not your offer."), code="not_yours")
    return ProductOffer.objects.select_for_update().select_related("store").get(pk=offer.pk)


def offer_change_rate(*, offer: ProductOffer, rate, actor,
                      now: datetime | None = None) -> ProductOffer:
    """A new rate for orders placed from now on; orders placed before keep theirs."""
    now = now or timezone.now()
    rate = _rate_or_raise(rate)
    with transaction.atomic():
        locked = _locked_offer(offer, actor)
        if locked.status != ProductOffer.Status.ACTIVE:
            raise ApplicationError(_("A withdrawn offer cannot be changed."), code="bad_state")
        if locked.rate == rate:
            return locked
        old = locked.rate
        locked.rate = rate
        locked.save(update_fields=["rate", "updated_at"])
        ProductOfferEvent.objects.create(
            offer=locked, from_status=locked.status, to_status=locked.status, actor=actor,
            at=now, data={"old": str(old), "new": str(rate)},
            **reason_fields(R("offer_rate_changed", old=percent(old), new=percent(rate))))
    return locked


def offer_withdraw(*, offer: ProductOffer, actor, now: datetime | None = None) -> ProductOffer:
    """Withdraw an offer: it leaves the center and the carts of promoters' live sessions and
    the products of their published videos. Orders placed before keep their commission."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_offer(offer, actor)
        carts, _n = LiveCartItem.objects.filter(
            product_id=locked.product_id, session__status=LiveSession.Status.LIVE,
        ).exclude(session__store_id=locked.store_id).delete()
        videos, _n = ShortVideoProduct.objects.filter(
            product_id=locked.product_id, video__status=ShortVideo.Status.PUBLISHED,
        ).exclude(video__store_id=locked.store_id).delete()
        offer_transition(offer=locked, to=ProductOffer.Status.WITHDRAWN, actor=actor,
                         reason=R("offer_withdrawn"), now=now, fields={"withdrawn_at": now},
                         data={"carts": carts, "videos": videos})
    return locked


# --- commissions ------------------------------------------------------------------------
def commission_transition(*, commission: Commission, to: str, actor, reason, now: datetime,
                          fields: dict | None = None, data: dict | None = None) -> Commission:
    """Move a locked commission (inside the caller's transaction)."""
    transition_apply(commission, table=rules.COMMISSION_TRANSITIONS, to=to, actor=actor,
                     reason=reason, now=now, event_model=CommissionEvent,
                     event_fk="commission", fields=fields, data=data)
    return commission


def _commission_event(commission: Commission, reason, now: datetime, **data) -> None:
    CommissionEvent.objects.create(commission=commission, from_status=commission.status,
                                   to_status=commission.status, actor=None, at=now,
                                   data=data, **reason_fields(reason))


def _due(order: Order) -> tuple[Decimal, Decimal]:
    """(base, amount) of the order's commission on what is paid and not refunded now."""
    lines = [(line.paid_amount - line.refunded_amount,
              Decimal(line.promotion.get("commission_rate", "0")))
             for line in OrderLine.objects.filter(order_id=order.pk).only(
                 "paid_amount", "refunded_amount", "promotion")]
    return rules.commission_due(lines, order.paid_amount - order.refunded_amount)


def _promoter_id(order) -> int | None:
    value = (order.promotion or {}).get("promoter")
    return int(value) if value else None


class CommissionOrderExtension:
    """The order path's commission (shop.order_extensions), after the source's extension:
    an order placed from another store's live cart or video (a promoter's, through the
    selection center) snapshots the promoter (`Order.promotion["promoter"]`) and each
    line's rate (`OrderLine.promotion["commission_rate"]`) at order time."""

    name = "commission"

    def price(self, draft) -> None:
        parsed = source_parse(draft.data.get("source") or "")
        if parsed is None:
            return
        kind, pk = parsed
        model = LiveSession if kind == "live" else ShortVideo
        promoter_id = model.objects.filter(pk=pk).values_list("store_id", flat=True).first()
        if promoter_id is None or promoter_id == draft.store.pk:
            return
        rates = offered_rates(draft.store, {line.product.pk for line in draft.lines})
        for line in draft.lines:
            rate = rates.get(line.product.pk)
            if rate is None:  # the source's extension checked it; withdrawn meanwhile
                raise ApplicationError(_("A product in this order is not offered there."),
                                       code="source_product_not_linked", field="source")
            line.data["commission_rate"] = str(rate)
        draft.data["promoter"] = promoter_id

    def paid(self, order, now: datetime) -> None:
        """Recorded when the order is paid: what the promoter will earn, pending."""
        promoter_id = _promoter_id(order)
        if promoter_id is None or Commission.objects.filter(order_id=order.pk).exists():
            return
        base, amount = _due(order)
        commission = Commission.objects.create(
            order_id=order.pk, seller_id=order.store_id, promoter_id=promoter_id,
            rate=rules.effective_rate(base, amount), base=base, amount=amount,
            status=Commission.Status.PENDING, recorded_at=now)
        CommissionEvent.objects.create(
            commission=commission, from_status="", to_status=commission.status, actor=None,
            at=now, data={"base": str(base), "amount": str(amount)},
            **reason_fields(R("commission_recorded", number=order.number)))
        # the center's "sort by sales": units paid for through promoters
        for product_id, quantity in OrderLine.objects.filter(order_id=order.pk).values_list(
                "product_id", "quantity").order_by("product_id"):
            ProductOffer.objects.filter(product_id=product_id, store_id=order.store_id,
                                        status=ProductOffer.Status.ACTIVE).update(
                units_sold=F("units_sold") + quantity)

    def settle_parties(self, order) -> list[int]:
        promoter_id = _promoter_id(order)
        return [promoter_id] if promoter_id else []

    def settle(self, order, store_account, now: datetime) -> None:
        """The order completed: the commission on what is left paid moves from the seller's
        settlement to the promoter's store account (both accounts locked by shop)."""
        commission = (Commission.objects.select_for_update()
                      .filter(order_id=order.pk, status=Commission.Status.PENDING).first())
        if commission is None:
            return
        base, amount = _due(order)
        if amount <= 0:
            commission_transition(
                commission=commission, to=Commission.Status.REVERSED, actor=None,
                reason=R("commission_reversed", number=order.number), now=now,
                fields={"reversed_amount": commission.amount, "reversed_at": now})
            return
        data = {"commission": commission.pk, "base": str(base)}
        store_entry_append(
            store_account, kind=StoreAccountEntry.Kind.COMMISSION, amount=-amount, actor=None,
            reason=R("commission_paid", number=order.number), now=now, cause_type="order",
            cause_id=str(order.pk), order=order, data={**data, "promoter": commission.promoter_id})
        promoter_account, promoter_deposits = accounts_lock(commission.promoter)
        store_entry_append(
            promoter_account, kind=StoreAccountEntry.Kind.COMMISSION_EARNED, amount=amount,
            actor=None, reason=R("commission_earned", number=order.number), now=now,
            cause_type="order", cause_id=str(order.pk), order=order,
            data={**data, "seller": commission.seller_id})
        deposits_cover_from_account_locked(store_account=promoter_account,
                                           accounts=promoter_deposits, now=now)
        commission_transition(
            commission=commission, to=Commission.Status.SETTLED, actor=None,
            reason=R("commission_settled", number=order.number), now=now,
            fields={"base": base, "amount": amount, "settled_at": now,
                    "rate": rules.effective_rate(base, amount)},
            data={"base": str(base), "amount": str(amount)})

    def refunded(self, order, payment, now: datetime) -> None:
        """Before settlement the pending commission follows what is left paid (nothing
        left: reversed); after it, the refund at the commission's rate goes back from the
        promoter's account to the seller's."""
        commission = (Commission.objects.select_for_update().select_related("order")
                      .filter(order_id=order.pk).first())
        if commission is None or commission.status == Commission.Status.REVERSED:
            return
        fresh = commission.order
        fresh.refresh_from_db(fields=["paid_amount", "refunded_amount"])
        if commission.status == Commission.Status.PENDING:
            base, amount = _due(fresh)
            if amount <= 0:
                commission_transition(
                    commission=commission, to=Commission.Status.REVERSED, actor=None,
                    reason=R("commission_reversed", number=fresh.number), now=now,
                    fields={"reversed_amount": commission.amount, "reversed_at": now},
                    data={"payment": payment.provider_ref})
            elif amount != commission.amount:
                old = commission.amount
                commission.base, commission.amount = base, amount
                commission.save(update_fields=["base", "amount"])
                _commission_event(commission, R("commission_reduced", number=fresh.number),
                                  now, old=str(old), new=str(amount),
                                  payment=payment.provider_ref)
            return
        self._reverse_settled(commission, fresh, payment, now)

    def _reverse_settled(self, commission: Commission, order, payment, now) -> None:
        rate = commission.rate
        line_id = (payment.data or {}).get("line")
        if line_id is not None:
            line = OrderLine.objects.filter(pk=line_id, order_id=order.pk).only(
                "promotion").first()
            if line is not None:
                rate = Decimal(line.promotion.get("commission_rate", rate))
        back = rules.reversal_due(refund=payment.amount, rate=rate,
                                  remaining=commission.amount - commission.reversed_amount)
        if back <= 0:
            return
        accounts = store_accounts_lock([commission.seller_id, commission.promoter_id])
        data = {"commission": commission.pk, "refund": str(payment.amount)}
        store_entry_append(
            accounts[commission.promoter_id], kind=StoreAccountEntry.Kind.COMMISSION_REVERSED,
            amount=-back, actor=None, reason=R("commission_taken_back", number=order.number),
            now=now, cause_type="payment", cause_id=str(payment.pk), order=order,
            payment=payment, data=data)
        store_entry_append(
            accounts[commission.seller_id], kind=StoreAccountEntry.Kind.COMMISSION_RETURNED,
            amount=back, actor=None, reason=R("commission_returned", number=order.number),
            now=now, cause_type="payment", cause_id=str(payment.pk), order=order,
            payment=payment, data=data)
        reversed_amount = to_money(commission.reversed_amount + back)
        if reversed_amount >= commission.amount:
            commission_transition(
                commission=commission, to=Commission.Status.REVERSED, actor=None,
                reason=R("commission_reversed", number=order.number), now=now,
                fields={"reversed_amount": reversed_amount, "reversed_at": now},
                data={"back": str(back), "payment": payment.provider_ref})
            return
        commission.reversed_amount = reversed_amount
        commission.save(update_fields=["reversed_amount"])
        _commission_event(commission, R("commission_reversed", number=order.number), now,
                          back=str(back), payment=payment.provider_ref)


    def refund_failed(self, order_id, payment, now: datetime) -> None:
        """A pending refund failed at the provider: the commission comes back — before
        settlement it follows what is left paid again; after it, what the refund took back
        from the promoter goes to the promoter again."""
        commission = (Commission.objects.select_for_update().select_related("order")
                      .filter(order_id=order_id).first())
        if commission is None:
            return
        order = commission.order
        order.refresh_from_db(fields=["paid_amount", "refunded_amount", "status"])
        reason = R("commission_restored", number=order.number)
        if commission.settled_at is None:
            if order.status in (Order.Status.COMPLETED, Order.Status.CLOSED):
                return  # settled (or closed) meanwhile with what was left
            base, amount = _due(order)
            if commission.status == Commission.Status.REVERSED and amount > 0:
                commission_transition(
                    commission=commission, to=Commission.Status.PENDING, actor=None,
                    reason=reason, now=now,
                    fields={"base": base, "amount": amount, "reversed_amount": 0,
                            "reversed_at": None}, data={"payment": payment.provider_ref})
            elif commission.status == Commission.Status.PENDING and amount != commission.amount:
                old = commission.amount
                commission.base, commission.amount = base, amount
                commission.save(update_fields=["base", "amount"])
                _commission_event(commission, reason, now, old=str(old), new=str(amount),
                                  payment=payment.provider_ref)
            return
        taken = StoreAccountEntry.objects.filter(
            account__store_id=commission.promoter_id,
            kind=StoreAccountEntry.Kind.COMMISSION_REVERSED, cause_type="payment",
            cause_id=str(payment.pk)).first()
        if taken is None:
            return
        accounts = store_accounts_lock([commission.seller_id, commission.promoter_id])
        cause = {"cause_type": "refund_failed", "cause_id": str(payment.pk)}
        if StoreAccountEntry.objects.filter(account=accounts[commission.promoter_id],
                                            kind=StoreAccountEntry.Kind.COMMISSION_EARNED,
                                            **cause).exists():
            return  # a repeated callback
        back = -taken.amount
        data = {"commission": commission.pk, "reversal_entry": taken.pk}
        store_entry_append(
            accounts[commission.seller_id], kind=StoreAccountEntry.Kind.COMMISSION,
            amount=-back, actor=None, reason=reason, now=now, order=order, payment=payment,
            data=data, **cause)
        store_entry_append(
            accounts[commission.promoter_id], kind=StoreAccountEntry.Kind.COMMISSION_EARNED,
            amount=back, actor=None, reason=reason, now=now, order=order, payment=payment,
            data=data, **cause)
        reversed_amount = to_money(commission.reversed_amount - back)
        if commission.status == Commission.Status.REVERSED:
            commission_transition(
                commission=commission, to=Commission.Status.SETTLED, actor=None,
                reason=reason, now=now,
                fields={"reversed_amount": reversed_amount, "reversed_at": None},
                data={"back": str(back), "payment": payment.provider_ref})
            return
        commission.reversed_amount = reversed_amount
        commission.save(update_fields=["reversed_amount"])
        _commission_event(commission, reason, now, back=str(back),
                          payment=payment.provider_ref)


commission_order_extension = CommissionOrderExtension()


def promoter_check(store) -> None:
    """Raise unless the store may use the selection center as a promoter."""
    if not promoter_may_use_center(store):
        raise ApplicationError(_("Only an open store can promote products."),
                               code="not_a_promoter")
