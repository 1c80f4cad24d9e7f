"""compliance.hooks: compliance announces what happened to a store's qualifications and the
shop reacts (delists, relists only its own qualification delistings) — without compliance
importing the shop's services."""

import ast
import importlib
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps as django_apps

from compliance import hooks, services
from compliance.models import Qualification, QualificationDelisting
from shop import subscribers
from shop.models import Product, ProductEvent
from shop.services.products import product_delist
from tests.factories import ProductFactory

pytestmark = pytest.mark.django_db
CST = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 3, 1, 9, 0, tzinfo=CST)
EXPIRY = datetime(2026, 7, 1, 0, 1, tzinfo=CST)
RENEWAL = datetime(2026, 7, 3, 10, 0, tzinfo=CST)
EXPIRED = Product.DelistedCause.QUALIFICATION_EXPIRED


@pytest.fixture
def fresh_registry(monkeypatch):
    """An empty registry for the test (the shop's subscribers are back afterwards)."""
    monkeypatch.setattr(hooks, "_SUBSCRIBERS", {event: [] for event in hooks.EVENTS})


# --- the registry -------------------------------------------------------------------------
def test_announce_calls_subscribers_in_registration_order(fresh_registry):
    calls = []
    hooks.subscribe(hooks.QUALIFICATION_RESTORED, lambda **kw: calls.append(("first", kw)))

    @hooks.subscribe(hooks.QUALIFICATION_RESTORED)
    def second(**kw):
        calls.append(("second", kw))

    hooks.subscribe(hooks.QUALIFICATION_RESTORED, second)  # twice: still called once
    hooks.announce(hooks.QUALIFICATION_RESTORED, store_id=1, qualification=None, reason="r", now=START)
    args = {"store_id": 1, "qualification": None, "reason": "r", "now": START}
    assert calls == [("first", args), ("second", args)]
    assert hooks.subscribers(hooks.QUALIFICATION_EXPIRED) == ()


def test_unknown_events_and_wrong_arguments_are_refused(fresh_registry):
    with pytest.raises(LookupError):
        hooks.subscribe("qualification_expried", print)
    with pytest.raises(LookupError):
        hooks.announce("qualification_expried", store_id=1)
    with pytest.raises(TypeError):
        hooks.announce(hooks.QUALIFICATION_RESTORED, store_id=1, now=START)


def test_the_shop_subscribes_to_every_compliance_event():
    assert subscribers.delist_for_expired_qualification in hooks.subscribers(
        hooks.QUALIFICATION_EXPIRED
    )
    assert subscribers.relist_after_qualification_restored in hooks.subscribers(
        hooks.QUALIFICATION_RESTORED
    )
    assert all(hooks.subscribers(event) for event in hooks.EVENTS)


# --- compliance announces -------------------------------------------------------------------
def test_expiry_announces_the_store_the_categories_and_the_reason(
    tree, qtype, store, approved_qualification, monkeypatch
):
    heard = []
    monkeypatch.setitem(
        hooks._SUBSCRIBERS, hooks.QUALIFICATION_EXPIRED, [lambda **kw: heard.append(kw)]
    )
    old = approved_qualification(store, qtype("food_business_licence"), until=date(2026, 6, 30), now=START)
    assert services.qualification_expire_due(now=EXPIRY) == 1
    [event] = heard
    assert event["store_id"] == store.pk and event["qualification"] == old
    assert event["now"] == EXPIRY
    assert tree["food.snacks.nuts"].pk in event["category_ids"]
    assert tree["apparel.womens.dresses"].pk not in event["category_ids"]
    assert "食品经营许可证" in str(event["reason"])


def test_no_expiry_is_announced_while_another_approved_one_covers_the_type(
    tree, qtype, store, approved_qualification, monkeypatch
):
    heard = []
    monkeypatch.setitem(
        hooks._SUBSCRIBERS, hooks.QUALIFICATION_EXPIRED, [lambda **kw: heard.append(kw)]
    )
    food = qtype("food_business_licence")
    approved_qualification(store, food, until=date(2026, 6, 30), now=START)
    # Two approved ones of a type at once (approving supersedes, so written directly).
    Qualification.objects.create(
        store=store, type=food, number="JY2", valid_from=date(2026, 1, 1),
        valid_until=date(2031, 1, 1), status=Qualification.Status.APPROVED,
        expires_at=datetime(2031, 1, 2, tzinfo=CST),
    )
    assert services.qualification_expire_due(now=EXPIRY) == 1
    assert heard == []


