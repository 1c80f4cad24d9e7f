"""Reads of the selection center (选货中心), scoped to who asks: a seller's own offers; what
a promoter (another open store) may browse and carry — only the products offered, with the
public fields of a listing and what the promoter earns per item; a promoter's commissions."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import DecimalField, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from common import config
from common.keyset import KeysetPage, keyset_page
from common.money import ZERO
from compliance.models import Category
from promotions.models import Commission, ProductOffer, ShortVideo
from promotions.rules.selection import earn_per_item
from shop.models import Product, Sku, Store

SORTS = {
    "commission": ("-rate", "-id"),
    "sales": ("-units_sold", "-id"),
}
DEFAULT_SORT = "commission"


def _price_from():
    """The lowest price of the offered product's active SKUs."""
    return Subquery(Sku.objects.filter(product=OuterRef("product_id"), is_active=True)
                    .order_by("price").values("price")[:1])


# --- the seller -------------------------------------------------------------------------
def offers_for_seller(user, *, status: str = "", q: str = "") -> QuerySet[ProductOffer]:
    """The merchant's own offers, newest first (index store, created_at)."""
    qs = ProductOffer.objects.for_merchant(user)
    if status in ProductOffer.Status.values:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(product__title__icontains=q)
    return (qs.select_related("product").annotate(price_from=_price_from())
            .order_by("-created_at", "-id"))


def offer_for_seller(user, pk) -> ProductOffer:
    """ProductOffer.DoesNotExist unless it is the merchant's."""
    return ProductOffer.objects.for_merchant(user).select_related("product", "store").get(pk=pk)


def offer_candidates_for_seller(user) -> QuerySet[Product]:
    """The merchant's listed own products not offered now."""
    offered = ProductOffer.objects.filter(status=ProductOffer.Status.ACTIVE).values("product_id")
    return (Product.objects.for_merchant(user)
            .filter(kind=Product.Kind.OWN, status=Product.Status.LISTED)
            .exclude(pk__in=offered).order_by("-created_at", "-pk"))


# --- promoters --------------------------------------------------------------------------
def promoter_may_use_center(store) -> bool:
    """A promoter is a merchant whose store is open (approved, not closing)."""
    return store is not None and store.status == Store.Status.OPEN


def _center(promoter) -> QuerySet[ProductOffer]:
    """Offers a promoter may carry: active, of a listed own product of another open store."""
    return (ProductOffer.objects
            .filter(status=ProductOffer.Status.ACTIVE, product__status=Product.Status.LISTED,
                    product__kind=Product.Kind.OWN, store__status=Store.Status.OPEN)
            .exclude(store_id=promoter.pk))


def center_categories() -> QuerySet[Category]:
    """The top-level categories, for the center's filter."""
    return Category.objects.filter(parent__isnull=True).order_by("code")


def center_page(promoter, *, q: str = "", category: str = "", sort: str = "",
                after: str = "", before: str = "") -> KeysetPage:
    """One page of the center: searched by title, filtered by a category (any level),
    sorted by commission rate or by units sold through promoters (both index-served, keyset
    pages). Each offer carries `price_from` and `earn` (+¥赚XX per item at that price)."""
    qs = _center(promoter)
    if q:
        qs = qs.filter(product__title__icontains=q)
    try:
        category_id = int(category) if category else 0
    except ValueError:
        category_id = 0
    if category_id > 0:
        qs = qs.filter(Q(product__category_id=category_id)
                       | Q(product__category__parent_id=category_id)
                       | Q(product__category__parent__parent_id=category_id))
    qs = (qs.select_related("product", "store").only(
              "id", "rate", "units_sold", "status", "store__name", "product__title",
              "product__image", "product__category_id")
          .annotate(price_from=_price_from()))
    page = keyset_page(qs, keys=SORTS.get(sort, SORTS[DEFAULT_SORT]),
                       size=config.get("selection.page_size"), after=after, before=before)
    for offer in page.object_list:
        offer.earn = earn_per_item(offer.price_from, offer.rate) if offer.price_from else None
    return page


def center_offer(promoter, pk) -> ProductOffer:
    """One offer a promoter may carry; ProductOffer.DoesNotExist for anything else (another
    store's product not offered, its own offer, a withdrawn offer)."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ProductOffer.DoesNotExist
    offer = (_center(promoter).select_related("product", "store")
             .annotate(price_from=_price_from()).get(pk=pk))
    offer.earn = earn_per_item(offer.price_from, offer.rate) if offer.price_from else None
    return offer


def promoter_videos(promoter, *, limit: int) -> list[ShortVideo]:
    """The promoter's published short videos, newest first, to link a center product to
    (index store, status, published_at)."""
    return list(ShortVideo.objects.filter(store=promoter, status=ShortVideo.Status.PUBLISHED)
                .order_by("-published_at", "-pk")[:limit])


def promoter_video(promoter, pk) -> ShortVideo:
    """One of the promoter's published videos; ShortVideo.DoesNotExist for anything else."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise ShortVideo.DoesNotExist
    return (ShortVideo.objects.select_related("store")
            .get(store=promoter, status=ShortVideo.Status.PUBLISHED, pk=pk))


def center_product(promoter, product_id) -> Product | None:
    """The product of an offer a promoter may carry (by product id), or None."""
    if not promoter_may_use_center(promoter):
        return None
    try:
        pk = int(product_id)
    except (TypeError, ValueError):
        return None
    offer = _center(promoter).filter(product_id=pk).select_related("product").first()
    return offer.product if offer is not None else None


def offered_rates(seller_store, product_ids) -> dict[int, Decimal]:
    """{product id: commission rate} of the seller's products offered now."""
    return dict(ProductOffer.objects.filter(
        store=seller_store, status=ProductOffer.Status.ACTIVE,
        product_id__in=list(product_ids)).values_list("product_id", "rate"))


# --- a promoter's commissions -----------------------------------------------------------
def commissions_page(user, *, status: str = "", after: str = "", before: str = "",
                     size: int | None = None) -> KeysetPage:
    """The merchant's commissions as a promoter, newest first (index promoter,
    [status,] recorded_at)."""
    qs = Commission.objects.for_merchant(user)
    if status in Commission.Status.values:
        qs = qs.filter(status=status)
    qs = qs.select_related("order", "seller")
    return keyset_page(qs, keys=("-recorded_at", "-id"),
                       size=size or config.get("selection.page_size"), after=after,
                       before=before)


def commission_totals(user) -> dict[str, Decimal]:
    """What the merchant earned as a promoter: pending (orders paid, not completed),
    settled (net of what refunds took back since) and reversed. One query."""
    money = DecimalField(max_digits=12, decimal_places=2)
    return Commission.objects.for_merchant(user).aggregate(
        pending=Coalesce(Sum("amount", filter=Q(status=Commission.Status.PENDING)), ZERO,
                         output_field=money),
        settled=Coalesce(Sum(F("amount") - F("reversed_amount"),
                             filter=Q(status=Commission.Status.SETTLED)), ZERO,
                         output_field=money),
        reversed=Coalesce(Sum("reversed_amount"), ZERO, output_field=money),
    )
