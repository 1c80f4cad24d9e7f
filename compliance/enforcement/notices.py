"""Notices about unsafe goods (质量不合格或行政部门要求): the products they match on every
store, and their confirmation, which delists every confirmed product in one step and
records the measure on each merchant."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.workflows import transition_apply
from compliance.enforcement import rules
from compliance.enforcement.measures import measure_apply
from compliance.enforcement.models import (
    UnsafeGoodsMatch,
    UnsafeGoodsNotice,
    UnsafeGoodsNoticeEvent,
)
from compliance.reasons import R

NOTICE_TRANSITIONS = {"draft": frozenset({"confirmed"}), "confirmed": frozenset()}


def _product_model():
    return UnsafeGoodsNotice._meta.get_field("same_as_product").related_model


def notice_matching_products(notice: UnsafeGoodsNotice):
    """Listed products of every store the notice names: every criterion given must hold
    (the brand or the batch in the title or description, the category or one below it,
    the same title in the same category as the named product)."""
    products = _product_model().objects.filter(status="listed")
    criteria = False
    if notice.brand:
        products = products.filter(Q(title__icontains=notice.brand)
                                   | Q(description__icontains=notice.brand))
        criteria = True
    if notice.batch:
        products = products.filter(Q(title__icontains=notice.batch)
                                   | Q(description__icontains=notice.batch))
        criteria = True
    if notice.category_id:
        products = products.filter(Q(category_id=notice.category_id)
                                   | Q(category__parent_id=notice.category_id)
                                   | Q(category__parent__parent_id=notice.category_id))
        criteria = True
    if notice.same_as_product_id:
        same = notice.same_as_product
        products = products.filter(category_id=same.category_id,
                                   title__iexact=same.title.strip())
        criteria = True
    if not criteria:
        return products.none()
    return products.select_related("store").order_by("store_id", "pk")


def notice_record(*, source: str, issuer: str, text: str, brand: str = "", category=None,
                  batch: str = "", same_as_product=None, actor,
                  now: datetime | None = None) -> UnsafeGoodsNotice:
    now = now or timezone.now()
    if not (brand.strip() or batch.strip() or category or same_as_product):
        raise ApplicationError(
            _("Name a brand, a category, a batch or the same product."), code="no_criteria")
    if not text.strip() or not issuer.strip():
        raise ApplicationError(_("Say who issued the notice and what it says."),
                               code="no_text", field="text")
    with transaction.atomic():
        notice = UnsafeGoodsNotice.objects.create(
            source=source, issuer=issuer.strip(), text=text.strip(), brand=brand.strip(),
            category=category, batch=batch.strip(), same_as_product=same_as_product,
            created_by=actor, created_at=now)
        UnsafeGoodsNoticeEvent.objects.create(notice=notice, from_status="",
                                              to_status=notice.status, actor=actor, at=now,
                                              reason=notice.text)
    return notice


@transaction.atomic
def notice_confirm(*, notice: UnsafeGoodsNotice, product_ids: Iterable[int], actor,
                   now: datetime | None = None) -> list[UnsafeGoodsMatch]:
    """Delist the products the reviewer confirmed from the matching list, each with a
    delisting measure recorded on its merchant, and close the notice."""
    now = now or timezone.now()
    notice = UnsafeGoodsNotice.objects.select_for_update().get(pk=notice.pk)
    chosen = set(int(pk) for pk in product_ids)
    products = [p for p in notice_matching_products(notice) if p.pk in chosen]
    if not products:
        raise ApplicationError(_("Choose at least one matching product."), code="none_chosen")
    reason = _("Notice from %(issuer)s: %(text)s") % {"issuer": notice.issuer,
                                                    "text": notice.text}
    matches = []
    for product in products:
        measure = measure_apply(store=product.store, kind=rules.M_DELIST_PRODUCT,
                                product=product, reason=reason, actor=actor, now=now)
        matches.append(UnsafeGoodsMatch.objects.create(
            notice=notice, store=product.store, product=product, measure=measure))
    transition_apply(notice, table=NOTICE_TRANSITIONS, to="confirmed", actor=actor, now=now,
                     reason=R("notice_confirmed", n=len(matches)),
                     event_model=UnsafeGoodsNoticeEvent, event_fk="notice",
                     fields={"confirmed_at": now})
    return matches


def notice_follow_up(*, match: UnsafeGoodsMatch, note: str, actor,
                     now: datetime | None = None) -> UnsafeGoodsMatch:
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Write what was done."), code="no_text", field="note")
    match.follow_up = note
    match.followed_up_at = now or timezone.now()
    match.save(update_fields=["follow_up", "followed_up_at"])
    return match
