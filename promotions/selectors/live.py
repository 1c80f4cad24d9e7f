"""Reads of live selling and short videos, scoped to who asks: what viewers see of a live
session (its cart) and of a short video (its products), what the merchant edits, and what
a session or a video sold."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from common import config
from common.money import to_money
from promotions.models import LiveCartItem, LiveSession, OrderSource, ShortVideo, ShortVideoProduct
from shop.models import Order, OrderLine, Product, Sku, Store
from shop.selectors.stores import store_abilities


# --- restrictions -----------------------------------------------------------------------
def live_cart_closed_reasons(store) -> list[str]:
    """Why the store's cart, video links and the orders placed from them are closed now,
    empty while they are open. The store's abilities decide: a deposit shortfall, a store
    that cannot sell, and the compliance restrictions of the cart in force (信用分 nodes and
    market-management measures, 暂停使用购物车功能), each with why and until when."""
    abilities = store_abilities(store)
    if abilities.may_sell:
        return []
    return [str(reason) for reason in abilities.reasons] or [
        _("The store cannot sell at the moment.")]


# --- products as they are shown ---------------------------------------------------------
def _price_from():
    """The lowest price of a product's active SKUs."""
    return Subquery(Sku.objects.filter(product=OuterRef("product_id"), is_active=True)
                    .order_by("price").values("price")[:1])


def live_cart_items(session: LiveSession, *, listed_only: bool) -> list[LiveCartItem]:
    """The cart in its order (at most the configured size); viewers see only the products
    still listed."""
    qs = session.cart_items.select_related("product").annotate(price_from=_price_from())
    if listed_only:
        qs = qs.filter(product__status=Product.Status.LISTED)
    return list(qs.order_by("position", "pk")[:config.get("live.cart_max_products")])


def live_cart_item_in(session: LiveSession, item_id) -> bool:
    """Whether `item_id` names an item of the session's cart (a merchant's own session:
    another store's item, or one gone, is not found)."""
    try:
        pk = int(item_id)
    except (TypeError, ValueError):
        return False
    return pk > 0 and LiveCartItem.objects.filter(pk=pk, session=session).exists()


def short_video_links(video: ShortVideo, *, listed_only: bool) -> list[ShortVideoProduct]:
    qs = (ShortVideoProduct.objects.filter(video=video).select_related("product")
          .annotate(price_from=_price_from()))
    if listed_only:
        qs = qs.filter(product__status=Product.Status.LISTED)
    return list(qs.order_by("position", "pk")[:config.get("short_video.max_products")])


# --- viewers ----------------------------------------------------------------------------
@dataclass
class LiveRoom:
    """A live session as one person sees it: viewers see its cart (when selling is on and
    nothing closes it); the streamer's own view has no cart (`cart` None)."""

    session: LiveSession
    cart_open: bool
    cart_closed_reasons: list[str] = field(default_factory=list)
    cart: list | None = None
    presenting: int | None = None


def live_room(session: LiveSession, viewer) -> LiveRoom:
    if session.store.merchant_id == getattr(viewer, "pk", None):
        return LiveRoom(session=session, cart_open=False)
    if session.status != LiveSession.Status.LIVE or not session.cart_enabled:
        return LiveRoom(session=session, cart_open=False, cart=[])
    reasons = live_cart_closed_reasons(session.store)
    if reasons:
        return LiveRoom(session=session, cart_open=False, cart_closed_reasons=reasons, cart=[])
    cart = live_cart_items(session, listed_only=True)
    presenting = next((item.product_id for item in cart if item.presenting), None)
    return LiveRoom(session=session, cart_open=True, cart=cart, presenting=presenting)


def live_sessions_for_viewers() -> QuerySet[LiveSession]:
    """Sessions on air now in open stores, newest first (index status, started_at)."""
    return (LiveSession.objects.filter(status=LiveSession.Status.LIVE,
                                       store__status=Store.Status.OPEN)
            .select_related("store").order_by("-started_at", "-pk"))


