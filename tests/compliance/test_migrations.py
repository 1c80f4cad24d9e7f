"""Data migrations of compliance: a database seeded before the screening fixes gets them."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = ("compliance", "0004_category_code_chars_typed_regex_terms")
AFTER = ("compliance", "0005_screening_seed_fixes")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


def _migrate_to_latest():
    """Every app back to its latest migration (going back in compliance unapplied the
    migrations of every app that depends on it)."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_seed_fixes_reach_a_database_seeded_before_them():
    apps = _migrate(BEFORE)
    rule_model = apps.get_model("compliance", "ScreeningRule")
    term_model = apps.get_model("compliance", "ScreeningTerm")
    contact = rule_model.objects.create(code="off_platform_contact", name="引导私下交易")
    rule_model.objects.create(code="disparage_competitors", name="贬低他人品牌")
    phone = term_model.objects.create(rule=contact, kind="regex", pattern="1[3-9][0-9]{9}")
    wechat = term_model.objects.create(rule=contact, pattern="微信", exceptions=["微信群聊"])
    qq = term_model.objects.create(rule=contact, pattern="qq", exceptions=["扣扣子", "QQ糖"])
    try:
        apps = _migrate(AFTER)
        term_model = apps.get_model("compliance", "ScreeningTerm")
        phone = term_model.objects.get(pk=phone.pk)
        assert (phone.kind, phone.pattern) == ("regex_typed", "1[3-9][0-9](?:[ -]?[0-9]{4}){2}")
        wechat = term_model.objects.get(pk=wechat.pk)
        assert wechat.exceptions[0] == "微信群聊" and "微信支付" in wechat.exceptions  # kept
        assert term_model.objects.get(pk=qq.pk).exceptions.count("QQ糖") == 1
        assert term_model.objects.filter(rule__code="off_platform_contact", pattern="私聊").exists()
        assert term_model.objects.filter(
            rule__code="disparage_competitors", pattern__startswith="比("
        ).exists()
        history = apps.get_model("compliance", "HistoricalScreeningTerm").objects
        assert history.filter(id=phone.pk, history_type="~").exists()
    finally:
        _migrate_to_latest()
