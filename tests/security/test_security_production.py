"""Production defaults, read from the settings module itself with DEBUG off: the API schema
and docs are not public, the sandbox cashier is off; and every way to sign in found in the
URL map is one that locks out repeated failures."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from tests.security.urlmap import routes
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x7!k2#p9-production-grade-secret-value-with-length-and-variety-41",
    "ALLOWED_HOSTS": "shop.example.com",
    "CACHE_URL": "rediscache://127.0.0.1:6379/1",
}


def _production_settings(*names):
    env = {k: v for k, v in os.environ.items()
           if k not in {"API_DOCS_PUBLIC", "PAYMENT_SANDBOX_ENABLED", "DEBUG"}}
    env.update(PRODUCTION, DJANGO_SETTINGS_MODULE="config.settings")
    code = ("import json; from django.conf import settings; "
            f"print(json.dumps({{n: str(getattr(settings, n)) for n in {list(names)!r}}}))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, cwd=settings.BASE_DIR, timeout=60)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_defaults_hide_the_docs_and_the_sandbox():
    values = _production_settings("API_DOCS_PUBLIC", "PAYMENT_SANDBOX_ENABLED", "DEBUG",
                                  "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE",
                                  "CSRF_COOKIE_SECURE")
    assert values == {"API_DOCS_PUBLIC": "False", "PAYMENT_SANDBOX_ENABLED": "False",
                      "DEBUG": "False", "SECURE_SSL_REDIRECT": "True",
                      "SESSION_COOKIE_SECURE": "True", "CSRF_COOKIE_SECURE": "True"}


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/schema/", "/api/docs/", "/api/schema/?format=json"])
def test_with_those_defaults_the_docs_are_refused_to_all_but_staff(url, settings, merchant,
                                                                   buyer, reviewer):
    settings.API_DOCS_PUBLIC = False
    for user in (None, merchant, buyer):
        client = Client()
        if user:
            client.force_login(user)
        assert client.get(url).status_code in (403, 404), (url, user)
    staff = Client()
    staff.force_login(reviewer)
    assert staff.get(url).status_code == 200


# Every route that takes a password, and the tests that prove each one locks out.
LOGINS = {
    "seller:login": "tests/common/test_security_defects.py::test_login_pages_say_how_long_"
                    "the_lock_lasts",
    "support:login": "tests/common/test_security_defects.py::test_login_pages_say_how_long_"
                     "the_lock_lasts",
    "admin:login": "tests/common/test_security_defects.py::test_login_pages_say_how_long_"
                   "the_lock_lasts",
    "api-token": "tests/common/test_security_defects.py::test_api_says_the_account_is_"
                 "locked_and_for_how_long",
}


def test_every_way_to_sign_in_is_known_to_lock_out():
    from django.urls import reverse

    names = {r.name for r in routes() if r.name and (r.name.endswith(":login")
                                                     or r.name == "api-token")}
    # routes() leaves out the admin, whose login is Django's own route.
    assert reverse("admin:login") == "/admin/login/"
    names.add("admin:login")
    assert names == set(LOGINS), "a new login route: make it lock out (axes) and list it"
    for where in LOGINS.values():
        path, test = where.split("::")
        assert f"def {test}(" in (settings.BASE_DIR / path).read_text(), where


@pytest.mark.django_db
@pytest.mark.parametrize("name,url", [("seller:login", "/seller/login/"),
                                      ("support:login", "/support/login/"),
                                      ("admin:login", "/admin/login/")])
def test_the_lock_holds_even_with_the_right_password(name, url, merchant, agent, reviewer,
                                                     settings):
    user = {"seller:login": merchant, "support:login": agent, "admin:login": reviewer}[name]
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": user.username, "password": "wrong"})
    response = client.post(url, {"username": user.username, "password": "test-pass-123!"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
