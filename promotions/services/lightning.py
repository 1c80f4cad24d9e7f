"""Lightning purchase (闪电购): turn it on (only while every condition is met) or off; make
a quick listing during a live session — a real product of the store, made through shop's
product services, on sale in the cart at once when the automatic screening finds nothing,
otherwise in the product review queue; end it; and the reviewers' spot checks (passed, or
taken down with a reason)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config
from common.errors import ApplicationError
from common.money import to_money
from common.reasons import Reason, reason_fields
from common.uploads import validate_image_upload
from common.workflows import transition_apply
from compliance.models import Category
from promotions.models import (
    LightningListing,
    LightningListingEvent,
    LightningStore,
    LightningStoreEvent,
    LiveCartItem,
    LiveSession,
    LiveSessionEvent,
)
from promotions.notifications import notify_lightning_review_rejected
from promotions.reasons import R
from promotions.rules import lightning as rules
from promotions.rules.lightning import LIGHTNING_LISTING_TRANSITIONS, LIGHTNING_STORE_TRANSITIONS
from promotions.selectors.lightning import (
    lightning_category_problem,
    lightning_conditions,
    lightning_failing,
)
from promotions.selectors.live import live_cart_closed_reasons
from shop.models import Product, Store
from shop.services import products as product_services


def _not_eligible(failing) -> ApplicationError:
    return ApplicationError(
        _("Your store does not meet the conditions of lightning purchase: %(failing)s")
        % {"failing": "; ".join(f"{c.label} ({c.value})" for c in failing)},
        code="not_eligible", extra={"failing": [c.code for c in failing]})


# --- the switch -------------------------------------------------------------------------
def lightning_store_transition(*, switch: LightningStore, to: str, actor, reason, now: datetime,
                               data: dict | None = None) -> LightningStore:
    """The one writer of a switch's status (a locked row, in the caller's transaction)."""
    transition_apply(switch, table=LIGHTNING_STORE_TRANSITIONS, to=to, actor=actor,
                     reason=reason, now=now, event_model=LightningStoreEvent,
                     event_fk="switch", fields={"changed_at": now}, data=data)
    return switch


def lightning_switch_set(*, store: Store, enabled: bool, actor,
                         now: datetime | None = None) -> LightningStore:
    """Turn lightning purchase on — refused, naming every condition not met, unless the
    store meets them all now — or off."""
    now = now or timezone.now()
    if store.merchant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This is not your store."), code="not_yours")
    to = LightningStore.Status.ON if enabled else LightningStore.Status.OFF
    with transaction.atomic():
        try:
            with transaction.atomic():
                switch, _created = LightningStore.objects.get_or_create(
                    store=store, defaults={"changed_at": now})
        except IntegrityError:  # made by a concurrent request: it is there now
            pass
        switch = LightningStore.objects.select_for_update().get(store=store)
        if switch.status == to:
            return switch
        if enabled:
            failing = lightning_failing(lightning_conditions(store, now))
            if failing:
                raise _not_eligible(failing)
        lightning_store_transition(
            switch=switch, to=to, actor=actor, now=now,
            reason=R("lightning_turned_on" if enabled else "lightning_turned_off"))
    return switch


# --- a quick listing --------------------------------------------------------------------
def _clean_title(value) -> str:
    title = " ".join(str(value or "").split())
    if not title:
        raise ApplicationError(_("Give the product a title."), code="required", field="title")
    limit = config.get("lightning.title_max_length")
    if len(title) > limit:
        raise ApplicationError(_("The title is at most %(n)s characters.") % {"n": limit},
                               code="title_long", field="title")
    return title


def _clean_price(value) -> Decimal:
    try:
        price = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        price = None
    bad = ApplicationError(_("Enter a price above zero, in yuan with at most two decimals."),
                           code="invalid_price", field="price")
    if price is None or not price.is_finite() or price <= 0:
        raise bad
    limit = config.get("lightning.max_price")
    if price > limit:  # before rounding: a huge number does not fit the cents
        raise ApplicationError(_("The price is at most %(n)s.") % {"n": limit},
                               code="price_too_high", field="price")
    if price != to_money(price):
        raise bad
    return to_money(price)


def _clean_stock(value) -> int:
    try:
        stock = int(str(value).strip())
    except (TypeError, ValueError):
        stock = 0
    limit = config.get("lightning.max_stock")
    if stock < 1 or stock > limit:
        raise ApplicationError(_("The stock is a whole number from 1 to %(n)s.") % {"n": limit},
                               code="invalid_stock", field="stock")
    return stock


def _category_error(problem: str) -> ApplicationError:
    messages = {
        rules.CATEGORY_NOT_LEAF: _("Choose a category of the lowest level."),
        rules.CATEGORY_NOT_OPEN: _("This category is not open for sale."),
        rules.CATEGORY_NOT_LIGHTNING: _("Lightning purchase is not open in this category."),
        rules.CATEGORY_BASE_ONLY: _("This category is open to lightning purchase for "
                                    "merchants of a jadeite industry base only."),
    }
    return ApplicationError(messages[problem], code=f"category_{problem}", field="category")


def _clean_category(store: Store, category_id) -> Category:
    try:
        pk = int(category_id)
    except (TypeError, ValueError):
        pk = 0
    category = (Category.objects.select_related("parent__parent").filter(pk=pk).first()
                if pk > 0 else None)
    if category is None:
        raise ApplicationError(_("Choose a category."), code="category_missing",
                               field="category")
    problem = lightning_category_problem(store, category)
    if problem:
        raise _category_error(problem)
    return category


def _photo(photo):
    if photo is None:
        raise ApplicationError(_("Take a photo of the product."), code="required", field="photo")
    try:
        _info, content = validate_image_upload(photo, max_bytes=settings.UPLOAD_MAX_BYTES)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="image_invalid", field="photo")
    return content


def _listing_event(listing: LightningListing, actor, reason: Reason | str, now: datetime,
                   old: str | None = None, **data) -> None:
    LightningListingEvent.objects.create(
        listing=listing, from_status=listing.status if old is None else old,
        to_status=listing.status, actor=actor, at=now, data=data, **reason_fields(reason))


def lightning_listing_create(*, session: LiveSession, actor, title, category_id, price, stock,
                             photo, now: datetime | None = None) -> LightningListing:
    """A quick listing during a live session: the photo (checked and re-encoded like every
    upload, before the transaction), a category the tree opens to lightning purchase (the
    jadeite-base ones for base stores only), a price and a stock. In one transaction:
    the store's switch must be on and every condition still met, the session live and
    selling; the product is created and submitted through shop's services (which refuse
    what any listing is refused: a publishing restriction, a missing qualification); when
    the screening found nothing it is approved and listed at once, otherwise it waits in
    the review queue; it goes at the end of the cart either way (viewers see only listed
    products). Any refusal leaves nothing written."""
    now = now or timezone.now()
    store = session.store
    if store.merchant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This is not your live session."), code="not_yours")
    title = _clean_title(title)
    category = _clean_category(store, category_id)
    price = _clean_price(price)
    stock = _clean_stock(stock)
    content = _photo(photo)
    with transaction.atomic():
        locked = LiveSession.objects.select_for_update().select_related("store").get(
            pk=session.pk)
        if locked.status != LiveSession.Status.LIVE:
            raise ApplicationError(_("The live session has ended."), code="not_live")
        switch = LightningStore.objects.select_for_update().filter(store=store).first()
        if switch is None or switch.status != LightningStore.Status.ON:
            raise ApplicationError(_("Turn lightning purchase on first."), code="lightning_off")
        failing = lightning_failing(lightning_conditions(locked.store, now))
        if failing:
            raise _not_eligible(failing)
        if not locked.cart_enabled:
            raise ApplicationError(
                _("Turn on selling in this session (本场直播我要卖货) first."), code="cart_off")
        reasons = live_cart_closed_reasons(locked.store)
        if reasons:
            raise ApplicationError(
                _("The shopping cart is closed: %(reasons)s") % {"reasons": " ".join(reasons)},
                code="cart_closed")
        limit = config.get("lightning.max_listings_per_session")
        if LightningListing.objects.filter(session=locked).count() >= limit:
            raise ApplicationError(
                _("A live session takes at most %(n)s lightning listings.") % {"n": limit},
                code="too_many_listings")
        items = LiveCartItem.objects.filter(session=locked)
        cart_limit = config.get("live.cart_max_products")
        if items.count() >= cart_limit:
            raise ApplicationError(_("The cart holds at most %(n)s products.") % {"n": cart_limit},
                                   code="cart_full")
        product = product_services.product_create(
            store=locked.store, actor=actor, kind=Product.Kind.OWN,
            data={"title": title, "category_id": category.pk, "free_shipping": True},
            skus=[{"attributes": {}, "price": str(price), "stock": stock}],
            image=content, now=now)
        revision = product_services.product_submit(product=product, actor=actor, now=now)
        hits = list(revision.screening_hits or [])
        if not hits:
            # Nothing for a reviewer to look at first: listed at once (the system decides),
            # and open to a spot check afterwards like every lightning listing.
            product_services.product_revision_approve(revision=revision, actor=None, now=now)
        last = items.aggregate(last=Max("position"))["last"] or 0
        LiveCartItem.objects.create(session=locked, product=product, position=last + 1,
                                    added_at=now)
        LiveSessionEvent.objects.create(
            session=locked, from_status=locked.status, to_status=locked.status, actor=actor,
            at=now, data={"product": product.pk, "lightning": True},
            **reason_fields(R("lightning_cart_added", product=product.pk)))
        listing = LightningListing.objects.create(
            store=locked.store, session=locked, product=product,
            sku=product.skus.get(), category=category, price=price, stock=stock,
            status=LightningListing.Status.ACTIVE, screening_hit=bool(hits), created_at=now)
        _listing_event(listing, actor,
                       R("lightning_to_review", hits=len(hits)) if hits else R("lightning_listed"),
                       now, old="", hits=len(hits))
    return listing


# --- ending and taking down -------------------------------------------------------------
def lightning_listing_transition(*, listing: LightningListing, to: str, actor, reason,
                                 now: datetime, data: dict | None = None) -> LightningListing:
    """The one writer of a listing's status (a locked row, in the caller's transaction)."""
    transition_apply(listing, table=LIGHTNING_LISTING_TRANSITIONS, to=to, actor=actor,
                     reason=reason, now=now, event_model=LightningListingEvent,
                     event_fk="listing", fields={"ended_at": now}, data=data)
    return listing


def _off_sale(listing: LightningListing, *, actor, reason, cause=None, now: datetime) -> None:
    """Take the listing's product out of the cart, and off sale when it is listed."""
    LiveCartItem.objects.filter(session_id=listing.session_id,
                                product_id=listing.product_id).delete()
    product = Product.objects.get(pk=listing.product_id)
    if product.status == Product.Status.LISTED:
        product_services.product_delist(product=product, actor=actor, reason=reason,
                                        cause=cause, now=now)


