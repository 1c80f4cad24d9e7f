"""Reads of products, scoped to the merchant or public."""

from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from shop.models import Product, ProductRevision, Sku


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
