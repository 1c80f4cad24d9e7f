"""Reads of products, scoped to the merchant or public."""

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from shop.models import Order, OrderLine, Product, ProductEvent, ProductRevision, Sku

# Orders whose units count as sold: paid and not cancelled or refunded as a whole.
SOLD_ORDER_STATUSES = (Order.Status.PAID, Order.Status.SHIPPED, Order.Status.SIGNED,
                       Order.Status.COMPLETED)


def _sku_aggregate(expression):
    # A correlated subquery per figure: joining SKUs and revisions in one query would
    # multiply the SKU rows by the revisions.
    return Subquery(
        Sku.objects.filter(product=OuterRef("pk"), is_active=True)
        .order_by()
        .values("product")
        .annotate(v=expression)
        .values("v")[:1]
    )


def merchant_products(user, *, q: str = "", status: str = "", kind: str = ""):
    """The merchant's products for the list page, with SKU figures in the same query."""
    qs = (
        Product.objects.for_merchant(user)
        .select_related("category")
        .annotate(
            sku_count=Coalesce(_sku_aggregate(Count("pk")), 0, output_field=IntegerField()),
            total_stock=Coalesce(_sku_aggregate(Sum("stock")), 0, output_field=IntegerField()),
            min_price=_sku_aggregate(Min("price")),
            units_sold=Coalesce(Subquery(
                OrderLine.objects.filter(product=OuterRef("pk"),
                                         order__status__in=SOLD_ORDER_STATUSES)
                .order_by().values("product").annotate(v=Sum("quantity")).values("v")[:1]
            ), 0, output_field=IntegerField()),
            open_revisions=Exists(
                ProductRevision.objects.filter(
                    product=OuterRef("pk"),
                    status__in=[ProductRevision.Status.DRAFT, ProductRevision.Status.IN_REVIEW],
                )
            ),
        )
        .order_by("-created_at", "-pk")
    )
    if q:
        qs = qs.filter(Q(title__icontains=q) | Q(skus__code__iexact=q)).distinct()
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def public_products(store):
    return (
        Product.objects.filter(store=store, status=Product.Status.LISTED)
        .annotate(min_price=Min("skus__price", filter=Q(skus__is_active=True)))
        .order_by("-listed_at", "-pk")
    )


def open_revision(product):
    return product.revisions.filter(
        status__in=[ProductRevision.Status.DRAFT, ProductRevision.Status.IN_REVIEW]
    ).first()


def delisting_reason(product) -> str:
    """Why a delisted product is off sale, in the reader's language: the reason of the
    move that delisted it (the product keeps only the text as it was written)."""
    if product.status != Product.Status.DELISTED:
        return ""
    event = (ProductEvent.objects.filter(product=product, to_status=Product.Status.DELISTED)
             .exclude(from_status=Product.Status.DELISTED).order_by("-at", "-pk").first())
    return event.reason_display if event is not None else product.delisted_reason
