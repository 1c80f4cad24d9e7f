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
from shop.services.accounts import store_account_forfeit_on_credit_zero
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


@transaction.atomic
def delist_for_measure(*, store_id, product_ids, reason, actor, now):
    """A market-management measure takes the store's listed products (or the named ones)
    off sale, as a reviewer's delisting."""
    listed = Product.objects.select_for_update(of=("self",)).filter(
        store_id=store_id, status=Product.Status.LISTED).order_by("pk")
    if product_ids is not None:
        listed = listed.filter(pk__in=product_ids)
    for product in listed:
        product_delist(product=product, actor=actor, reason=reason,
                       cause=Product.DelistedCause.REVIEWER, now=now)


@transaction.atomic
def relist_after_reinspection(*, store_id, product_ids, reason, actor, now):
    """A re-inspection passed: the products the failed inspection delisted are relisted
    (one the store may not list now stays delisted, and the reviewer sees why)."""
    delisted = Product.objects.select_for_update(of=("self",)).filter(
        store_id=store_id, pk__in=product_ids or [], status=Product.Status.DELISTED,
        delisted_cause=Product.DelistedCause.REVIEWER).order_by("pk")
    for product in delisted:
        try:
            product_relist(product=product, actor=actor, reason=reason, now=now)
        except ApplicationError as exc:
            logger.warning("relisting product %s refused: %s", product.pk, exc.code)


def forfeit_balance_on_credit_zero(*, store_id, violation, reason, now):
    """A credit score of 0: the remaining store-account balance is deducted."""
    store_account_forfeit_on_credit_zero(store_id=store_id, violation=violation,
                                         reason=reason, now=now)


hooks.subscribe(hooks.QUALIFICATION_EXPIRED, delist_for_expired_qualification)
hooks.subscribe(hooks.QUALIFICATION_RESTORED, relist_after_qualification_restored)
hooks.subscribe(hooks.CREDIT_SCORE_ZERO, forfeit_balance_on_credit_zero)
hooks.subscribe(hooks.PRODUCTS_DELIST, delist_for_measure)
hooks.subscribe(hooks.PRODUCTS_RELIST, relist_after_reinspection)
