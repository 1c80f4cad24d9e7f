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


# --- editing the tree in the admin -------------------------------------------------------
def _change_form_data(response, **changes):
    """The admin change form's current values as POST data, with `changes` applied."""
    data = {}
    for field in response.context["adminform"].form:
        value = field.value()
        if isinstance(value, (list, tuple)):
            data[field.html_name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, bool):
            data[field.html_name] = "true" if value else "false"
        else:
            data[field.html_name] = "" if value is None else str(value)
    data.update(changes)
    return data


def _change_url(category):
    from django.urls import reverse

    return reverse("admin:compliance_category_change", args=[category.pk])


def test_reviewer_changes_a_seeded_categorys_status_in_the_admin(tree, reviewer, reviewer_client):
    nuts = tree["food.snacks.nuts"]
    required = set(nuts.required_qualifications.values_list("pk", flat=True))
    page = reviewer_client.get(_change_url(nuts))
    assert page.status_code == 200
    response = reviewer_client.post(
        _change_url(nuts), _change_form_data(page, status=NOT_OPEN)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    nuts.refresh_from_db()
    assert (nuts.code, nuts.status, nuts.level) == ("food.snacks.nuts", NOT_OPEN, 3)
    assert set(nuts.required_qualifications.values_list("pk", flat=True)) == required
    latest = nuts.history.latest()
    assert (latest.status, latest.history_user) == (NOT_OPEN, reviewer)


@pytest.mark.parametrize("code,ok", [
    ("food.snacks.nuts", True), ("home_textile-2", True), ("Food.Snacks", False),
    ("food snacks", False), ("食品", False), ("food/snacks", False), ("food.snacks\n", False),
])
def test_category_code_allows_dotted_paths_only(code, ok):
    from django.core.exceptions import ValidationError

    category = Category(code=code, name="x")
    if ok:
        category.full_clean()
    else:
        with pytest.raises(ValidationError) as err:
            category.full_clean()
        assert "code" in err.value.message_dict


@pytest.mark.parametrize("target", ["self", "child", "grandchild"])
def test_a_category_cannot_move_under_itself_or_its_subcategories(
    tree, reviewer_client, target
):
    food = tree["food"]
    parent = {
        "self": food, "child": tree["food.snacks"], "grandchild": tree["food.snacks.nuts"]
    }[target]
    page = reviewer_client.get(_change_url(food))
    ended, response = _ends_in_time(lambda: reviewer_client.post(
        _change_url(food), _change_form_data(page, parent=str(parent.pk))
    ), seconds=10)
    assert ended, "saving the loop made the admin loop for ever"
    assert response.status_code == 200
    assert response.context["adminform"].form.has_error("parent", "category_cycle")
    food.refresh_from_db()
    assert food.parent_id is None and food.level == 1


def test_the_tree_stays_three_levels_deep(tree, store):
    from django.core.exceptions import ValidationError

    from compliance import services

    # A fourth level under a leaf.
    deep = Category(code="food.snacks.nuts.walnuts", name="核桃", parent=tree["food.snacks.nuts"])
    with pytest.raises(ValidationError) as err:
        deep.full_clean()
    assert err.value.error_dict["parent"][0].code == "category_too_deep"
    with pytest.raises(ApplicationError) as app_err:
        services.category_save(category=deep)
    assert app_err.value.code == "category_too_deep"
    assert not Category.objects.filter(code="food.snacks.nuts.walnuts").exists()
    # A second level with children moved under another second level: its children
    # would be on level four.
    snacks = Category.objects.get(code="food.snacks")
    snacks.parent = tree["apparel.womens"]
    with pytest.raises(ValidationError):
        snacks.full_clean()


def test_moving_a_category_recomputes_its_level_and_its_childrens(tree, reviewer, reviewer_client):
    snacks = tree["food.snacks"]
    page = reviewer_client.get(_change_url(snacks))
    response = reviewer_client.post(_change_url(snacks), _change_form_data(page, parent=""))
    assert response.status_code == 302
    snacks.refresh_from_db()
    nuts = Category.objects.get(code="food.snacks.nuts")
    assert (snacks.parent_id, snacks.level, nuts.level) == (None, 1, 2)
    assert nuts.history.latest().level == 2  # children move with a history row

    from compliance import services

    # And back under a root: levels follow again.
    snacks.parent = tree["food"]
    services.category_save(category=snacks, actor=reviewer)
    nuts.refresh_from_db()
    assert (snacks.level, nuts.level) == (2, 3)
    assert category_resolve(nuts).qualification_type_ids == category_resolve(
        tree["food.snacks.candy"]
    ).qualification_type_ids


class _HangError(Exception):
    pass


def _ends_in_time(func, seconds=2.0):
    """(True, result) or, when `func` still runs after `seconds` (a loop that never
    ends), (False, None): the test then fails instead of hanging the suite. The hang is
    reported as a value, outside any traceback: pytest's report of a frame inside the
    loop would call repr() on a looped category and hang itself."""
    import signal

    def alarm(signum, frame):
        raise _HangError

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return True, func()
    except _HangError:
        pass
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return False, None


def test_names_and_chains_of_a_looped_tree_do_not_hang():
    """Rows written around the admin (a shell, an old bug) can loop; reading them must
    still end."""
    a = CategoryFactory(code="loop.a", name="甲")
    b = CategoryFactory(code="loop.b", name="乙", parent=a)
    Category.objects.filter(pk=a.pk).update(parent=b)  # a → b → a
    a = Category.objects.get(pk=a.pk)
    ended, name = _ends_in_time(lambda: a.path_name)
    assert ended and name == "乙 / 甲"
    ended, chain = _ends_in_time(a.ancestors_and_self)
    assert ended and [c.pk for c in chain] == [b.pk, a.pk]
    assert _ends_in_time(lambda: category_resolve(a))[0]
    Category.objects.filter(pk=a.pk).update(parent=a)  # a → a
    a = Category.objects.get(pk=a.pk)
    ended, name = _ends_in_time(lambda: a.path_name)
    assert ended and name == "甲"
    ended, problem = _ends_in_time(lambda: _clean_errors(a))
    assert ended and problem == ["category_cycle"]  # a further edit is refused


def _clean_errors(category):
    from django.core.exceptions import ValidationError

    try:
        category.full_clean()
    except ValidationError as exc:
        return [e.code for e in exc.error_dict.get("parent", [])]
    return []
