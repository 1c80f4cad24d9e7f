"""One source for every number: the deposit amounts and the root service fee rate are the
configuration's declared defaults (the seed data reads them); the no-reason return window
shown to buyers is the configured number of days; the platform time zone is named once
(config/settings.py); money is rounded by common.money only."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings

from common import config
from compliance import seed_data
from tests.factories import ProductFactory, SkuFactory, StoreFactory

ROOT = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "node_modules", ".git", "locale", "tests", "migrations", "static"}


def _project_files(*suffixes):
    for path in ROOT.rglob("*"):
        if path.suffix not in suffixes or not path.is_file():
            continue
        rel = path.relative_to(ROOT)
        if SKIP_DIRS & set(rel.parts[:-1]):
            continue
        yield rel, path.read_text(encoding="utf-8", errors="replace")


# --- configuration is the one source of the amounts -------------------------------------------
@pytest.mark.parametrize("seed_key, config_key", [
    ("base_store", "deposit.base_store"),
    ("base_promotion", "deposit.base_promotion"),
])
def test_seed_deposit_bases_are_the_configured_defaults(seed_key, config_key):
    assert seed_data.DEPOSIT_CONFIG[seed_key] == str(config.definitions()[config_key].default)


def test_seed_follows_a_changed_declared_default(monkeypatch):
    definitions = config._REGISTRY
    for key, value in (("deposit.base_store", Decimal("800")),
                       ("deposit.tier2_promotion", Decimal("31000")),
                       ("category.default_service_fee_rate", Decimal("0.06"))):
        monkeypatch.setitem(definitions, key, config.Definition(key, value, "", ""))
    deposit = seed_data.DEPOSIT_CONFIG
    assert deposit["base_store"] == "800"
    assert deposit["sales_tiers"][2]["promotion"] == "31000"
    assert seed_data.ROOT_DEFAULTS["service_fee_rate"] == "0.06"
    flat = {n["code"]: n for n in seed_data.flatten_category_tree()}
    assert flat["apparel.womens.dresses"]["effective_service_fee_rate"] == "0.06"


def test_no_deposit_table_or_fee_rate_literal_in_the_seed_data():
    text = (ROOT / "compliance" / "seed_data.py").read_text(encoding="utf-8")
    assert '"base_store": "' not in text and '"service_fee_rate": "' not in text


def test_conf_deposits_is_merged_into_shop_conf():
    assert not (ROOT / "shop" / "conf_deposits.py").exists()
    for rel, text in _project_files(".py"):
        assert "conf_deposits" not in text, rel


# --- the no-reason return window ----------------------------------------------------------------
@pytest.mark.django_db
def test_the_product_page_shows_the_configured_return_window(client):
    store = StoreFactory()
    product = ProductFactory(store=store, supports_seven_day_return=True)
    SkuFactory(product=product)
    url = f"/s/{store.slug}/p/{product.pk}/"
    client.cookies["django_language"] = "en"
    assert "7-day no-reason return" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    config.set_value("aftersale.seven_day_return_days", 15)
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "15-day no-reason return" in body and "7-day no-reason return" not in body


# --- the time zone is named once ------------------------------------------------------------------
def _time_zone_literals():
    return sorted(
        str(rel) for rel, text in _project_files(".py", ".html")
        if "Asia/Shanghai" in text and str(rel) != "config/settings.py"
    )


def test_the_platform_time_zone_is_one_setting():
    assert settings.PLATFORM_TIME_ZONE == settings.TIME_ZONE


def test_no_time_zone_literal_outside_the_settings():
    assert _time_zone_literals() == []


# --- one rounding helper ---------------------------------------------------------------------------
def test_no_second_cent_or_rounding_outside_common_money():
    pattern = re.compile(r'Decimal\(\s*["\']0\.01["\']\s*\)|\.quantize\(|\bCENT\s*=')
    offenders = [
        str(rel) for rel, text in _project_files(".py")
        if str(rel) != "common/money.py" and pattern.search(text)
    ]
    assert offenders == []
