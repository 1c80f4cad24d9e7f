"""Live sessions (直播): start and end; the shopping cart (小黄车): selling on or off, add,
remove, reorder, the product presented; short videos (短视频): publish with a cover, link
products, remove; and the order extension that records an order's source (a session's cart
or a video) after checking it may sell that product now."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config
from common.errors import ApplicationError
from common.reasons import Reason, reason_fields
from common.uploads import validate_image_upload
from common.workflows import transition_apply
from promotions.models import (
    LiveCartItem,
    LiveSession,
    LiveSessionEvent,
    OrderSource,
    ShortVideo,
    ShortVideoEvent,
    ShortVideoProduct,
)
from promotions.reasons import R
from promotions.rules.coupons import LIVE_SESSION_TRANSITIONS
from promotions.rules.live import SHORT_VIDEO_TRANSITIONS, list_move, source_label, source_parse
from promotions.selectors.live import live_cart_closed_reasons
from promotions.selectors.selection import center_product, offered_rates, promoter_may_use_center
from promotions.services.ads import promotion_orders_end_for_session
from promotions.services.lightning import lightning_listings_end_for_session
from shop.models import Product


def live_session_transition(*, session: LiveSession, to: str, actor, reason, now: datetime,
                            fields: dict | None = None) -> LiveSession:
    """Move a locked live session (inside the caller's transaction)."""
    transition_apply(session, table=LIVE_SESSION_TRANSITIONS, to=to, actor=actor,
                     reason=reason, now=now, event_model=LiveSessionEvent,
                     event_fk="session", fields=fields)
    return session


def live_session_start(*, store, actor, title: str = "",
                       now: datetime | None = None) -> LiveSession:
    """The merchant goes live; one session per store at a time (a unique constraint)."""
    now = now or timezone.now()
    if store.merchant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This is not your store."), code="not_yours")
    try:
        with transaction.atomic():
            session = LiveSession.objects.create(
                store=store, title=(title or "").strip()[:60],
                status=LiveSession.Status.LIVE, started_at=now)
            LiveSessionEvent.objects.create(session=session, from_status="",
                                            to_status=session.status, actor=actor, at=now,
                                            **reason_fields(R("live_started")))
    except IntegrityError:
        raise ApplicationError(_("Your store is already live."), code="already_live")
    return session


def live_session_end(*, session: LiveSession, actor, now: datetime | None = None) -> LiveSession:
    now = now or timezone.now()
    if actor is not None and session.store.merchant_id != actor.pk:
        raise ApplicationError(_("This is not your live session."), code="not_yours")
    with transaction.atomic():
        locked = LiveSession.objects.select_for_update().get(pk=session.pk)
        live_session_transition(session=locked, to=LiveSession.Status.ENDED, actor=actor,
                                reason=R("live_ended"), now=now, fields={"ended_at": now})
        # its lightning listings (闪电购) were made for this session only
        lightning_listings_end_for_session(session=locked, actor=actor, now=now)
        # and the paid promotion bought for it has nothing left to show
        promotion_orders_end_for_session(session=locked, actor=actor, now=now)
    return locked


# --- the shopping cart (小黄车) ----------------------------------------------------------
def _closed_error(reasons: list[str]) -> ApplicationError:
    return ApplicationError(
        _("The shopping cart is closed: %(reasons)s") % {"reasons": " ".join(reasons)},
        code="cart_closed")


def _locked_live(session: LiveSession, actor) -> LiveSession:
    """The session locked for a cart change by its merchant, while it is live."""
    if session.store.merchant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This is not your live session."), code="not_yours")
    locked = LiveSession.objects.select_for_update().select_related("store").get(pk=session.pk)
    if locked.status != LiveSession.Status.LIVE:
        raise ApplicationError(_("The live session has ended."), code="not_live")
    return locked


def _cart_event(session: LiveSession, actor, reason: Reason, now: datetime, **data) -> None:
    LiveSessionEvent.objects.create(session=session, from_status=session.status,
                                    to_status=session.status, actor=actor, at=now, data=data,
                                    **reason_fields(reason))


def live_cart_set_enabled(*, session: LiveSession, enabled: bool, actor,
                          now: datetime | None = None) -> LiveSession:
    """本场直播我要卖货: turn selling in this session on (refused while the store's
    restrictions close the cart) or off."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_live(session, actor)
        if locked.cart_enabled == bool(enabled):
            return locked
        if enabled:
            reasons = live_cart_closed_reasons(locked.store)
            if reasons:
                raise _closed_error(reasons)
        locked.cart_enabled = bool(enabled)
        locked.save(update_fields=["cart_enabled"])
        _cart_event(locked, actor, R("live_cart_enabled" if enabled else "live_cart_disabled"),
                    now)
    return locked


def _cart_product(store, product_id) -> Product:
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        pk = 0
    product = Product.objects.filter(pk=pk, store=store).first() if pk > 0 else None
    if product is None and pk > 0:
        # another store's product offered in the selection center (选货中心): a promoter's
        product = center_product(store, pk)
        if product is not None:
            return product
    if product is None:
        raise ApplicationError(_("Choose one of your products."), code="product_not_found",
                               field="product")
    if product.kind != Product.Kind.OWN or product.status != Product.Status.LISTED:
        raise ApplicationError(_("Only your listed own products can be sold here."),
                               code="product_not_listed", field="product")
    return product


def live_cart_add(*, session: LiveSession, product_id, actor,
                  now: datetime | None = None) -> LiveCartItem:
    """Put one of the store's listed own products at the end of the cart."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_live(session, actor)
        reasons = live_cart_closed_reasons(locked.store)
        if reasons:
            raise _closed_error(reasons)
        product = _cart_product(locked.store, product_id)
        items = LiveCartItem.objects.filter(session=locked)
        limit = config.get("live.cart_max_products")
        if items.count() >= limit:
            raise ApplicationError(_("The cart holds at most %(n)s products.") % {"n": limit},
                                   code="cart_full", field="product")
        if items.filter(product=product).exists():
            raise ApplicationError(_("This product is already in the cart."),
                                   code="already_in_cart", field="product")
        last = items.aggregate(last=Max("position"))["last"] or 0
        item = LiveCartItem.objects.create(session=locked, product=product,
                                           position=last + 1, added_at=now)
        _cart_event(locked, actor, R("live_cart_added", product=product.pk), now,
                    product=product.pk)
    return item


def _cart_item(session: LiveSession, item_id) -> LiveCartItem:
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        pk = 0
    item = LiveCartItem.objects.filter(pk=pk, session=session).first() if pk > 0 else None
    if item is None:
        raise ApplicationError(_("This product is not in the cart."), code="not_in_cart")
    return item


def live_cart_remove(*, session: LiveSession, item_id, actor,
                     now: datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_live(session, actor)
        item = _cart_item(locked, item_id)
        item.delete()
        _cart_event(locked, actor, R("live_cart_removed", product=item.product_id), now,
                    product=item.product_id)


def live_cart_move(*, session: LiveSession, item_id, direction: str, actor,
                   now: datetime | None = None) -> None:
    """Move a product one place up or down the cart."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_live(session, actor)
        item = _cart_item(locked, item_id)
        rows = list(LiveCartItem.objects.filter(session=locked).order_by("position", "pk"))
        ids = [row.pk for row in rows]
        order = list_move(ids, item.pk, direction)
        if order == ids:
            return
        by_pk = {row.pk: row for row in rows}
        changed = []
        for position, pk in enumerate(order, start=1):
            row = by_pk[pk]
            if row.position != position:
                row.position = position
                changed.append(row)
        LiveCartItem.objects.bulk_update(changed, ["position"])
        _cart_event(locked, actor, R("live_cart_moved", product=item.product_id), now,
                    product=item.product_id, direction=direction)


def live_cart_present(*, session: LiveSession, item_id, actor,
                      now: datetime | None = None) -> None:
    """Mark the product being presented (讲解中); `item_id` None: none."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = _locked_live(session, actor)
        item = _cart_item(locked, item_id) if item_id not in (None, "") else None
        LiveCartItem.objects.filter(session=locked, presenting=True).update(presenting=False)
        if item is None:
            _cart_event(locked, actor, R("live_cart_presenting_none"), now)
            return
        LiveCartItem.objects.filter(pk=item.pk).update(presenting=True)
        _cart_event(locked, actor, R("live_cart_presenting", product=item.product_id), now,
                    product=item.product_id)


# --- short videos (短视频) ----------------------------------------------------------------
def short_video_transition(*, video: ShortVideo, to: str, actor, reason, now: datetime,
                           fields: dict | None = None) -> ShortVideo:
    """Move a locked short video (inside the caller's transaction)."""
    transition_apply(video, table=SHORT_VIDEO_TRANSITIONS, to=to, actor=actor, reason=reason,
                     now=now, event_model=ShortVideoEvent, event_fk="video", fields=fields)
    return video


def _video_products(store, product_ids) -> list[int]:
    ids = []
    for value in product_ids or ():
        product = _cart_product(store, value)
        if product.pk not in ids:
            ids.append(product.pk)
    limit = config.get("short_video.max_products")
    if len(ids) > limit:
        raise ApplicationError(_("A video is linked to at most %(n)s products.") % {"n": limit},
                               code="too_many_products", field="products")
    return ids


def _cover(cover):
    if cover is None:
        raise ApplicationError(_("Upload a cover image."), code="required", field="cover")
    try:
        _info, content = validate_image_upload(cover, max_bytes=settings.UPLOAD_MAX_BYTES)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="image_invalid", field="cover")
    return content


def short_video_publish(*, store, actor, title: str, cover, product_ids=(),
                        now: datetime | None = None) -> ShortVideo:
    """Publish a short video with its cover image, linked to listed own products (关联我的
    商品). The cover is checked and re-encoded before the transaction."""
    now = now or timezone.now()
    if store.merchant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This is not your store."), code="not_yours")
    title = (title or "").strip()[:60]
    if not title:
        raise ApplicationError(_("Give the video a title."), code="required", field="title")
    ids = _video_products(store, product_ids)
    if ids:
        reasons = live_cart_closed_reasons(store)
        if reasons:
            raise _closed_error(reasons)
    content = _cover(cover)
    with transaction.atomic():
        video = ShortVideo(store=store, title=title, status=ShortVideo.Status.PUBLISHED,
                           published_at=now, created_at=now)
        video.cover = content
        video.save()
        ShortVideoProduct.objects.bulk_create(
            ShortVideoProduct(video=video, product_id=pk, position=position)
            for position, pk in enumerate(ids, start=1))
        ShortVideoEvent.objects.create(video=video, from_status="", to_status=video.status,
                                       actor=actor, at=now, data={"products": ids},
                                       **reason_fields(R("video_published")))
    return video


def short_video_link_products(*, video: ShortVideo, product_ids, actor,
                              now: datetime | None = None) -> ShortVideo:
    """Replace the products a video is linked to (in the order given). Linking a product
    not yet linked is refused while the store's restrictions close the cart."""
    now = now or timezone.now()
    if video.store.merchant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This is not your video."), code="not_yours")
    ids = _video_products(video.store, product_ids)
    with transaction.atomic():
        locked = _locked_video(video)
        _video_links_replace(locked, ids, _video_links(locked), actor=actor, now=now)
    return locked


def short_video_link_product(*, video: ShortVideo, product_id, actor,
                             now: datetime | None = None) -> ShortVideo:
    """Link one more product to a video, after the products it is linked to (a product
    already linked stays where it is). The video's links are read under its lock, so two
    products linked at once both stay linked."""
    now = now or timezone.now()
    if video.store.merchant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This is not your video."), code="not_yours")
    added = _video_products(video.store, [product_id])
    with transaction.atomic():
        locked = _locked_video(video)
        current = _video_links(locked)
        ids = current + [pk for pk in added if pk not in current]
        limit = config.get("short_video.max_products")
        if len(ids) > limit:
            raise ApplicationError(
                _("A video is linked to at most %(n)s products.") % {"n": limit},
                code="too_many_products", field="products")
        _video_links_replace(locked, ids, current, actor=actor, now=now)
    return locked


def _locked_video(video: ShortVideo) -> ShortVideo:
    locked = ShortVideo.objects.select_for_update().get(pk=video.pk)
    if locked.status != ShortVideo.Status.PUBLISHED:
        raise ApplicationError(_("A removed video cannot be changed."), code="bad_state")
    return locked


def _video_links(video: ShortVideo) -> list[int]:
    return list(ShortVideoProduct.objects.filter(video=video)
                .order_by("position", "pk").values_list("product_id", flat=True))


def _video_links_replace(locked: ShortVideo, ids: list[int], current: list[int], *, actor,
                         now: datetime) -> None:
    """Replace a locked video's links by `ids` (in order), with its event row; nothing when
    they are unchanged. Linking a product not yet linked is refused while the store's
    restrictions close the cart."""
    if current == ids:
        return
    if set(ids) - set(current):
        reasons = live_cart_closed_reasons(locked.store)
        if reasons:
            raise _closed_error(reasons)
    ShortVideoProduct.objects.filter(video=locked).delete()
    ShortVideoProduct.objects.bulk_create(
        ShortVideoProduct(video=locked, product_id=pk, position=position)
        for position, pk in enumerate(ids, start=1))
    locked.save(update_fields=["updated_at"])
    ShortVideoEvent.objects.create(
        video=locked, from_status=locked.status, to_status=locked.status, actor=actor,
        at=now, data={"products": ids},
        **reason_fields(R("video_products_linked", count=len(ids))))


def short_video_remove(*, video: ShortVideo, actor, now: datetime | None = None) -> ShortVideo:
    now = now or timezone.now()
    if video.store.merchant_id != getattr(actor, "pk", None):
        raise ApplicationError(_("This is not your video."), code="not_yours")
    with transaction.atomic():
        locked = ShortVideo.objects.select_for_update().get(pk=video.pk)
        short_video_transition(video=locked, to=ShortVideo.Status.REMOVED, actor=actor,
                               reason=R("video_removed"), now=now, fields={"removed_at": now})
    return locked


# --- where an order came from -----------------------------------------------------------
def _refuse(message, code):
    return ApplicationError(message, code=code, field="source")


def _may_carry(source_store, seller_store, product_ids) -> bool:
    """The source is the seller's own, or a promoter's carrying products the seller offers
    in the selection center (选货中心) now."""
    if source_store.pk == seller_store.pk:
        return True
    return (promoter_may_use_center(source_store)
            and set(offered_rates(seller_store, product_ids)) >= set(product_ids))


class OrderSourceExtension:
    """The order path's source (shop.order_extensions): `options["source"]` names the live
    session ("live:<id>") or short video ("video:<id>") the buyer ordered from. It must be
    the store's, on air (or published), open for selling, and carry every product ordered;
    the order then records it (`Order.promotion["source"]` and an OrderSource row)."""

    name = "source"

    def price(self, draft) -> None:
        raw = draft.options.get("source")
        if raw in (None, ""):
            return
        parsed = source_parse(raw) if isinstance(raw, str) else None
        if parsed is None:
            raise _refuse(_("Name a live session (live:<id>) or a short video (video:<id>)."),
                          "source_invalid")
        kind, pk = parsed
        product_ids = {line.product.pk for line in draft.lines}
        if kind == "live":
            session = LiveSession.objects.filter(pk=pk).select_related("store").first()
            if session is None or not _may_carry(session.store, draft.store, product_ids):
                raise _refuse(_("This live session is not this store's."), "source_not_found")
            if session.status != LiveSession.Status.LIVE:
                raise _refuse(_("This live session has ended."), "source_not_live")
            if not session.cart_enabled:
                raise _refuse(_("This live session sells nothing."), "cart_closed")
            linked = set(LiveCartItem.objects.filter(session=session, product_id__in=product_ids)
                         .values_list("product_id", flat=True))
        else:
            video = ShortVideo.objects.filter(pk=pk).select_related("store").first()
            if video is None or not _may_carry(video.store, draft.store, product_ids):
                raise _refuse(_("This short video is not this store's."), "source_not_found")
            if video.status != ShortVideo.Status.PUBLISHED:
                raise _refuse(_("This short video has been removed."), "source_not_published")
            linked = set(ShortVideoProduct.objects.filter(video=video, product_id__in=product_ids)
                         .values_list("product_id", flat=True))
        if product_ids - linked:
            raise _refuse(_("A product in this order is not offered there."),
                          "source_product_not_linked")
        reasons = live_cart_closed_reasons(draft.store)
        promoter = (session if kind == "live" else video).store
        if promoter.pk != draft.store.pk:
            reasons += live_cart_closed_reasons(promoter)
        if reasons:
            error = _closed_error(reasons)
            raise _refuse(error.message, "cart_closed")
        draft.data["source"] = source_label(kind, pk)

    def reserve(self, draft, order) -> None:
        label = draft.data.get("source")
        if not label:
            return
        kind, pk = source_parse(label)
        if kind == "live":
            # ended between pricing and the order's transaction: the order is not from it
            if not LiveSession.objects.filter(pk=pk, status=LiveSession.Status.LIVE).exists():
                raise _refuse(_("This live session has ended."), "source_not_live")
            OrderSource.objects.create(order=order, store_id=order.store_id, session_id=pk,
                                       created_at=draft.now)
        else:
            if not ShortVideo.objects.filter(pk=pk,
                                             status=ShortVideo.Status.PUBLISHED).exists():
                raise _refuse(_("This short video has been removed."), "source_not_published")
            OrderSource.objects.create(order=order, store_id=order.store_id, video_id=pk,
                                       created_at=draft.now)


order_source_extension = OrderSourceExtension()
