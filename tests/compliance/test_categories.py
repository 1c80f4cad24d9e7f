"""Category tree: loader, every status at every level, inheritance and overrides, and
qualification requirements adding up down the tree."""

from decimal import Decimal

import pytest
from django.core.management import call_command

from common.errors import ApplicationError
from compliance import loaders
from compliance.models import Category, QualificationType
from compliance.seed_data import flatten_category_tree
from compliance.services import category_resolve, product_submission_check
from tests.factories import CategoryFactory

pytestmark = pytest.mark.django_db

OPEN, NOT_OPEN, PROHIBITED = "open", "not_open", "prohibited"


def test_loader_creates_the_whole_tree_once_and_keeps_reviewer_edits(tree):
    flat = flatten_category_tree()
    assert Category.objects.count() == len(flat)
    dresses = tree["apparel.womens.dresses"]
    assert dresses.level == 3 and dresses.parent.code == "apparel.womens"
    assert Category.history.filter(code="apparel").exists()  # loaded with history rows

    Category.objects.filter(code="apparel").update(status=NOT_OPEN)
    assert loaders.load_categories() == 0
    assert Category.objects.count() == len(flat)
    assert Category.objects.get(code="apparel").status == NOT_OPEN  # edit kept

    loaders.load_categories(update=True)
    assert Category.objects.get(code="apparel").status == ""  # reset to the seed (inherit)


def test_management_command_loads_reference_data(capsys):
    call_command("load_categories")
    assert "categories created" in capsys.readouterr().out
    assert Category.objects.filter(code="food.snacks.nuts").exists()
    assert QualificationType.objects.filter(code="food_business_licence").exists()
    call_command("load_categories")
    assert Category.objects.filter(code="food.snacks.nuts").count() == 1


def test_loaded_effective_values_match_the_seed(tree):
    for node in flatten_category_tree():
        effective = category_resolve(tree[node["code"]])
        assert effective.status == node["effective_status"], node["code"]
        assert effective.prepackaged_food == node["effective_prepackaged_food"], node["code"]
        codes = set(
            QualificationType.objects.filter(pk__in=effective.qualification_type_ids).values_list(
                "code", flat=True
            )
        )
        assert codes == set(node["effective_qualifications"]), node["code"]


def _chain(root_status, mid_status, leaf_status):
    root = CategoryFactory(code="r", name="一级", status=root_status)
    mid = CategoryFactory(code="r.m", name="二级", parent=root, status=mid_status)
    leaf = CategoryFactory(code="r.m.l", name="三级", parent=mid, status=leaf_status)
    return root, mid, leaf


@pytest.mark.parametrize(
    "statuses,expected,blocked_by",
    [
        ((OPEN, "", ""), OPEN, ""),
        ((NOT_OPEN, "", ""), NOT_OPEN, "一级"),
        ((PROHIBITED, "", ""), PROHIBITED, "一级"),
        ((OPEN, NOT_OPEN, ""), NOT_OPEN, "二级"),
        ((OPEN, PROHIBITED, ""), PROHIBITED, "二级"),
        ((OPEN, "", NOT_OPEN), NOT_OPEN, "三级"),
        ((OPEN, "", PROHIBITED), PROHIBITED, "三级"),
        # a child overrides its parent, both ways
        ((NOT_OPEN, OPEN, ""), OPEN, ""),
        ((PROHIBITED, "", OPEN), OPEN, ""),
        ((OPEN, NOT_OPEN, OPEN), OPEN, ""),
        ((OPEN, OPEN, PROHIBITED), PROHIBITED, "三级"),
        ((PROHIBITED, NOT_OPEN, ""), NOT_OPEN, "二级"),
        (("", "", ""), OPEN, ""),  # nothing set anywhere: the root default
    ],
)
def test_status_inheritance_and_override(statuses, expected, blocked_by, store):
    *_, leaf = _chain(*statuses)
    effective = category_resolve(leaf)
    assert (effective.status, effective.blocked_by) == (expected, blocked_by)
    if expected == OPEN:
        product_submission_check(store=store, category=leaf, payload={})
    else:
        with pytest.raises(ApplicationError) as err:
            product_submission_check(store=store, category=leaf, payload={})
        assert err.value.code == f"category_{expected}"
        assert blocked_by in err.value.message


def test_qualifications_add_up_down_the_tree():
    root, mid, leaf = _chain(OPEN, "", "")
    a, b, c = (QualificationType.objects.create(code=x, name=x) for x in ("qa", "qb", "qc"))
    root.required_qualifications.add(a)
    mid.required_qualifications.add(b)
    leaf.required_qualifications.add(a, c)
    assert category_resolve(root).qualification_type_ids == {a.pk}
    assert category_resolve(mid).qualification_type_ids == {a.pk, b.pk}
    assert category_resolve(leaf).qualification_type_ids == {a.pk, b.pk, c.pk}


def test_flags_inherit_unless_overridden():
    root, mid, leaf = _chain(OPEN, "", "")
    Category.objects.filter(pk=root.pk).update(
        service_fee_rate=Decimal("0.08"), seven_day_return=True, lightning_purchase=True,
        prepackaged_food=True,
    )
    Category.objects.filter(pk=mid.pk).update(seven_day_return=False)
    Category.objects.filter(pk=leaf.pk).update(service_fee_rate=Decimal("0.02"))
    leaf.refresh_from_db()
    effective = category_resolve(leaf)
    assert effective.service_fee_rate == Decimal("0.02")
    assert effective.seven_day_return is False
    assert effective.lightning_purchase is True
    assert effective.prepackaged_food is True


def test_seeded_prohibited_and_not_open_lists(tree, store):
    for code, error in [
        ("prohibited.wildlife.ivory_horn", "category_prohibited"),
        ("prohibited.relics", "category_prohibited"),
        ("not_open.tickets.movie", "category_not_open"),
        ("not_open.insurance", "category_not_open"),
    ]:
        assert not tree[code].children.exists(), code
        with pytest.raises(ApplicationError) as err:
            product_submission_check(store=store, category=tree[code], payload={})
        assert err.value.code == error, code