def _locked_listing(listing: LightningListing) -> LightningListing:
    return (LightningListing.objects.select_for_update().select_related("store")
            .get(pk=listing.pk))


def lightning_listing_end(*, listing: LightningListing, actor,
                          now: datetime | None = None) -> LightningListing:
    """The merchant ends a lightning listing at any time (点击结束): out of the cart and off
    sale. A product still in review stays in the queue; the listing no longer offers it."""
    now = now or timezone.now()
    if listing.store.merchant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This is not your lightning listing."), code="not_yours")
    with transaction.atomic():
        locked = _locked_listing(listing)
        lightning_listing_transition(listing=locked, to=LightningListing.Status.ENDED,
                                     actor=actor, reason=R("lightning_ended"), now=now)
        _off_sale(locked, actor=actor, reason=R("lightning_ended"), now=now)
    return locked


def lightning_listings_end_for_session(*, session: LiveSession, actor, now: datetime) -> int:
    """A live session ended: its active lightning listings end with it (inside the
    caller's transaction, the session locked). Returns how many."""
    count = 0
    for listing in (LightningListing.objects.select_for_update()
                    .filter(session=session, status=LightningListing.Status.ACTIVE)
                    .order_by("pk")):
        lightning_listing_transition(listing=listing, to=LightningListing.Status.ENDED,
                                     actor=actor, reason=R("lightning_session_ended"), now=now)
        _off_sale(listing, actor=actor, reason=R("lightning_session_ended"), now=now)
        count += 1
    return count


