"""The product lifecycle: create and edit (with the SKU grid), submit for review, approve
or reject, delist and relist, stock edits.

A product's own fields hold its draft or its listed version. Editing a listed product
writes an open ProductRevision instead, so the listed version stays on sale until the
change is approved."""

from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config
from common.errors import ApplicationError
from common.money import to_money
from common.reasons import reason_fields
from common.workflows import transition_apply
from compliance.models import Category
from compliance.services import listing_screen, product_submission_check
from shop import product_hooks
from shop.models import Product, ProductEvent, ProductRevision, Sku, Store
from shop.notifications import notify_product_reviewed
from shop.reasons import R
from shop.rules.products import (
    PRODUCT_TRANSITIONS,
    REVISION_TRANSITIONS,
    attributes_key,
    can_move,
)
from shop.selectors.stores import (
    store_invited_category_ids,
    store_may_list_kind,
    store_restriction_messages,
)

LISTING_FIELDS = (
    "title",
    "category_id",
    "description",
    "gifts",
    "gift_value",
    "supports_seven_day_return",
    "free_shipping",
    "shipping_fee",
    "food_label",
    "image_caption",
    "platform",
    "external_url",
    "external_item_id",
    "external_token",
    "external_price",
)


# --- validation -------------------------------------------------------------------------
MAX_AMOUNT = Decimal("9999999999.99")  # what a MoneyField (12 digits, 2 places) holds
MAX_SKU_CODE = 64  # Sku.code's column
MAX_STOCK = 2_147_483_647  # a PositiveIntegerField on every database
MAX_ATTRIBUTE_NAME = 20
MAX_ATTRIBUTE_VALUE = 40


def _money(value, field: str, *, allow_zero=False, allow_blank=False):
    if value in (None, "") and allow_blank:
        return None
    try:
        amount = to_money(value)
    except (InvalidOperation, TypeError, ValueError):
        raise ApplicationError(_("Enter a valid amount."), code="invalid_amount", field=field)
    if not amount.is_finite() or amount > MAX_AMOUNT:
        raise ApplicationError(_("Enter a valid amount."), code="invalid_amount", field=field)
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ApplicationError(
            _("Amounts must be greater than zero.")
            if not allow_zero
            else _("Amounts cannot be negative."),
            code="invalid_amount",
            field=field,
        )
    return amount


def product_description_max_length() -> int:
    return config.get("product.description_max_length")


def description_too_long_message(limit: int) -> str:
    return _("The description is at most %(n)d characters.") % {"n": limit}


def clean_listing(*, kind: str, data: dict) -> dict:
    """Validate the listing fields into the canonical payload (JSON-safe values)."""
    title = (data.get("title") or "").strip()
    if not title:
        raise ApplicationError(_("The title is required."), code="title_required", field="title")
    if len(title) > 120:
        raise ApplicationError(
            _("The title is at most 120 characters."), code="title_long", field="title"
        )
    category_id = data.get("category_id") or None
    if category_id is not None:
        category_id = int(category_id)
        if not Category.objects.filter(pk=category_id).exists():
            raise ApplicationError(
                _("Unknown category."), code="category_unknown", field="category"
            )
    free_shipping = bool(data.get("free_shipping", True))
    shipping_fee = (
        Decimal("0.00")
        if free_shipping
        else _money(data.get("shipping_fee"), "shipping_fee", allow_zero=True)
    )
    gift_value = _money(data.get("gift_value"), "gift_value", allow_zero=True, allow_blank=True)
    description = (data.get("description") or "").strip()
    limit = product_description_max_length()
    if len(description) > limit:
        raise ApplicationError(description_too_long_message(limit), code="description_long",
                               field="description")
    payload = {
        "title": title,
        "category_id": category_id,
        "description": description,
        "gifts": (data.get("gifts") or "").strip(),
        "gift_value": str(gift_value) if gift_value is not None else None,
        "supports_seven_day_return": bool(data.get("supports_seven_day_return", True)),
        "free_shipping": free_shipping,
        "shipping_fee": str(shipping_fee),
        "food_label": data.get("food_label") or {},
        "image_caption": (data.get("image_caption") or "").strip(),
        "platform": "",
        "external_url": "",
        "external_item_id": "",
        "external_token": "",
        "external_price": None,
    }
    if kind == Product.Kind.OTHER_PLATFORM:
        from django.core.exceptions import ValidationError

        from shop.platform_links import parse_platform_link

        try:
            link = parse_platform_link(data.get("link") or data.get("external_url") or "")
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0], code=exc.error_list[0].code, field="link")
        price = _money(data.get("external_price"), "external_price")
        payload.update(
            platform=link.platform,
            external_url=link.url or "",
            external_item_id=link.item_id or "",
            external_token=link.token or "",
            external_price=str(price),
        )
    return payload


