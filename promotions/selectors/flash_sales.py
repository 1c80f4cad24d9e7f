"""Flash-sale reads for the merchant pages and the buyer API, already scoped."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import (
    CharField,
    DecimalField,
    F,
    IntegerField,
    Prefetch,
    QuerySet,
    Value,
)

from common.prepared import prepared_query
from promotions.models import (
    CampaignEntryItem,
    CouponClaim,
    FlashSale,
    FlashSaleBuyer,
    FlashSaleItem,
)
from promotions.rules.campaigns import ACCEPTED as CAMPAIGN_ACCEPTED
from promotions.rules.campaigns import RUNNING as CAMPAIGN_RUNNING
from shop.models import Product, Store

Status = FlashSale.Status


def _items():
    return Prefetch("items", queryset=FlashSaleItem.objects.select_related("sku").order_by("pk"))


# --- merchants --------------------------------------------------------------------------
def flash_sales_for_merchant(user, *, status: str = "") -> QuerySet[FlashSale]:
    """The merchant's sales, latest start first (index store, -starts_at, -id)."""
    qs = FlashSale.objects.for_merchant(user)
    if status in Status.values:
        qs = qs.filter(status=status)
    return (qs.select_related("product").prefetch_related(_items())
            .order_by("-starts_at", "-pk"))


def flash_sale_for_merchant(user, pk: int) -> FlashSale:
    """One of the merchant's sales (DoesNotExist for anyone else's)."""
    return (FlashSale.objects.for_merchant(user).select_related("product", "store")
            .prefetch_related(_items(), "events__actor").get(pk=pk))


def flash_sale_counters_for_merchant(user, ids) -> dict[int, dict]:
    """Live sold / remaining per sale and per SKU, for the list page's refresh: only the
    merchant's own sales among `ids`."""
    rows = (FlashSaleItem.objects
            .filter(sale__in=FlashSale.objects.for_merchant(user).filter(pk__in=list(ids)[:100]))
            .select_related("sale").order_by("sale_id", "pk"))
    out: dict[int, dict] = {}
    for item in rows:
        sale = out.setdefault(item.sale_id, {"status": item.sale.status, "sold": 0,
                                             "remaining": 0, "skus": {}})
        remaining = item_remaining(item, item.sale.status)
        sale["sold"] += item.sold
        sale["remaining"] += remaining
        sale["skus"][item.pk] = {"sold": item.sold, "remaining": remaining}
    return out


def item_remaining(item: FlashSaleItem, status: str) -> int:
    """What is left to sell: the asked-for stock before the start, the flash stock less
    what sold while it runs, nothing once it is over."""
    if status == Status.SCHEDULED:
        return item.requested_stock
    if status == Status.RUNNING:
        return item.remaining
    return 0


def flash_sale_products_for_merchant(user) -> QuerySet[Product]:
    """The merchant's products a flash sale can be made for: listed own products."""
    return (Product.objects.for_merchant(user)
            .filter(kind=Product.Kind.OWN, status=Product.Status.LISTED)
            .order_by("-created_at", "-pk"))


# --- buyers -----------------------------------------------------------------------------
def flash_sales_for_buyers(now: datetime, *, status: str = "") -> QuerySet[FlashSale]:
    """Running and upcoming sales of open stores: running first, then upcoming, each by
    start (index status, starts_at, id)."""
    statuses = [status] if status in (Status.RUNNING, Status.SCHEDULED) else [
        Status.RUNNING, Status.SCHEDULED]
    return (FlashSale.objects.filter(status__in=statuses, ends_at__gt=now,
                                     store__status=Store.Status.OPEN)
            .select_related("product", "store").prefetch_related(_items())
            .order_by("status", "starts_at", "pk"))


def flash_sale_for_buyers(pk: int) -> FlashSale:
    """A sale buyers may look at (not a cancelled one)."""
    return (FlashSale.objects.exclude(status=Status.CANCELLED)
            .select_related("product", "store").prefetch_related(_items()).get(pk=pk))


def flash_sale_bought(sale: FlashSale, buyer) -> int:
    """How many units of the sale this buyer holds in live orders."""
    return (FlashSaleBuyer.objects.filter(sale=sale, buyer=buyer)
            .values_list("bought", flat=True).first() or 0)


# --- the order path ---------------------------------------------------------------------
@dataclass(frozen=True)
class FlashPrice:
    """A running flash sale's price of one SKU."""

    item_id: int
    sale_id: int
    price: Decimal
    limit: int


@dataclass(frozen=True)
class CampaignPrice:
    """The lowest accepted campaign price of one SKU among running campaigns."""

    item_id: int
    entry_id: int
    campaign_id: int
    campaign_name: str
    price: Decimal