def live_session_for_viewers(pk: int) -> LiveSession:
    """A session of an open store (live or ended); LiveSession.DoesNotExist otherwise."""
    return (LiveSession.objects.select_related("store")
            .get(pk=pk, store__status=Store.Status.OPEN))


@dataclass
class VideoView:
    video: ShortVideo
    products_open: bool
    closed_reasons: list[str] = field(default_factory=list)
    products: list = field(default_factory=list)


def short_video_view(video: ShortVideo) -> VideoView:
    """A published video as viewers see it: its listed products, unless the store's
    restrictions close them."""
    reasons = live_cart_closed_reasons(video.store)
    if reasons:
        return VideoView(video=video, products_open=False, closed_reasons=reasons)
    return VideoView(video=video, products_open=True,
                     products=short_video_links(video, listed_only=True))


def short_videos_for_viewers(*, store: Store | None = None) -> QuerySet[ShortVideo]:
    """Published videos of open stores, newest first; one store's when given."""
    qs = ShortVideo.objects.filter(status=ShortVideo.Status.PUBLISHED,
                                   store__status=Store.Status.OPEN)
    if store is not None:
        qs = qs.filter(store=store)
    return qs.select_related("store").order_by("-published_at", "-pk")


def short_video_for_viewers(pk: int) -> ShortVideo:
    return short_videos_for_viewers().get(pk=pk)


# --- the merchant -----------------------------------------------------------------------
def live_session_for_merchant(user, pk: int) -> LiveSession:
    return LiveSession.objects.for_merchant(user).select_related("store").get(pk=pk)


def cart_candidates_for_merchant(user, exclude_ids=()) -> QuerySet[Product]:
    """The merchant's products a cart or a video can carry: listed own products."""
    return (Product.objects.for_merchant(user)
            .filter(kind=Product.Kind.OWN, status=Product.Status.LISTED)
            .exclude(pk__in=list(exclude_ids)).order_by("-created_at", "-pk"))


def short_videos_for_merchant(user) -> QuerySet[ShortVideo]:
    return (ShortVideo.objects.for_merchant(user)
            .annotate(product_count=Count("links")).order_by("-published_at", "-pk"))


def short_video_for_merchant(user, pk: int) -> ShortVideo:
    return ShortVideo.objects.for_merchant(user).select_related("store").get(pk=pk)


# --- results ----------------------------------------------------------------------------
@dataclass
class SourceResults:
    orders: int
    paid_orders: int
    sales: Decimal
    top_products: list


def _sources(session=None, video=None) -> QuerySet[OrderSource]:
    if session is not None:
        return OrderSource.objects.filter(session=session)
    return OrderSource.objects.filter(video=video)


def source_results(*, session: LiveSession | None = None,
                   video: ShortVideo | None = None) -> SourceResults:
    """What a session (or a video) sold: its orders, those paid, the sales (paid less
    refunded) and the top products by units paid for. Two queries, whatever the size."""
    order_ids = _sources(session, video).values("order_id")
    paid = Q(paid_at__isnull=False)
    totals = Order.objects.filter(pk__in=order_ids).aggregate(
        orders=Count("pk"), paid_orders=Count("pk", filter=paid),
        paid_amount=Sum("paid_amount", filter=paid),
        refunded_amount=Sum("refunded_amount", filter=paid))
    top = list(
        OrderLine.objects.filter(order_id__in=order_ids, order__paid_at__isnull=False)
        .values("product_id").annotate(units=Sum("quantity"), title=Max("title"),
                                       amount=Sum("paid_amount"))
        .order_by("-units", "product_id")[:config.get("live.results_top_products")])
    sales = to_money((totals["paid_amount"] or Decimal("0"))
                     - (totals["refunded_amount"] or Decimal("0")))
    return SourceResults(orders=totals["orders"], paid_orders=totals["paid_orders"],
                         sales=sales, top_products=top)


def source_orders(*, session: LiveSession | None = None,
                  video: ShortVideo | None = None) -> QuerySet[Order]:
    """The orders placed from a session (or a video), newest first."""
    order_ids = _sources(session, video).values("order_id")
    return Order.objects.filter(pk__in=order_ids).order_by("-pk")
