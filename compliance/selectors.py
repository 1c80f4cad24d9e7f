"""Reads of the compliance app, already scoped to who asks."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from compliance.models import (
    Category,
    ProductReview,
    Qualification,
    QualificationEvent,
    QualificationReview,
    QualificationType,
)
from compliance.presentation import (
    field_label,
    food_label_rows,
    highlighted_listing,
    listing_diff,
)
from compliance.rules import category_effective
from shop.identity import mask_middle


# --- Review queues ----------------------------------------------------------------------
def product_review_queue():
    return ProductReview.objects.filter(status=ProductReview.Status.IN_REVIEW)


def qualification_review_queue():
    return QualificationReview.objects.filter(status=Qualification.Status.PENDING)


# --- Categories -------------------------------------------------------------------------
def category_tree_rows():
    """Every category with its parent chain loaded, for resolving inherited values."""
    return Category.objects.select_related("parent__parent").prefetch_related(
        "required_qualifications",
        "parent__required_qualifications",
        "parent__parent__required_qualifications",
    )


def category_requirement_types(category) -> list:
    """Qualification types a category needs, own and inherited (root first). Uses the
    prefetched chain when there is one."""
    seen, result = set(), []
    for node in category.ancestors_and_self():
        for qt in node.required_qualifications.all():
            if qt.pk not in seen:
                seen.add(qt.pk)
                result.append(qt)
    return result


# --- Qualifications ------------------------------------------------------------------------
def qualification_missing_types(*, store, type_ids, now=None) -> list:
    """The required qualification types the store has no approved, unexpired one of
    (pending, rejected and expired ones do not count), ordered by code. The one place
    that decides whether a store's qualification counts: submissions, relisting, the
    review page and the qualification center all ask here."""
    now = now or timezone.now()
    if not type_ids:
        return []
    valid = set(
        Qualification.objects.filter(
            store=store, type_id__in=type_ids, status=Qualification.Status.APPROVED
        )
        .exclude(expires_at__lte=now)
        .values_list("type_id", flat=True)
    )
    missing = set(type_ids) - valid
    if not missing:
        return []
    return list(QualificationType.objects.filter(pk__in=missing).order_by("code"))


# --- Merchant: qualifications -----------------------------------------------------------
def merchant_qualifications(user):
    """The requesting merchant's qualifications (another merchant's are invisible)."""
    return (
        Qualification.objects.filter(store__merchant=user)
        .select_related("type", "store")
        .prefetch_related("files")
    )


def merchant_qualification_events(user, qualification):
    return QualificationEvent.objects.filter(
        qualification__store__merchant=user, qualification=qualification
    ).select_related("actor")


def store_qualification_alerts(store, *, now=None) -> dict:
    """For the dashboard: approved qualifications inside their expiry warning, and types
    whose qualification expired with no approved one valid now. {"expiring", "expired",
    "nearest" (the first expiry to come)}. One query over the store's qualifications."""
    now = now or timezone.now()
    rows = list(Qualification.objects.filter(
        store=store, status__in=(Qualification.Status.APPROVED, Qualification.Status.EXPIRED),
    ).order_by().values_list("type_id", "status", "warn_at", "expires_at"))
    valid_types = {type_id for type_id, status, _warn, expires in rows
                   if status == Qualification.Status.APPROVED and (expires is None or expires > now)}
    expiring = [expires for _type, status, warn, expires in rows
                if status == Qualification.Status.APPROVED and warn is not None and warn <= now
                and expires is not None and expires > now]
    expired = {type_id for type_id, status, _warn, expires in rows
               if type_id not in valid_types and (
                   status == Qualification.Status.EXPIRED
                   or (expires is not None and expires <= now))}
    return {"expiring": len(expiring), "expired": len(expired),
            "nearest": min(expiring, default=None)}


@dataclass
class Requirement:
    type: QualificationType
    categories: list  # category path names of the store's products needing it
    current: Qualification | None  # best qualification of that type (approved first)
    valid: bool