@dataclass(frozen=True)
class OrderPromotionReads:
    """What the promotions' order extensions need to know before an order's transaction,
    read with one statement (`order_promotion_reads`)."""

    flash: dict = field(default_factory=dict)  # {sku id: FlashPrice}
    campaign: dict = field(default_factory=dict)  # {sku id: CampaignPrice}
    has_usable_coupon: bool = False  # the buyer holds an unused, valid coupon of the store


_COLUMNS = ("kind", "row_sku", "row_item", "row_price", "row_group", "row_limit",
            "row_campaign", "row_name")


def _rows(qs, kind: str, **columns):
    """A branch of the UNION: every branch yields the same eight columns in `_COLUMNS`
    order (annotations only, so their order is the one given here on every database)."""
    return qs.annotate(kind=Value(kind, output_field=CharField()), **columns).values_list(
        *_COLUMNS).order_by()


@prepared_query(sku_ids="ids", buyer_id="id", store_id="id", now="datetime")
def _promotion_union(sku_ids, *, buyer_id: int, store_id: int, now: datetime):
    """The UNION ALL of `order_promotion_reads` as a queryset, built once on PostgreSQL
    (`common.prepared`): the same statement for every order."""
    null_int = Value(None, output_field=IntegerField())
    flash = _rows(
        FlashSaleItem.objects.filter(
            sku_id__any_of=sku_ids, sale__status=Status.RUNNING, sale__starts_at__lte=now,
            sale__ends_at__gt=now),
        "flash", row_sku=F("sku_id"), row_item=F("pk"), row_price=F("flash_price"),
        row_group=F("sale_id"), row_limit=F("sale__per_buyer_limit"), row_campaign=null_int,
        row_name=Value(None, output_field=CharField()))
    campaign = _rows(
        CampaignEntryItem.objects.filter(
            sku_id__any_of=sku_ids, entry__status=CAMPAIGN_ACCEPTED,
            entry__campaign__status=CAMPAIGN_RUNNING, entry__campaign__starts_at__lte=now,
            entry__campaign__ends_at__gt=now),
        "campaign", row_sku=F("sku_id"), row_item=F("pk"), row_price=F("campaign_price"),
        row_group=F("entry_id"), row_limit=null_int, row_campaign=F("entry__campaign_id"),
        row_name=F("entry__campaign__name"))
    coupon = _rows(
        CouponClaim.objects.filter(
            buyer_id=buyer_id, store_id=store_id, status=CouponClaim.Status.UNUSED,
            valid_until__gt=now, valid_from__lte=now),
        "coupon", row_sku=null_int, row_item=F("pk"),
        row_price=Value(None, output_field=DecimalField(max_digits=12, decimal_places=2)),
        row_group=null_int, row_limit=null_int, row_campaign=null_int,
        row_name=Value(None, output_field=CharField()))
    return flash.union(campaign, coupon, all=True)


def order_promotion_reads(sku_ids, *, buyer_id: int, store_id: int,
                          now: datetime) -> OrderPromotionReads:
    """One statement (a UNION ALL of three indexed reads) for the order path: the running
    flash-sale items of the SKUs (by the item's sku index), the accepted SKUs of running
    campaigns (by the `(sku, entry)` index; the lowest price per SKU wins), and whether
    the buyer holds a usable coupon of the store (by `claim_buyer_usable`; at most a handful
    of rows), so that an order without any of them costs one round trip here."""
    sku_ids = list(sku_ids)
    flash_items: dict = {}
    campaign_items: dict = {}
    has_coupon = False
    for kind, sku, item, price, group, limit, campaign_id, name in _promotion_union.run(
            sku_ids=sku_ids, buyer_id=buyer_id, store_id=store_id, now=now):
        if kind == "flash":
            flash_items[sku] = FlashPrice(item_id=item, sale_id=group, price=price,
                                          limit=limit)
        elif kind == "campaign":
            best = campaign_items.get(sku)
            if best is None or (price, item) < (best.price, best.item_id):
                campaign_items[sku] = CampaignPrice(
                    item_id=item, entry_id=group, campaign_id=campaign_id,
                    campaign_name=name, price=price)
        else:
            has_coupon = True
    return OrderPromotionReads(flash=flash_items, campaign=campaign_items,
                               has_usable_coupon=has_coupon)


def order_promotion_reads_for(draft) -> OrderPromotionReads:
    """`order_promotion_reads` for an order's draft, read once per order by whichever
    promotions extension asks first (kept in `draft.reads`)."""
    reads = draft.reads.get("promotions")
    if reads is None:
        reads = draft.reads["promotions"] = order_promotion_reads(
            [line.sku.pk for line in draft.lines], buyer_id=draft.buyer.pk,
            store_id=draft.store.pk, now=draft.now)
    return reads