def clean_skus(rows) -> list[dict]:
    """The SKU grid: every row has attributes, a price above zero and stock ≥ 0; no two
    rows share the same attribute combination."""
    cleaned, seen = [], {}
    for index, row in enumerate(rows, start=1):
        attributes = {
            str(k).strip(): str(v).strip()
            for k, v in (row.get("attributes") or {}).items()
            if str(k).strip() and str(v).strip()
        }
        if any(
            len(k) > MAX_ATTRIBUTE_NAME or len(v) > MAX_ATTRIBUTE_VALUE
            for k, v in attributes.items()
        ):
            raise ApplicationError(
                _("Spec names are at most %(name)d characters and values at most %(value)d.")
                % {"name": MAX_ATTRIBUTE_NAME, "value": MAX_ATTRIBUTE_VALUE},
                code="sku_attribute_long",
                field="skus",
            )
        key = attributes_key(attributes)
        if key in seen:
            raise ApplicationError(
                _("Rows %(a)s and %(b)s have the same spec combination.")
                % {"a": seen[key], "b": index},
                code="sku_duplicate",
                field="skus",
            )
        seen[key] = index
        price = _money(row.get("price"), "skus")
        try:
            stock = int(row.get("stock") or 0)
        except (TypeError, ValueError):
            raise ApplicationError(
                _("Stock must be a whole number."), code="invalid_stock", field="skus"
            )
        if stock < 0:
            raise ApplicationError(
                _("Stock cannot be negative."), code="invalid_stock", field="skus"
            )
        if stock > MAX_STOCK:
            raise ApplicationError(_("Stock is too large."), code="invalid_stock", field="skus")
        code = (row.get("code") or "").strip()
        if len(code) > MAX_SKU_CODE:
            raise ApplicationError(
                _("A SKU code is at most %(n)d characters (row %(row)s).")
                % {"n": MAX_SKU_CODE, "row": index},
                code="sku_code_long", field="skus")
        cleaned.append(
            {
                "attributes": attributes,
                "price": str(price),
                "stock": stock,
                "code": code,
            }
        )
    return cleaned


# --- helpers ----------------------------------------------------------------------------
def _event(product, old, new, actor, reason, now, **data):
    ProductEvent.objects.create(
        product=product,
        from_status=old,
        to_status=new,
        actor=actor,
        at=now,
        data=data,
        **reason_fields(reason),
    )


def product_transition(
    product: Product, to: str, *, actor, reason="", now, fields: dict | None = None,
    data: dict | None = None,
) -> ProductEvent:
    """The one writer of `Product.status`: move a locked product along
    `PRODUCT_TRANSITIONS`, saving the fields of the new state with it, and append its
    timeline row. Runs inside the caller's transaction."""
    if not can_move(PRODUCT_TRANSITIONS, product.status, to):
        raise ApplicationError(
            _("A product cannot go from “%(old)s” to “%(new)s”.")
            % {"old": product.get_status_display(), "new": Product.Status(to).label},
            code="bad_state",
        )
    return transition_apply(
        product, table=PRODUCT_TRANSITIONS, to=to, actor=actor, reason=reason, now=now,
        event_model=ProductEvent, event_fk="product", fields=fields, data=data,
    )


def product_revision_transition(
    revision: ProductRevision, to: str, *, actor, reason="", now, fields: dict | None = None,
    data: dict | None = None,
) -> ProductEvent | None:
    """The one writer of `ProductRevision.status`: move a locked revision along
    `REVISION_TRANSITIONS`, saving the fields of the new state with it. Runs inside the
    caller's transaction.

    The revision's timeline is the product's: a change to a listed product gets a
    ProductEvent of its own, from and to the revision's statuses, with the revision in
    `data` (`revision_id`, `revision`), which is how the timeline tells it from the
    product's moves. The review of a first listing moves the product with it
    (`product_transition`, in the same service): that move is the timeline row, and no
    second one is written."""
    assert connection.in_atomic_block, "a transition must run inside transaction.atomic"
    old = revision.status
    transition_apply(
        revision, table=REVISION_TRANSITIONS, to=to, actor=actor, reason=reason, now=now,
        fields=fields,
    )
    if not revision.is_change:
        return None
    return ProductEvent.objects.create(
        product_id=revision.product_id, from_status=old, to_status=to, actor=actor,
        at=now, **reason_fields(reason),
        data={**(data or {}), "revision_id": revision.pk, "revision": revision.number},
    )