def test_a_failing_subscriber_undoes_the_expiry_it_was_told_about(
    tree, qtype, store, approved_qualification, monkeypatch
):
    """Subscribers run inside the announcer's transaction: nothing is half-done."""

    def broken(**kw):
        raise RuntimeError("boom")

    monkeypatch.setitem(
        hooks._SUBSCRIBERS, hooks.QUALIFICATION_EXPIRED,
        [*hooks.subscribers(hooks.QUALIFICATION_EXPIRED), broken],
    )
    old = approved_qualification(store, qtype("food_business_licence"), until=date(2026, 6, 30), now=START)
    nuts = ProductFactory(store=store, category=tree["food.snacks.nuts"])
    with pytest.raises(RuntimeError):
        services.qualification_expire_due(now=EXPIRY)
    old.refresh_from_db()
    nuts.refresh_from_db()
    assert old.status == Qualification.Status.APPROVED
    assert nuts.status == Product.Status.LISTED and nuts.delisted_cause == ""
    assert not QualificationDelisting.objects.exists()


# --- the shop reacts ------------------------------------------------------------------------
def test_expiry_delists_with_its_cause_and_renewal_relists_only_those(
    tree, qtype, store, other_store, merchant, reviewer, approved_qualification
):
    food = qtype("food_business_licence")
    approved_qualification(store, food, until=date(2026, 6, 30), now=START)
    approved_qualification(other_store, food, until=date(2026, 6, 30), now=START)
    nuts = ProductFactory(store=store, category=tree["food.snacks.nuts"])
    candy = ProductFactory(store=store, category=tree["food.snacks.candy"])
    dress = ProductFactory(store=store, category=tree["apparel.womens.dresses"])
    by_merchant = ProductFactory(store=store, category=tree["food.snacks.nuts"])
    by_reviewer = ProductFactory(store=store, category=tree["food.snacks.candy"])
    theirs = ProductFactory(store=other_store, category=tree["food.snacks.nuts"])
    product_delist(product=by_merchant, actor=merchant, reason="换季", now=START)
    product_delist(
        product=by_reviewer, actor=reviewer, reason="抽检不合格",
        cause=Product.DelistedCause.REVIEWER, now=START,
    )

    assert services.qualification_expire_due(now=EXPIRY) == 2
    for product in (nuts, candy, dress, by_merchant, by_reviewer, theirs):
        product.refresh_from_db()
    assert (nuts.status, nuts.delisted_cause) == (Product.Status.DELISTED, EXPIRED)
    assert (candy.status, candy.delisted_cause) == (Product.Status.DELISTED, EXPIRED)
    assert "食品经营许可证" in nuts.delisted_reason
    assert (dress.status, dress.delisted_cause) == (Product.Status.LISTED, "")
    assert by_merchant.delisted_cause == Product.DelistedCause.MERCHANT
    assert by_reviewer.delisted_cause == Product.DelistedCause.REVIEWER
    assert (theirs.status, theirs.delisted_cause) == (Product.Status.DELISTED, EXPIRED)
    assert set(
        QualificationDelisting.objects.filter(product__store=store).values_list("product", flat=True)
    ) == {nuts.pk, candy.pk}

    renewed = approved_qualification(store, food, until=date(2031, 6, 30), now=RENEWAL)
    for product in (nuts, candy, by_merchant, by_reviewer, theirs):
        product.refresh_from_db()
    assert (nuts.status, nuts.delisted_cause, nuts.delisted_reason) == (
        Product.Status.LISTED, "", ""
    )
    assert candy.status == Product.Status.LISTED
    # Delisted by the merchant or a reviewer: not the renewal's to undo.
    assert (by_merchant.status, by_merchant.delisted_reason) == (Product.Status.DELISTED, "换季")
    assert (by_reviewer.status, by_reviewer.delisted_reason) == (
        Product.Status.DELISTED, "抽检不合格"
    )
    assert theirs.status == Product.Status.DELISTED  # another store's renewal is its own
    assert ProductEvent.objects.filter(product=nuts, to_status="listed", actor=None).count() == 1
    rows = QualificationDelisting.objects.filter(product__store=store)
    assert set(rows.values_list("relisted_by", flat=True)) == {renewed.pk}
    assert not rows.filter(relisted_at=None).exists()


