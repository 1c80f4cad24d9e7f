"""What the shop does when compliance announces something (see `compliance.hooks`).
Subscribed when this module is imported, from ShopConfig.ready().

A qualification expiring takes the store's listed products that need it off sale; an
approval puts back on sale the ones an expiry took off (and only those: a product the
merchant or a reviewer delisted stays delisted) once nothing they need is missing."""

import logging

from django.db import transaction

from common.errors import ApplicationError
from compliance import hooks
from compliance import services as compliance_services
from shop.models import Product
from shop.services.products import product_delist, product_relist

logger = logging.getLogger(__name__)

EXPIRED = Product.DelistedCause.QUALIFICATION_EXPIRED


@transaction.atomic
def delist_for_expired_qualification(*, store_id, qualification, category_ids, reason, now):
    """Delist the store's listed products in the categories that need the expired type,
    and report to compliance every product this keeps off sale, including those an
    earlier expiry already took off (they now wait for this type too)."""
    listed = Product.objects.select_for_update(of=("self",)).filter(
        store_id=store_id, status=Product.Status.LISTED, category_id__in=category_ids
    ).order_by("pk")
    for product in listed:
        product_delist(product=product, actor=None, reason=reason, cause=EXPIRED, now=now)
    waiting = Product.objects.filter(
        store_id=store_id, status=Product.Status.DELISTED, delisted_cause=EXPIRED,
        category_id__in=category_ids,
    ).values_list("pk", flat=True)
    compliance_services.qualification_delistings_record(
        qualification=qualification, product_ids=list(waiting), reason=reason, now=now
    )


@transaction.atomic
def relist_after_qualification_restored(*, store_id, qualification, reason, now):
    """Relist the store's products an expired qualification took off sale, when their
    category is still open and no qualification they need is missing; then let
    compliance close its delisting records accordingly. Whatever the approved type: a
    product may have waited for two, and the approval that completes it may be either."""
    waiting = list(
        Product.objects.select_for_update(of=("self",))
        .filter(store_id=store_id, status=Product.Status.DELISTED, delisted_cause=EXPIRED)
        .select_related("category", "store")
        .order_by("pk")
    )
    relisted = []
    for product in waiting:
        if compliance_services.relisting_blocker(product, now=now):
            continue  # still not sellable; a later approval looks again
        try:
            product_relist(product=product, actor=None, reason=reason, now=now)
        except ApplicationError as exc:
            logger.warning("relisting product %s refused: %s", product.pk, exc.code)
            continue
        relisted.append(product.pk)
    compliance_services.qualification_delistings_close(
        store_id=store_id, relisted_by=qualification, relisted_ids=relisted,
        waiting_ids=[p.pk for p in waiting if p.pk not in relisted], now=now,
    )


hooks.subscribe(hooks.QUALIFICATION_EXPIRED, delist_for_expired_qualification)
hooks.subscribe(hooks.QUALIFICATION_RESTORED, relist_after_qualification_restored)