def _lock_store(product) -> None:
    """Listing and a closure approval (which locks the store first) must not overlap: take
    the store's row lock, after the product's, before asking whether the store may list."""
    Store.objects.select_for_update().filter(pk=product.store_id).first()


def _deposit_evaluate_on_commit(store, actor):
    """A product in a new special category can raise the store's required deposit: have
    it re-evaluated once this change is committed."""
    from shop.services.deposits import deposit_evaluate

    transaction.on_commit(lambda: deposit_evaluate(store=store, actor=actor))


def product_payload(product: Product) -> dict:
    """The product's current fields as a listing payload (the listed version for a listed
    product)."""
    payload = {}
    for field in LISTING_FIELDS:
        value = getattr(product, field)
        if isinstance(value, Decimal):
            value = str(value)
        payload[field] = value
    payload["skus"] = [
        {"attributes": s.attributes, "price": str(s.price), "stock": s.stock, "code": s.code}
        for s in product.skus.filter(is_active=True).order_by("pk")
    ]
    return payload


def _apply_payload(product: Product, payload: dict, *, from_review: bool = False) -> None:
    """Write a listing onto the product. From a review (an approved revision), the stock
    of SKUs that already exist stays as it is now: sales, cancellations and stock edits
    happened since the snapshot was taken."""
    for field in LISTING_FIELDS:
        value = payload.get(field)
        if field in ("shipping_fee",):
            value = Decimal(value or "0")
        elif field in ("gift_value", "external_price"):
            value = Decimal(value) if value not in (None, "") else None
        elif field == "food_label":
            value = value or {}
        elif value is None and field not in ("category_id",):
            value = ""
        setattr(product, field, value)
    product.save()
    if product.is_own:
        _apply_skus(product, payload.get("skus") or [], keep_stock=from_review)


def _apply_skus(product: Product, rows: list[dict], *, keep_stock: bool) -> None:
    """Upsert by attribute combination; SKUs no longer in the grid are deactivated (order
    lines still point at them). With keep_stock (an approved revision), existing SKUs keep
    their live stock; new SKUs start with the stock in the grid."""
    existing = {s.attributes_key: s for s in product.skus.order_by("pk")}
    # Existing SKUs are written in primary-key order, the order orders lock them in, so an
    # approval and a purchase of the same SKUs cannot deadlock.
    rows = sorted(
        rows,
        key=lambda r: (
            existing[k].pk if (k := attributes_key(r["attributes"])) in existing else float("inf")
        ),
    )
    wanted = set()
    for row in rows:
        key = attributes_key(row["attributes"])
        wanted.add(key)
        sku = existing.get(key)
        if sku is None:
            Sku.objects.create(
                product=product,
                attributes=row["attributes"],
                attributes_key=key,
                price=Decimal(row["price"]),
                stock=row["stock"],
                code=row.get("code", ""),
            )
            continue
        sku.price = Decimal(row["price"])
        sku.code = row.get("code", "")
        sku.is_active = True
        fields = ["price", "code", "is_active"]
        if not keep_stock:
            sku.stock = row["stock"]
            fields.append("stock")
        sku.save(update_fields=fields)
    stale = [s.pk for k, s in existing.items() if k not in wanted and s.is_active]
    if stale:
        Sku.objects.filter(pk__in=stale).update(is_active=False)


# --- services ---------------------------------------------------------------------------
def product_create(
    *, store: Store, actor, kind: str, data: dict, skus=(), image=None, now=None
) -> Product:
    now = now or timezone.now()
    if kind not in Product.Kind.values:
        raise ApplicationError(_("Unknown product kind."), code="invalid_kind")
    payload = clean_listing(kind=kind, data=data)
    rows = clean_skus(skus) if kind == Product.Kind.OWN else []
    # Decoded and re-encoded before the transaction: nobody waits for the write lock
    # while Pillow works.
    content = _clean_image(image) if image is not None else None
    with transaction.atomic():
        product = Product(store=store, kind=kind, status=Product.Status.DRAFT)
        if content is not None:
            product.image = content
        _apply_payload(product, {**payload, "skus": rows})
        _event(product, "", product.status, actor, R("created"), now)
    return product