_STATUS_RANK = {
    Qualification.Status.APPROVED: 0,
    Qualification.Status.PENDING: 1,
    Qualification.Status.REJECTED: 2,
    Qualification.Status.EXPIRED: 3,
    Qualification.Status.SUPERSEDED: 4,
}


def store_requirements(store, *, now=None) -> list[Requirement]:
    """What each category the store sells in needs, and where the store stands."""
    from shop.models import Product

    now = now or timezone.now()
    category_ids = set(
        Product.objects.filter(store=store, category__isnull=False).values_list(
            "category_id", flat=True
        )
    )
    categories = list(category_tree_rows().filter(pk__in=category_ids))
    needed: dict[int, tuple[QualificationType, list]] = {}
    for category in categories:
        for qt in category_requirement_types(category):
            needed.setdefault(qt.pk, (qt, []))[1].append(category.path_name)
    quals = list(
        Qualification.objects.filter(store=store, type_id__in=needed).order_by("-submitted_at")
    )
    missing = {qt.pk for qt in qualification_missing_types(store=store, type_ids=needed, now=now)}
    result = []
    for qt, names in sorted(needed.values(), key=lambda v: v[0].code):
        mine = [q for q in quals if q.type_id == qt.pk]
        mine.sort(key=lambda q: _STATUS_RANK.get(q.status, 9))
        current = mine[0] if mine else None
        result.append(Requirement(qt, sorted(names), current, qt.pk not in missing))
    return result


def qualification_types_with_categories():
    """Every qualification type with the top categories that require it (own or below),
    for merchants planning what they could sell."""
    types = list(
        QualificationType.objects.prefetch_related(
            Prefetch("categories", queryset=Category.objects.select_related("parent__parent"))
        )
    )
    rows = []
    for qt in types:
        names = sorted({c.path_name for c in qt.categories.all()})
        rows.append((qt, names))
    return rows


# --- Merchant: product reviews ----------------------------------------------------------
def merchant_product_revisions(user):
    from shop.models import ProductRevision

    return (
        ProductRevision.objects.for_merchant(user)
        .exclude(status=ProductRevision.Status.DRAFT)
        .select_related("product")
        .order_by("-submitted_at", "-pk")
    )


# --- Public 公示 -------------------------------------------------------------------------
@dataclass
class PublicLicence:
    name: str
    holder: str
    number: str  # masked
    issuer: str
    valid_until: object


def public_licences(store, *, now=None) -> list[PublicLicence]:
    """What the store page shows publicly (公示): the business licence from the approved
    store application and the approved, unexpired qualifications whose type is publicly
    displayed. Numbers are partly masked."""
    from django.utils.translation import gettext as _

    from shop.models import MerchantApplication

    now = now or timezone.now()
    result = []
    application = store.application
    if application.status == MerchantApplication.Status.APPROVED:
        result.append(
            PublicLicence(
                name=_("Business licence"),
                holder=application.registered_name,
                number=mask_middle(application.credit_code, 4, 4),
                issuer="",
                valid_until=None,
            )
        )
    qualifications = (
        Qualification.objects.filter(
            store=store, status=Qualification.Status.APPROVED, type__publicly_displayed=True
        )
        .exclude(expires_at__lte=now)
        .exclude(type__code="business_licence", number=application.credit_code)
        .select_related("type")
        .order_by("type__code", "pk")
    )
    for q in qualifications:
        result.append(
            PublicLicence(
                name=q.type.name,
                holder=application.registered_name,
                number=mask_middle(q.number, 4, 4),
                issuer=q.issuer,
                valid_until=q.valid_until,
            )
        )
    return result