def lightning_listing_spot_check(*, listing: LightningListing, actor,
                                 now: datetime | None = None) -> LightningListing:
    """A reviewer spot-checked the listing and found nothing (its status stays)."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_listing(listing)
        locked.spot_checked_at = now
        locked.spot_checked_by = actor
        locked.save(update_fields=["spot_checked_at", "spot_checked_by"])
        _listing_event(locked, actor, R("lightning_spot_checked"), now)
    return locked


def lightning_listing_take_down(*, listing: LightningListing, actor, reason: str,
                                now: datetime | None = None) -> LightningListing:
    """A reviewer's spot check found a problem: the listing is taken down (out of the cart,
    the product delisted by a reviewer) with the
    reviewer's reason. A product still in review stays in the queue, for the reviewers
    to decide there."""
    now = now or timezone.now()
    words = (reason or "").strip()
    if not words:
        raise ApplicationError(_("Taking a listing down needs a reason."),
                               code="reason_required", field="reason")
    with transaction.atomic():
        locked = _locked_listing(listing)
        lightning_listing_transition(
            listing=locked, to=LightningListing.Status.TAKEN_DOWN, actor=actor,
            reason=R("lightning_taken_down").noting(words), now=now)
        locked.spot_checked_at = now
        locked.spot_checked_by = actor
        locked.save(update_fields=["spot_checked_at", "spot_checked_by"])
        _off_sale(locked, actor=actor, reason=words, cause=Product.DelistedCause.REVIEWER,
                  now=now)
    return locked



def lightning_listings_review_rejected(*, product, reason: str, actor, now: datetime) -> int:
    """The product review rejected a lightning product that waited in the queue (a
    subscriber of `shop.product_hooks.review_rejected`, in the reviewer's transaction): its
    active listing is taken down with the reviewer's reason, out of the live cart, and the
    merchant is told. Returns how many listings."""
    count = 0
    for listing in (LightningListing.objects.select_for_update().select_related("store")
                    .filter(product_id=product.pk, status=LightningListing.Status.ACTIVE)
                    .order_by("pk")):
        lightning_listing_transition(
            listing=listing, to=LightningListing.Status.TAKEN_DOWN, actor=actor,
            reason=R("lightning_review_rejected").noting(reason), now=now)
        _off_sale(listing, actor=actor, reason=reason, cause=Product.DelistedCause.REVIEWER,
                  now=now)
        notify_lightning_review_rejected(listing, product_title=product.title, reason=reason,
                                         now=now)
        count += 1
    return count