def _clean_image(image):
    from django.conf import settings
    from django.core.exceptions import ValidationError

    from common.uploads import validate_image_upload

    try:
        _info, content = validate_image_upload(image, max_bytes=settings.UPLOAD_MAX_BYTES)
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], code="image_invalid", field="image")
    return content


def product_update(*, product: Product, actor, data: dict, skus=(), image=None, now=None):
    """Edit a draft, rejected or delisted product in place; for a listed product, record
    the change as an open revision (the listed version stays on sale)."""
    now = now or timezone.now()
    # The new image is decoded and re-encoded before the transaction (see product_create).
    content = _clean_image(image) if image is not None else None
    with transaction.atomic():
        return _product_update(
            product=product, actor=actor, data=data, skus=skus, image=content, now=now
        )


def _product_update(*, product: Product, actor, data: dict, skus, image, now):
    product = Product.objects.select_for_update().get(pk=product.pk)
    if (
        product.status == Product.Status.IN_REVIEW
        or product.revisions.filter(status=ProductRevision.Status.IN_REVIEW).exists()
    ):
        raise ApplicationError(
            _("The product is in review; wait for the decision before editing."), code="in_review"
        )
    payload = clean_listing(kind=product.kind, data=data)
    rows = clean_skus(skus) if product.is_own else []
    if product.status == Product.Status.LISTED:
        payload["skus"] = rows
        revision = product.revisions.filter(status=ProductRevision.Status.DRAFT).first()
        if revision is None:
            revision = ProductRevision(
                product=product, number=_next_number(product), is_change=True
            )
        revision.payload = payload
        revision.save()
        if image is not None:
            # A new main image is part of the change too; kept aside until approval.
            revision.payload["pending_image"] = _save_pending_image(product, image)
            revision.save(update_fields=["payload"])
        _event(product, product.status, product.status, actor, R("change_draft"), now)
        return product
    if image is not None:
        product.image = image
    _apply_payload(product, {**payload, "skus": rows})
    _event(product, product.status, product.status, actor, R("edited"), now)
    return product


def _save_pending_image(product, content) -> str:
    """A new main image of a change (already re-encoded) waits privately until the change
    is approved."""
    from django.core.files.storage import default_storage

    return default_storage.save(f"private/products/pending/{content.name}", content)


def _publish_pending_image(name: str) -> str:
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    with default_storage.open(name, "rb") as pending:
        public = default_storage.save(
            timezone.localtime().strftime("public/products/%Y/%m/") + name.rsplit("/", 1)[-1],
            ContentFile(pending.read()),
        )
    default_storage.delete(name)
    return public


def _next_number(product) -> int:
    last = product.revisions.order_by("-number").values_list("number", flat=True).first()
    return (last or 0) + 1


