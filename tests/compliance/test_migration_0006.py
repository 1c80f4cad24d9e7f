"""Compliance migration 0006: a database seeded before it gets the prohibited virtual
goods (游戏币、点卡、代充 …), the not-open rule list, and product reason templates."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from compliance.screening import seed as screening_seed

BEFORE = ("compliance", "0005_screening_seed_fixes")
AFTER = ("compliance", "0006_screening_virtual_and_not_open_goods")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def _latest():
    """Every app's latest migration (going back in compliance unapplied the migrations of
    every app that depends on it)."""
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_new_terms_reach_a_database_seeded_before_them_once():
    apps = _migrate(BEFORE)
    rule_model = apps.get_model("compliance", "ScreeningRule")
    term_model = apps.get_model("compliance", "ScreeningTerm")
    template_model = apps.get_model("shop", "RejectionReasonTemplate")
    template_model.objects.filter(scope="product").delete()
    seeded = next(r for r in screening_seed.RULES if r["code"] == "prohibited_goods")
    prohibited = rule_model.objects.create(
        code="prohibited_goods", name="禁售商品",
        description="依据国家法律法规禁售的商品一律不得发布：野生保护动植物及其制品、动物猎捕工具、"
        "枪支弹药及仿真枪、管制器具、迷药等违禁药品、窃听窃照器材、伪造货币、文物、"
        "军需/警用物品等。",
    )
    # a reviewer already added 代充 with an exception of their own: kept as it is
    own = term_model.objects.create(rule=prohibited, pattern="代充", exceptions=["代充电"])
    try:
        apps = _migrate(AFTER)
        rule_model = apps.get_model("compliance", "ScreeningRule")
        term_model = apps.get_model("compliance", "ScreeningTerm")
        terms = term_model.objects.filter(rule__code="prohibited_goods")
        assert {"游戏币", "点卡", "游戏充值"} <= set(terms.values_list("pattern", flat=True))
        assert terms.filter(pattern="代充").get().pk == own.pk
        assert rule_model.objects.get(code="prohibited_goods").description == seeded[
            "description_zh"
        ]
        not_open = rule_model.objects.get(code="not_open_goods")
        assert term_model.objects.filter(rule=not_open, pattern="流量卡").exists()
        history = apps.get_model("compliance", "HistoricalScreeningTerm").objects
        assert history.filter(pattern="游戏币", history_type="+").exists()
        templates = apps.get_model("shop", "RejectionReasonTemplate").objects
        assert templates.filter(scope="product").count() >= 3

        # idempotent: running it again adds nothing
        count = term_model.objects.count()
        _migrate(BEFORE)
        _migrate(AFTER)
        assert term_model.objects.count() == count
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(_latest())


def test_the_new_seed_terms_are_all_in_the_migration():
    """The loader and the migration must agree: every seed term of the new families is
    added by 0006 (or existed before), so old and new databases screen alike."""
    from importlib import import_module

    migration = import_module("compliance.migrations.0006_screening_virtual_and_not_open_goods")
    added = {(r, k, p) for r, k, p, _v, _e in migration.NEW_TERMS}
    for rule_code, kind, pattern, variants, exceptions in migration.NEW_TERMS:
        row = next(
            t for t in screening_seed.TERMS
            if (t["rule_code"], t["kind"], t["pattern"]) == (rule_code, kind, pattern)
        )
        assert (row["variants"], row["exceptions"]) == (variants, exceptions)
    seed_new = {
        (t["rule_code"], t["kind"], t["pattern"])
        for t in screening_seed.TERMS
        if t["rule_code"] == "not_open_goods"
    }
    assert seed_new <= added
