"""Sign-in and error-path defects: the client address behind the throttle and the lockout,
what a locked-out sign-in is told, deep JSON, area logins, error pages, 403 logging."""

import io
import json
import logging
import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.checks.registry import registry
from django.test import Client, RequestFactory
from rest_framework.exceptions import ParseError
from rest_framework.settings import api_settings

from common import checks, parsers, views
from common.api import LoginRateThrottle
from common.client_ip import client_ip
from common.log_filters import ClientErrorsInOneLine

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-123!"
TOKEN_URL = "/api/auth/token/"


def _token(client, username, password, **extra):
    return client.post(TOKEN_URL, {"username": username, "password": password}, **extra)


def _english(client):
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- A. One client address for the throttle and the lockout -----------------------------


@pytest.mark.parametrize(
    "trusted,forwarded,expected",
    [
        (0, "", "10.0.0.1"),
        (0, "203.0.113.9", "10.0.0.1"),  # no trusted proxy: the header is ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # only what our proxy wrote
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "203.0.113.9", "203.0.113.9"),  # fewer hops than proxies: the leftmost
        (1, "", "10.0.0.1"),  # not through the proxy
        (1, "not-an-address", "10.0.0.1"),
        (1, "2001:db8::1", "2001:db8::1"),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(settings, trusted, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = trusted
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.fixture
def login_rate_3_per_minute(monkeypatch):
    monkeypatch.setattr(LoginRateThrottle, "THROTTLE_RATES", {"login": "3/min"})


def test_a_new_x_forwarded_for_does_not_escape_the_login_throttle(
    client, buyer, login_rate_3_per_minute
):
    for n in range(3):
        response = _token(client, buyer.username, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}")
        assert response.status_code == 400
    # Throttled: neither a fresh header value nor the right password gets a token.
    response = _token(client, buyer.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429
    assert "token" not in response.json()


def test_behind_a_trusted_proxy_the_throttle_counts_the_address_the_proxy_saw(
    client, buyer, settings, login_rate_3_per_minute
):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(3):
        _token(client, buyer.username, "wrong", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7")
    spoofed = _token(
        client, buyer.username, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.50, 203.0.113.7"
    )
    assert spoofed.status_code == 429
    # Another client behind the same proxy is counted on its own.
    neighbour = _token(client, buyer.username, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert neighbour.status_code == 200 and neighbour.json()["token"]


def test_the_lockout_records_the_address_the_throttle_counts(client, buyer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    _token(client, buyer.username, "wrong", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    client.post(
        "/seller/login/",
        {"username": buyer.username, "password": "wrong"},
        HTTP_X_FORWARDED_FOR="198.51.100.2, 203.0.113.7",
    )
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    settings.TRUSTED_PROXY_COUNT = 0
    AccessAttempt.objects.all().delete()
    _token(client, buyer.username, "wrong", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_both_libraries_are_configured_with_the_one_function(settings):
    assert settings.AXES_CLIENT_IP_CALLABLE == "common.client_ip.client_ip"
    assert api_settings.NUM_PROXIES == settings.TRUSTED_PROXY_COUNT
    assert LoginRateThrottle().get_ident(RequestFactory().get("/", REMOTE_ADDR="10.9.8.7")) == (
        "10.9.8.7"
    )


def test_deploy_check_warns_when_throttles_count_in_a_per_process_cache(settings):
    assert checks.check_shared_cache in registry.get_checks(include_deployment_checks=True)
    assert checks.check_shared_cache not in registry.get_checks()
    settings.DEBUG = False
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [message.id for message in checks.check_shared_cache()] == ["common.W001"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    assert [message.id for message in checks.check_shared_cache()] == ["common.W001"]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/1",
        }
    }
    assert checks.check_shared_cache() == []
    settings.DEBUG = True
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert checks.check_shared_cache() == []


def _check_deploy(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k != "CACHE_URL"}
    env.update(
        DEBUG="0",
        SECRET_KEY="x7!k2#p9-production-grade-secret-value-with-length-and-variety-41",
        ALLOWED_HOSTS="shop.example.com",
        **env_overrides,
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_check_deploy_needs_a_shared_cache_and_does_not_connect_to_it():
    without = _check_deploy()
    assert without.returncode != 0
    assert "common.W001" in without.stderr + without.stdout
    # Port 9 (discard) has no Redis: the check must only read the setting.
    with_redis = _check_deploy(CACHE_URL="rediscache://127.0.0.1:9/1")
    assert with_redis.returncode == 0, with_redis.stdout + with_redis.stderr


# --- B. Lockouts say so, for how long, and hold one address ------------------------------


def test_api_says_the_account_is_locked_and_for_how_long(client, buyer):
    for _ in range(5):
        _token(client, buyer.username, "wrong")
    response = _token(client, buyer.username, PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    body = response.json()
    assert body["code"] == "locked_out"
    assert "cannot sign in from your address for 15 more minutes" in body["detail"]
    assert 14 * 60 < body["retry_after"] <= 15 * 60
    assert response["Retry-After"] == str(body["retry_after"])
    assert "token" not in body


def test_the_minutes_count_down_and_trying_meanwhile_does_not_extend_the_lock(client, buyer):
    with time_machine.travel("2026-03-02 10:00 +0800", tick=False) as traveller:
        for _ in range(5):
            _token(client, buyer.username, "wrong")
        traveller.shift(timedelta(minutes=10))
        locked = _token(client, buyer.username, PASSWORD, HTTP_ACCEPT_LANGUAGE="en")
        assert locked.status_code == 429
        assert "for 5 more minutes" in locked.json()["detail"]
        traveller.shift(timedelta(minutes=5, seconds=1))
        unlocked = _token(client, buyer.username, PASSWORD)
        assert unlocked.status_code == 200 and unlocked.json()["token"]


def test_the_lock_holds_the_username_from_one_address_not_everywhere(buyer):
    attacker = Client(REMOTE_ADDR="198.51.100.66")
    owner = Client(REMOTE_ADDR="203.0.113.10")
    for _ in range(5):
        _token(attacker, buyer.username, "wrong")
    assert _token(attacker, buyer.username, PASSWORD).status_code == 429
    response = _token(owner, buyer.username, PASSWORD)
    assert response.status_code == 200 and response.json()["token"]


@pytest.mark.parametrize(
    "url,user_fixture",
    [("/seller/login/", "merchant"), ("/support/login/", "agent"), ("/admin/login/", "reviewer")],
)
def test_login_pages_say_how_long_the_lock_lasts(request, client, url, user_fixture):
    user = request.getfixturevalue(user_fixture)
    _english(client)
    for _ in range(5):
        client.post(url, {"username": user.username, "password": "wrong"})
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed sign-in attempts" in body
    assert "for 15 more minutes" in body
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_is_translated_by_default(client, merchant):
    for _ in range(5):
        client.post("/seller/login/", {"username": merchant.username, "password": "wrong"})
    response = client.post("/seller/login/", {"username": merchant.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


# --- C. Deep JSON is a 400 ----------------------------------------------------------------

DEEP_LIST = "[" * 1000 + "]" * 1000
DEEP_OBJECT = '{"a":' * 1000 + "1" + "}" * 1000  # about 5 KB


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT], ids=["list", "object"])
def test_deep_json_to_the_unauthenticated_token_endpoint_is_a_400(client, body):
    response = client.post(
        TOKEN_URL, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


@pytest.mark.parametrize("body", [DEEP_LIST, DEEP_OBJECT], ids=["list", "object"])
@pytest.mark.parametrize("url", ["/api/buyer/orders/", "/api/buyer/after-sales/"])
def test_deep_json_to_a_signed_in_endpoint_is_a_400(buyer_api, url, body):
    response = buyer_api.post(url, body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]


def test_the_parser_allows_the_limit_and_refuses_one_level_more():
    def nested(depth):
        return io.BytesIO(("[" * depth + "]" * depth).encode())

    parser = parsers.JSONParser()
    assert parser.parse(nested(parsers.MAX_JSON_DEPTH)) is not None
    with pytest.raises(ParseError):
        parser.parse(nested(parsers.MAX_JSON_DEPTH + 1))
    with pytest.raises(ParseError):
        parser.parse(io.BytesIO(json.dumps({"q": "a\x00b"}).encode()))
    with pytest.raises(ParseError):
        parser.parse(io.BytesIO(json.dumps({"a\x00": 1}).encode()))
    assert parser.parse(io.BytesIO(b'{"items": [{"sku": 1, "qty": 2}]}')) == {
        "items": [{"sku": 1, "qty": 2}]
    }


def test_the_depth_limited_parser_is_the_default_and_the_token_views(client):
    assert api_settings.DEFAULT_PARSER_CLASSES[0] is parsers.JSONParser
    from common.api import ObtainTokenView

    assert parsers.JSONParser in ObtainTokenView.parser_classes


def test_a_nul_in_a_json_string_is_a_400(client, buyer):
    response = client.post(
        TOKEN_URL,
        json.dumps({"username": buyer.username + "\x00", "password": PASSWORD}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
    assert not AccessAttempt.objects.exists()


# --- D. The wrong account at an area's login, and a way out of error pages ----------------


@pytest.mark.parametrize(
    "url,user_fixture",
    [
        ("/seller/login/", "buyer"),
        ("/seller/login/", "agent"),
        ("/support/login/", "buyer"),
        ("/support/login/", "merchant"),
    ],
)
def test_an_area_login_refuses_other_roles_at_the_form(request, client, url, user_fixture):
    user = request.getfixturevalue(user_fixture)
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200  # the form again, not a redirect to a 403
    assert "_auth_user_id" not in client.session
    [error] = response.context["form"].non_field_errors().as_data()
    assert error.code == "wrong_area"
    assert str(error.message) in response.content.decode()


@pytest.mark.parametrize(
    "url,user_fixture,landing",
    [("/seller/login/", "merchant", "/seller/"), ("/support/login/", "agent", "/support/")],
)
def test_an_area_login_still_lets_its_own_role_in(request, client, url, user_fixture, landing):
    user = request.getfixturevalue(user_fixture)
    response = client.post(url, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == landing
    # and, signed in, the login page skips the form
    assert client.get(url).url == landing


def test_signed_in_with_another_role_the_login_page_offers_to_sign_out(buyer_client):
    response = buyer_client.get("/seller/login/")
    assert response.status_code == 200  # was a redirect to the dashboard's 403
    body = response.content.decode()
    assert 'action="/seller/logout/"' in body
    assert buyer_client.post("/seller/logout/").url == "/seller/login/"
    assert "_auth_user_id" not in buyer_client.session


@pytest.mark.parametrize(
    "url,status,logout_url",
    [
        ("/seller/", 403, "/seller/logout/"),
        ("/support/", 403, "/support/logout/"),
        ("/seller/no/such/page/", 404, "/seller/logout/"),
        ("/support/no/such/page/", 404, "/support/logout/"),
    ],
)
def test_error_pages_offer_a_sign_out_form_to_the_signed_in(
    buyer_client, client, url, status, logout_url
):
    response = buyer_client.get(url)
    assert response.status_code == status
    body = response.content.decode()
    assert f'method="post" action="{logout_url}"' in body
    assert "csrfmiddlewaretoken" in body
    # anonymous visitors have nothing to sign out of
    assert "logout" not in client.get("/no/such/page/").content.decode()


def test_the_500_page_offers_a_sign_out_form_too(buyer):
    request = RequestFactory().get("/seller/orders/")
    request.user = buyer
    response = views.server_error(request)
    assert response.status_code == 500
    assert 'method="post" action="/seller/logout/"' in response.content.decode()


# --- E. A 403 is one log line --------------------------------------------------------------


def test_a_permission_denied_is_logged_in_one_line(buyer_client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert buyer_client.get("/seller/").status_code == 403
    [record] = [r for r in caplog.records if r.name == "django.request"]
    assert record.getMessage() == "Forbidden (Permission denied): /seller/"
    assert record.exc_info is None
    assert "Traceback" not in caplog.text


def test_server_errors_keep_their_traceback():
    try:
        raise ZeroDivisionError
    except ZeroDivisionError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), exc_info)
    record.status_code = 500
    assert ClientErrorsInOneLine().filter(record)
    assert record.exc_info is exc_info
