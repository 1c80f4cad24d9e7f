"""Every blocking rule of a product submission, through the shop's real product_submit."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from common.errors import ApplicationError
from compliance.models import Qualification
from compliance.rules import FOOD_LABEL_FIELDS
from shop.models import Product, ProductRevision
from shop.services.products import product_submit
from tests.factories import ProductFactory, SkuFactory

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FULL_LABEL = {f: "x" for f in FOOD_LABEL_FIELDS}


def _draft(store, category, **kwargs):
    product = ProductFactory(store=store, category=category, status=Product.Status.DRAFT, **kwargs)
    SkuFactory(product=product)
    return product


def _submit(product, merchant):
    return product_submit(product=product, actor=merchant, now=NOW)


def _refused(product, merchant, code):
    with pytest.raises(ApplicationError) as err:
        _submit(product, merchant)
    assert err.value.code == code
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT
    assert not ProductRevision.objects.filter(product=product).exists()
    return err.value


def test_open_leaf_without_requirements_is_accepted_and_screened(tree, store, merchant, rules_seeded):
    product = _draft(store, tree["apparel.womens.dresses"], title="全网第一 连衣裙")
    revision = _submit(product, merchant)
    assert revision.status == ProductRevision.Status.IN_REVIEW
    assert revision.has_hits
    assert revision.screening_hits[0]["field"] == "title"
    assert revision.screening_hits[0]["rule"] == "absolute_terms"
    assert revision.screening_hits[0]["rule_name"] == "广告法极限词"


def test_missing_category(store, merchant):
    _refused(_draft(store, None), merchant, "category_missing")


def test_category_that_is_not_a_leaf(tree, store, merchant):
    _refused(_draft(store, tree["apparel.womens"]), merchant, "category_not_leaf")


def test_prohibited_category(tree, store, merchant):
    _refused(_draft(store, tree["prohibited.relics"]), merchant, "category_prohibited")


def test_not_open_category(tree, store, merchant):
    _refused(_draft(store, tree["not_open.tickets.movie"]), merchant, "category_not_open")


@pytest.mark.parametrize(
    "status,expired",
    [
        (None, False),  # never uploaded
        (Qualification.Status.PENDING, False),
        (Qualification.Status.REJECTED, False),
        (Qualification.Status.EXPIRED, False),
        (Qualification.Status.APPROVED, True),  # approved, but its clock has run out
    ],
)
def test_required_qualification_missing_pending_rejected_or_expired(
    tree, qtype, store, merchant, status, expired
):
    if status is not None:
        Qualification.objects.create(
            store=store, type=qtype("food_business_licence"), number="JY1", status=status,
            valid_from=date(2025, 1, 1), valid_until=date(2026, 12, 31),
            expires_at=datetime(2026, 2, 1, tzinfo=ZoneInfo("Asia/Shanghai")) if expired else None,
        )
    product = _draft(store, tree["food.snacks.nuts"], food_label=FULL_LABEL)
    error = _refused(product, merchant, "qualification_missing")
    assert "食品经营许可证" in error.message
    assert error.extra["missing"] == ["food_business_licence"]


def test_another_stores_qualification_does_not_count(
    tree, qtype, store, other_store, merchant, approved_qualification
):
    approved_qualification(other_store, qtype("food_business_licence"), now=NOW)
    product = _draft(store, tree["food.snacks.nuts"], food_label=FULL_LABEL)
    _refused(product, merchant, "qualification_missing")


@pytest.mark.parametrize("missing_field", FOOD_LABEL_FIELDS)
def test_prepackaged_food_needs_every_label_field(
    tree, qtype, store, merchant, approved_qualification, missing_field
):
    approved_qualification(store, qtype("food_business_licence"), now=NOW)
    label = {**FULL_LABEL, missing_field: "  "}
    error = _refused(_draft(store, tree["food.snacks.nuts"], food_label=label), merchant,
                     "food_label_missing")
    assert error.extra["missing"] == [missing_field]
    # The merchant reads the field's label, not its key.
    from compliance.presentation import FOOD_LABEL_LABELS

    assert str(FOOD_LABEL_LABELS[missing_field]) in error.message


def test_food_with_valid_licence_and_full_label_is_accepted(
    tree, qtype, store, merchant, approved_qualification
):
    approved_qualification(store, qtype("food_business_licence"), now=NOW)
    product = _draft(store, tree["food.snacks.nuts"], food_label=FULL_LABEL)
    assert _submit(product, merchant).status == ProductRevision.Status.IN_REVIEW


def test_every_required_type_is_needed(tree, qtype, store, merchant, approved_qualification):
    category = tree["baby.formula.stage1"]  # needs the food licence and the formula registration
    approved_qualification(store, qtype("food_business_licence"), now=NOW)
    product = _draft(store, category, food_label=FULL_LABEL)
    error = _refused(product, merchant, "qualification_missing")
    assert error.extra["missing"] == ["infant_formula_registration"]
    approved_qualification(store, qtype("infant_formula_registration"), now=NOW)
    assert _submit(product, merchant).status == ProductRevision.Status.IN_REVIEW