def test_a_product_the_merchant_delists_after_the_expiry_is_not_relisted(
    tree, qtype, store, merchant, approved_qualification
):
    from shop.services.products import product_relist

    food = qtype("food_business_licence")
    old = approved_qualification(store, food, until=date(2026, 6, 30), now=START)
    nuts = ProductFactory(store=store, category=tree["food.snacks.nuts"])
    services.qualification_expire_due(now=EXPIRY)
    # Back on sale by hand, then taken off by the merchant with the very same reason text:
    # the cause, not the text, decides.
    nuts.refresh_from_db()
    same_text = nuts.delisted_reason
    product_relist(product=nuts, actor=None, reason="test", now=EXPIRY)
    product_delist(product=nuts, actor=merchant, reason=same_text, now=EXPIRY)
    nuts.refresh_from_db()
    assert nuts.delisted_cause == Product.DelistedCause.MERCHANT

    approved_qualification(store, food, until=date(2031, 6, 30), now=RENEWAL)
    nuts.refresh_from_db()
    assert (nuts.status, nuts.delisted_reason) == (Product.Status.DELISTED, same_text)
    row = QualificationDelisting.objects.get(qualification=old)
    assert row.relisted_at == RENEWAL and row.relisted_by is None


def test_a_product_still_missing_a_type_waits_with_its_cause(
    tree, qtype, store, approved_qualification
):
    food, formula = qtype("food_business_licence"), qtype("infant_formula_registration")
    approved_qualification(store, food, until=date(2026, 6, 30), now=START)
    milk = ProductFactory(store=store, category=tree["baby.formula.stage1"])  # needs both
    services.qualification_expire_due(now=EXPIRY)
    approved_qualification(store, food, until=date(2031, 6, 30), now=RENEWAL)
    milk.refresh_from_db()
    assert (milk.status, milk.delisted_cause) == (Product.Status.DELISTED, EXPIRED)
    assert QualificationDelisting.objects.get(product=milk).relisted_at is None

    approved_qualification(store, formula, until=date(2031, 6, 30), now=RENEWAL)
    milk.refresh_from_db()
    assert (milk.status, milk.delisted_cause) == (Product.Status.LISTED, "")


def test_merchant_and_reviewer_delistings_record_their_cause(store, merchant, reviewer):
    mine, checked = ProductFactory(store=store), ProductFactory(store=store)
    product_delist(product=mine, actor=merchant, reason="换季")
    product_delist(product=checked, actor=reviewer, reason="抽检不合格")
    mine.refresh_from_db()
    checked.refresh_from_db()
    assert mine.delisted_cause == Product.DelistedCause.MERCHANT
    assert checked.delisted_cause == Product.DelistedCause.REVIEWER


# --- the migration's backfill ---------------------------------------------------------------
def test_backfill_recognises_qualification_delistings_as_the_old_code_did(
    tree, qtype, store, approved_qualification
):
    """The old relisting took a delisted product as its own when its reason equalled the
    reason of one of its open delisting rows; exactly those get the cause."""
    migration = importlib.import_module("shop.migrations.0006_product_delisted_cause")
    old = approved_qualification(store, qtype("food_business_licence"), until=date(2026, 6, 30), now=START)
    ours = ProductFactory(store=store, status="delisted", delisted_reason="资质过期")
    other_text = ProductFactory(store=store, status="delisted", delisted_reason="换季")
    closed = ProductFactory(store=store, status="delisted", delisted_reason="资质过期")
    relisted = ProductFactory(store=store, status="listed", delisted_reason="")
    for product in (ours, other_text, relisted):
        QualificationDelisting.objects.create(
            qualification=old, product=product, delisted_at=EXPIRY, reason="资质过期"
        )
    QualificationDelisting.objects.create(
        qualification=old, product=closed, delisted_at=EXPIRY, reason="资质过期",
        relisted_at=RENEWAL,
    )
    migration.backfill_qualification_delistings(django_apps, None)
    causes = dict(Product.objects.values_list("pk", "delisted_cause"))
    assert causes[ours.pk] == EXPIRED
    assert causes[other_text.pk] == causes[closed.pk] == causes[relisted.pk] == ""


# --- the import direction -------------------------------------------------------------------
def _shop_services_imports(source: str) -> list[str]:
    """Every import of shop.services in the source, at module level or inside a function."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[:2] == ["shop", "services"]]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            parts = node.module.split(".")
            if parts[:2] == ["shop", "services"]:
                found.append(node.module)
            elif parts == ["shop"]:
                found += [f"shop.{a.name}" for a in node.names if a.name == "services"]
    return found


def test_the_import_check_sees_deferred_imports():
    source = (
        "import shop.services.products\n"
        "def f():\n    from shop.services.products import product_delist\n"
        "def g():\n    from shop import models, services\n"
        "from shop.models import Product\n"
    )
    assert sorted(_shop_services_imports(source)) == [
        "shop.services", "shop.services.products", "shop.services.products"
    ]


@pytest.mark.parametrize("module", ["services.py", "hooks.py", "sweeps.py"])
def test_compliance_never_imports_the_shop_services(module):
    source = (Path(services.__file__).parent / module).read_text(encoding="utf-8")
    assert _shop_services_imports(source) == []
