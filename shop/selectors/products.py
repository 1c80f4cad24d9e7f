"""Reads of products, scoped to the merchant or public."""

from django.db.models import Count, Min, Q, Sum

from shop.models import Product, ProductRevision


def merchant_products(user, *, q: str = "", status: str = "", kind: str = ""):
    """The merchant's products for the list page, with SKU aggregates in the same query."""
    qs = (
        Product.objects.for_merchant(user)
        .select_related("category")
        .annotate(
            sku_count=Count("skus", filter=Q(skus__is_active=True)),
            total_stock=Sum("skus__stock", filter=Q(skus__is_active=True)),
            min_price=Min("skus__price", filter=Q(skus__is_active=True)),
            open_revisions=Count(
                "revisions",
                filter=Q(revisions__status__in=[ProductRevision.Status.DRAFT, ProductRevision.Status.IN_REVIEW]),
                distinct=True,
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
