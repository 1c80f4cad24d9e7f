import subprocess
import sys

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_q.models import Schedule

from common import deadlines
from common.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "client_fixture,url,expected",
    [
        ("merchant_client", "/seller/", 200),
        ("agent_client", "/support/", 200),
        ("reviewer_client", "/admin/", 200),
        # wrong roles are refused with a translated 403 page
        ("buyer_client", "/seller/", 403),
        ("agent_client", "/seller/", 403),
        ("merchant_client", "/support/", 403),
        ("buyer_client", "/support/", 403),
        # the admin sends non-staff to its own login page
        ("merchant_client", "/admin/", 302),
        ("agent_client", "/admin/", 302),
    ],
)
def test_each_role_reaches_its_area_and_is_refused_elsewhere(
    request, client_fixture, url, expected
):
    client = request.getfixturevalue(client_fixture)
    response = client.get(url)
    assert response.status_code == expected
    if expected == 403:
        body = response.content.decode()
        assert "<html" in body and "Traceback" not in body
        assert "访问被拒绝" in body  # translated title, Chinese by default


def test_anonymous_is_sent_to_the_area_login(client):
    assert client.get("/seller/").url.startswith("/seller/login/")
    assert client.get("/support/").url.startswith("/support/login/")


def test_merchant_login_page_logs_in_and_wrong_password_is_refused(client, merchant):
    page = client.get("/seller/login/")
    assert page.status_code == 200 and "商家登录" in page.content.decode()
    bad = client.post("/seller/login/", {"username": merchant.username, "password": "nope"})
    assert bad.status_code == 200
    assert "请输入一个正确的" in bad.content.decode()  # Django's translated message
    ok = client.post(
        "/seller/login/", {"username": merchant.username, "password": "test-pass-123!"}
    )
    assert ok.status_code == 302 and ok.url == reverse("seller:dashboard")