@transaction.atomic
def product_submit(*, product: Product, actor, now=None) -> ProductRevision:
    """Send a product (or the open change of a listed one) to review. Refused, naming
    what is missing, when the category or qualifications do not allow it."""
    now = now or timezone.now()
    product = Product.objects.select_for_update().select_related("store").get(pk=product.pk)
    _lock_store(product)
    if not store_may_list_kind(product.store, product.kind):
        why = store_restriction_messages(product.store, "publish")
        if why:
            raise ApplicationError(
                _("Your store may not submit products: %(why)s") % {"why": " ".join(why)},
                code="store_restricted",
            )
        raise ApplicationError(
            _("Your store may not list products right now; see the dashboard for why."),
            code="store_restricted",
        )
    if product.status == Product.Status.LISTED:
        revision = product.revisions.filter(status=ProductRevision.Status.DRAFT).first()
        if revision is None:
            raise ApplicationError(_("There is no change to submit."), code="nothing_to_submit")
    else:
        open_revisions = list(product.revisions.filter(
            status__in=[ProductRevision.Status.DRAFT, ProductRevision.Status.IN_REVIEW]))
        if (
            not can_move(PRODUCT_TRANSITIONS, product.status, Product.Status.IN_REVIEW)
            or any(r.status == ProductRevision.Status.IN_REVIEW for r in open_revisions)
        ):
            raise ApplicationError(_("This product is already in review."), code="bad_state")
        # A change drafted while the product was listed: the product was delisted since,
        # and what is submitted now is the product as edited in place.
        for stale in open_revisions:
            product_revision_transition(
                stale, ProductRevision.Status.WITHDRAWN, actor=actor,
                reason=R("revision_withdrawn_resubmitted"), now=now,
                fields={"decided_at": now},
            )
        revision = ProductRevision(
            product=product,
            number=_next_number(product),
            is_change=False,
            payload=product_payload(product),
            status=ProductRevision.Status.DRAFT,
        )
    payload = revision.payload
    if product.is_own and not payload.get("skus"):
        raise ApplicationError(
            _("Add at least one SKU with a price and stock."), code="sku_missing", field="skus"
        )
    category = (
        Category.objects.select_related("parent__parent")
        .filter(pk=payload.get("category_id"))
        .first()
    )
    product_submission_check(
        store=product.store, category=category, payload=payload, now=now,
        invited_category_ids=store_invited_category_ids(product.store),
    )
    hits = listing_screen(payload=payload)
    if revision.pk is None:
        revision.save()  # a first listing's revision: the snapshot, as a draft
    product_revision_transition(
        revision,
        ProductRevision.Status.IN_REVIEW,
        actor=actor,
        reason=R("change_submitted") if revision.is_change else R("submitted"),
        now=now,
        fields={"submitted_at": now, "screening_hits": hits, "has_hits": bool(hits)},
    )
    if not revision.is_change:
        product_transition(
            product,
            Product.Status.IN_REVIEW,
            actor=actor,
            reason=R("submitted"),
            now=now,
        )
    return revision


@transaction.atomic
def product_revision_approve(*, revision: ProductRevision, actor, reason="", now=None) -> Product:
    now = now or timezone.now()
    revision = (
        ProductRevision.objects.select_for_update().select_related("product").get(pk=revision.pk)
    )
    if revision.status != ProductRevision.Status.IN_REVIEW:
        raise ApplicationError(_("Only a revision in review can be approved."), code="bad_state")
    product = (
        Product.objects.select_for_update().select_related("store").get(pk=revision.product_id)
    )
    payload = dict(revision.payload)
    # What was allowed at submission may not be now (a qualification expired, the category
    # closed): the reviewer gets the same named refusal the merchant would.
    category = (
        Category.objects.select_related("parent__parent")
        .filter(pk=payload.get("category_id"))
        .first()
    )
    product_submission_check(
        store=product.store, category=category, payload=payload, now=now,
        invited_category_ids=store_invited_category_ids(product.store),
    )
    pending_image = payload.pop("pending_image", None)
    if pending_image:
        product.image.name = _publish_pending_image(pending_image)
    _apply_payload(product, payload, from_review=True)
    _deposit_evaluate_on_commit(product.store, actor)
    product_revision_transition(
        revision,
        ProductRevision.Status.APPROVED,
        actor=actor,
        reason=reason or (R("change_approved") if revision.is_change else R("approved_listed")),
        now=now,
        fields={"decided_at": now, "reviewer": actor, "decision_reason": reason},
    )
    if not revision.is_change:
        product_transition(
            product,
            Product.Status.LISTED,
            actor=actor,
            reason=reason or R("approved_listed"),
            now=now,
            fields={"listed_at": now, "delisted_reason": "", "delisted_cause": ""},
        )
    notify_product_reviewed(product, approved=True, reason=reason, now=now)
    return product


@transaction.atomic
def product_revision_reject(*, revision: ProductRevision, actor, reason: str, now=None) -> Product:
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            _("A rejection needs a reason."), code="reason_required", field="reason"
        )
    revision = ProductRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.status != ProductRevision.Status.IN_REVIEW:
        raise ApplicationError(_("Only a revision in review can be rejected."), code="bad_state")
    product = Product.objects.select_for_update().get(pk=revision.product_id)
    product_revision_transition(
        revision,
        ProductRevision.Status.REJECTED,
        actor=actor,
        reason=reason,
        now=now,
        fields={"decided_at": now, "reviewer": actor, "decision_reason": reason},
        data={"change_rejected": True} if revision.is_change else None,
    )
    if not revision.is_change:
        product_transition(product, Product.Status.REJECTED, actor=actor, reason=reason, now=now)
        _deposit_evaluate_on_commit(product.store, actor)
        product_hooks.review_rejected(product=product, reason=reason, actor=actor, now=now)
    notify_product_reviewed(product, approved=False, reason=reason, now=now)
    return product