def sellable_leaf_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Leaf categories a merchant may pick for a product, grouped by their top level:
    only those whose inherited status is open. One query for the whole tree."""
    nodes = {c.pk: c for c in Category.objects.all()}

    def effective_status(node):
        while node is not None:
            if node.status:
                return node.status
            node = nodes.get(node.parent_id)
        return Category.Status.OPEN

    groups: dict[int, list] = {}
    for node in sorted(nodes.values(), key=lambda c: (c.sort_order, c.code)):
        if node.level != 3 or effective_status(node) != Category.Status.OPEN:
            continue
        parent = nodes.get(node.parent_id)
        root = nodes.get(parent.parent_id) if parent else None
        if root is None:
            continue
        groups.setdefault(root.pk, []).append((node.pk, f"{parent.name} / {node.name}"))
    roots = sorted((nodes[pk] for pk in groups), key=lambda c: (c.sort_order, c.code))
    return [(root.name, groups[root.pk]) for root in roots]


# --- the reviewer's screens -----------------------------------------------------------------
@dataclass(frozen=True)
class CategoryNode:
    """One link of a category's chain as `rules.category_effective` reads it."""

    name: str
    status: str
    service_fee_rate: object
    seven_day_return: object
    lightning_purchase: object
    lightning_base_only: bool
    prepackaged_food: object
    qualification_type_ids: frozenset


def category_node(c) -> CategoryNode:
    """The node of category `c` (its required qualifications prefetched, or one query)."""
    return CategoryNode(
        name=c.name,
        status=c.status,
        service_fee_rate=c.service_fee_rate,
        seven_day_return=c.seven_day_return,
        lightning_purchase=c.lightning_purchase,
        lightning_base_only=c.lightning_base_only,
        prepackaged_food=c.prepackaged_food,
        qualification_type_ids=frozenset(q.pk for q in c.required_qualifications.all()),
    )


def category_effective_prefetched(category):
    """Effective values from the prefetched chain (no queries)."""
    return category_effective([category_node(node) for node in category.ancestors_and_self()])


def product_review_context(revision, *, current_payload) -> dict:
    """What the reviewer's page of a product revision shows: the listing with hits marked,
    the category's requirements and effective values, the store's qualifications and the
    diff for a change of a listed product (against `current_payload(product)`, the listed
    version, which the caller supplies). Reads only."""
    from shop.models import Product

    payload = revision.payload
    product = revision.product
    category_ids = {payload.get("category_id"), product.category_id} - {None}
    categories = {c.pk: c for c in category_tree_rows().filter(pk__in=category_ids)}
    category = categories.get(payload.get("category_id"))
    requirements = category_requirement_types(category) if category else []
    effective = category_effective_prefetched(category) if category else None
    qualifications = list(
        Qualification.objects.filter(store=product.store)
        .select_related("type")
        .order_by("type__code", "-submitted_at")
    )
    missing_type_ids = {
        qt.pk for qt in qualification_missing_types(
            store=product.store, type_ids=[qt.pk for qt in requirements]
        )
    }
    diff = []
    if revision.is_change and product.status == Product.Status.LISTED:
        diff = listing_diff(current_payload(product), payload, categories)
    return {
        "revision": revision,
        "product": product,
        "store": product.store,
        "fields": highlighted_listing(payload, revision.screening_hits),
        "hits": [
            {**hit, "field_label": field_label(hit.get("field", ""))}
            for hit in revision.screening_hits
        ],
        "category": category,
        "effective": effective,
        "effective_status_label": Category.Status(effective.status).label if effective else "",
        "requirements": [(qt, qt.pk not in missing_type_ids) for qt in requirements],
        "qualifications": qualifications,
        "diff": diff,
        "food_label": food_label_rows(payload.get("food_label") or {}),
        "skus": payload.get("skus") or [],
    }


# --- Review queues ----------------------------------------------------------------------------
def review_queue_next(waiting, *, clock: str, after=None):
    """The next item of a review queue by its clock (oldest first), after a decision on
    `after` (an item or its pk, never offered again); None when the queue is empty.
    `waiting` is the queue's queryset of items still waiting for a decision."""
    if after is not None:
        waiting = waiting.exclude(pk=getattr(after, "pk", after))
    return waiting.order_by(clock, "pk").first()