def test_repeated_failed_logins_are_locked_out(client, merchant, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post("/seller/login/", {"username": merchant.username, "password": "wrong"})
    locked = client.post(
        "/seller/login/", {"username": merchant.username, "password": "test-pass-123!"}
    )
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()


def test_token_login(client, buyer):
    response = client.post(
        "/api/auth/token/", {"username": buyer.username, "password": "test-pass-123!"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = client.get("/api/me/", HTTP_AUTHORIZATION=f"Token {token}")
    assert me.status_code == 200
    assert me.json() == {"username": buyer.username, "roles": ["buyer"]}


def test_token_login_with_wrong_password_is_a_json_error(client, buyer):
    response = client.post("/api/auth/token/", {"username": buyer.username, "password": "x"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_api_without_credentials_is_a_json_401(client):
    response = client.get("/api/me/")
    assert response.status_code in (401, 403)
    assert "detail" in response.json()


def test_unknown_urls_get_translated_pages_or_json(client):
    page = client.get("/no/such/page/")
    assert page.status_code == 404
    assert "页面不存在" in page.content.decode()
    api = client.get("/api/no/such/endpoint/")
    assert api.status_code == 404
    assert api["Content-Type"].startswith("application/json")


def test_language_switch(merchant_client):
    zh = merchant_client.get("/seller/")
    assert "商家中心" in zh.content.decode()
    assert 'name="language" value="en"' in zh.content.decode()
    response = merchant_client.post("/i18n/setlang/", {"language": "en", "next": "/seller/"})
    assert response.status_code == 302
    en = merchant_client.get("/seller/")
    assert "Merchant center" in en.content.decode()
    assert 'lang="en"' in en.content.decode()


def test_seed_demo_twice_in_a_row(django_user_model, settings):
    settings.DEBUG = True
    settings.PAYMENT_SANDBOX_ENABLED = True
    call_command("seed_demo")
    first = {model._meta.label: model.objects.count() for model in _all_models()}
    call_command("seed_demo")
    second = {model._meta.label: model.objects.count() for model in _all_models()}
    assert first == second
    assert (
        django_user_model.objects.filter(
            username__in=["reviewer", "agent", "merchant_a", "merchant_b", "buyer_a", "buyer_b"]
        ).count()
        == 6
    )
    assert django_user_model.objects.get(username="merchant_a").check_password(
        settings.DEMO_PASSWORD
    )


def test_seed_demo_refuses_with_debug_off(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def _all_models():
    from django.apps import apps

    return [
        m
        for m in apps.get_models()
        if m._meta.app_label
        in {"auth", "common", "shop", "compliance", "promotions", "disputes", "academy"}
    ]


def test_enforce_deadlines_with_nothing_due(capsys):
    call_command("enforce_deadlines")
    out = capsys.readouterr().out
    assert "Done: 0 moved." in out
    assert WorkerHeartbeat.objects.filter(name="deadlines").exists()
    assert all(v == 0 for v in deadlines.run_all().values())


def test_schedules_are_created_idempotently():
    call_command("setup_schedules")
    call_command("setup_schedules")
    assert Schedule.objects.filter(name="enforce_deadlines").count() == 1
    schedule = Schedule.objects.get(name="enforce_deadlines")
    assert schedule.func == "common.tasks.enforce_deadlines"
    assert schedule.minutes == 1


def test_healthz_reports_database_and_worker(client):
    body = client.get("/healthz").json()
    assert body["database"] == "ok"
    assert body["worker"] == "never seen"
    call_command("enforce_deadlines")
    body = client.get("/healthz").json()
    assert body["worker"] == "ok" and body["status"] == "ok"


def test_admin_home_is_chinese_and_lists_review_queues(reviewer_client):
    body = reviewer_client.get("/admin/").content.decode()
    assert "审核队列" in body
    assert "站点管理" not in body  # titled for the platform, not Django's default


def test_api_docs_public_in_debug_and_hidden_in_production(client, settings, reviewer_client):
    settings.API_DOCS_PUBLIC = True
    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200
    settings.API_DOCS_PUBLIC = False
    assert client.get("/api/schema/").status_code == 404
    assert client.get("/api/docs/").status_code == 404
    assert reviewer_client.get("/api/schema/").status_code == 200


def _run_manage(args, env_overrides):
    import os

    env = {**os.environ, **env_overrides}
    return subprocess.run(
        [sys.executable, "manage.py", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_check_deploy_with_production_settings_reports_nothing():
    result = _run_manage(
        ["check", "--deploy", "--fail-level", "WARNING"],
        {
            "DEBUG": "0",
            "SECRET_KEY": "x7!k2#p9-production-grade-secret-value-with-length-and-variety-41",
            "ALLOWED_HOSTS": "shop.example.com",
            # Production keeps the login throttles in a shared cache (common.W001).
            "CACHE_URL": "rediscache://127.0.0.1:6379/1",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize(
    "url",
    ["mysql://root@localhost/db", "not a url", "", "postgres://postgres@127.0.0.1:5432/"],
)
def test_bad_database_url_stops_with_one_readable_line(url):
    result = _run_manage(["check"], {"DEBUG": "1", "DATABASE_URL": url})
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Configuration error: DATABASE_URL")


def test_debug_is_off_by_default_and_then_a_secret_key_is_required():
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_missing_secret_key_in_production_stops_with_one_line():
    result = _run_manage(["check"], {"DEBUG": "0", "SECRET_KEY": ""})
    assert result.returncode != 0
    assert result.stderr.strip() == "Configuration error: SECRET_KEY must be set when DEBUG is off."


def test_chinese_is_the_default_whatever_the_browser_says(merchant_client):
    body = merchant_client.get("/seller/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "商家中心" in body


def test_sweeps_run_in_registration_order(monkeypatch):
    ran = []
    monkeypatch.setattr(deadlines, "_SWEEPS", {})
    for name in ["z.first", "a.second", "m.third"]:
        deadlines.register(name)(lambda now, name=name: ran.append(name) or 0)
    deadlines.run_all()
    assert ran == ["z.first", "a.second", "m.third"]


@pytest.mark.parametrize(
    "key,raw,ok",
    [
        ("order.ship_within_hours", 36, True),
        ("order.ship_within_hours", "36", True),
        ("order.ship_within_hours", "36h", False),
        ("order.ship_within_hours", -1, False),
        ("order.ship_within_hours", 1.5, False),
        ("category.default_service_fee_rate", "0.03", True),
        ("category.default_service_fee_rate", "NaN", False),
        ("category.default_service_fee_rate", "abc", False),
    ],
)
def test_platform_settings_refuse_values_that_would_break_readers(key, raw, ok):
    from django.core.exceptions import ValidationError

    from common import config

    if ok:
        config.validate(key, raw)
    else:
        with pytest.raises(ValidationError):
            config.validate(key, raw)


def test_reviewer_cannot_save_text_into_a_number_setting(reviewer, client):
    from common import config
    from common.models import PlatformSetting

    reviewer.is_superuser = True
    reviewer.save()
    client.force_login(reviewer)
    config.ensure_defaults()
    url = "/admin/common/platformsetting/order.ship_within_hours/change/"
    response = client.post(url, {"key": "order.ship_within_hours", "value": '"36h"', "note": "x"})
    assert response.status_code == 200  # the form again, with the error
    assert PlatformSetting.objects.get(key="order.ship_within_hours").value == 48
    response = client.post(url, {"key": "order.ship_within_hours", "value": "36", "note": "faster"})
    assert response.status_code == 302
    assert config.get("order.ship_within_hours") == 36


@pytest.mark.django_db
def test_get_many_gives_what_get_gives_cached_or_not():
    from django.core.cache import cache

    from common import config

    config.set_value("order.ship_within_hours", 36)
    keys = ("order.pay_within_minutes", "order.ship_within_hours")
    first = config.get_many(*keys)  # nothing cached yet: read, then cached
    assert first == {key: config.get(key) for key in keys}
    assert first["order.ship_within_hours"] == 36 and first["order.pay_within_minutes"] == 30
    assert cache.get("platform-setting:order.ship_within_hours") is not None
    assert config.get_many(*keys) == first


@pytest.mark.django_db
def test_the_retired_flash_sale_gate_setting_row_is_dropped():
    import importlib

    from django.apps import apps

    from common.models import PlatformSetting

    migration = importlib.import_module("common.migrations.0004_drop_flash_sale_gate_setting")
    PlatformSetting.objects.create(key=migration.OLD_KEY, value=2)
    PlatformSetting.objects.create(key="order.max_in_flight_per_sku", value=8)
    migration.drop(apps, None)
    assert list(PlatformSetting.objects.values_list("key", flat=True)) == [
        "order.max_in_flight_per_sku"]