def _delisted_cause(product: Product, actor) -> str:
    """The cause of a delisting whose caller did not name one: the store's merchant, or
    else a platform reviewer. A system delisting (no actor) names its own; if it does not,
    the cause stays blank (unknown), which nothing relists automatically."""
    if actor is None:
        return ""
    if actor.pk == product.store.merchant_id:
        return Product.DelistedCause.MERCHANT
    return Product.DelistedCause.REVIEWER


@transaction.atomic
def product_delist(*, product: Product, actor, reason: str, cause=None, now=None) -> Product:
    """Take a listed product off sale (merchant, reviewer, or the system with actor=None).
    `cause` (a `Product.DelistedCause`) is what relisting is decided on later: only the
    delistings of `QUALIFICATION_EXPIRED` are undone by a renewed qualification. Left out,
    it follows from the actor (the store's merchant, or a reviewer)."""
    now = now or timezone.now()
    product = Product.objects.select_for_update().select_related("store").get(pk=product.pk)
    if product.status != Product.Status.LISTED:
        raise ApplicationError(_("Only a listed product can be delisted."), code="bad_state")
    product_transition(
        product,
        Product.Status.DELISTED,
        actor=actor,
        reason=reason,
        now=now,
        fields={
            "delisted_reason": str(reason or "")[:200],
            "delisted_cause": _delisted_cause(product, actor) if cause is None else cause,
        },
    )
    # A delisted special-category product may lower the required deposit.
    _deposit_evaluate_on_commit(product.store, actor)
    return product


@transaction.atomic
def product_relist(*, product: Product, actor, reason: str, now=None) -> Product:
    """Put a delisted product back on sale without a new review (the platform lifting its
    own delisting, e.g. after a renewed qualification). Merchants resubmit instead."""
    now = now or timezone.now()
    product = Product.objects.select_for_update().select_related("store").get(pk=product.pk)
    _lock_store(product)
    if not store_may_list_kind(product.store, product.kind):
        raise ApplicationError(
            _("The store may not list products right now."), code="store_restricted"
        )
    if product.status != Product.Status.DELISTED:
        raise ApplicationError(_("Only a delisted product can be relisted."), code="bad_state")
    product_transition(
        product,
        Product.Status.LISTED,
        actor=actor,
        reason=reason,
        now=now,
        fields={"delisted_reason": "", "delisted_cause": "", "listed_at": now},
    )
    return product


def product_bulk_delist(
    *, store: Store, product_ids, actor, reason: str, cause=None, now=None
) -> int:
    """Delist several of the store's listed products; others are ignored. Returns the count."""
    count = 0
    for product in Product.objects.filter(
        store=store, pk__in=product_ids, status=Product.Status.LISTED
    ):
        product_delist(product=product, actor=actor, reason=reason, cause=cause, now=now)
        count += 1
    return count


def sku_stock_set(*, sku: Sku, actor, stock: int, now=None) -> Sku:
    """Set a SKU's stock (merchant page or ERP). Stock is operational and not reviewed."""
    try:
        stock = int(stock)
    except (TypeError, ValueError):
        raise ApplicationError(
            _("Stock must be a whole number."), code="invalid_stock", field="stock"
        )
    if stock < 0:
        raise ApplicationError(_("Stock cannot be negative."), code="invalid_stock", field="stock")
    if stock > MAX_STOCK:
        raise ApplicationError(_("Stock is too large."), code="invalid_stock", field="stock")
    try:
        with transaction.atomic():
            Sku.objects.filter(pk=sku.pk).update(stock=stock)
    except IntegrityError:
        raise ApplicationError(_("Stock cannot be negative."), code="invalid_stock", field="stock")
    sku.refresh_from_db(fields=["stock"])
    return sku


def sku_stock_adjust(*, sku: Sku, delta: int) -> bool:
    """Add (or take, when negative) stock atomically; False when not enough is left."""
    qs = Sku.objects.filter(pk=sku.pk)
    if delta < 0:
        qs = qs.filter(stock__gte=-delta)
    return qs.update(stock=F("stock") + delta) == 1
