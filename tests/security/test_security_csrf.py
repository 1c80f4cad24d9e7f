"""CSRF on every form, walked from the URL map: a signed-in browser (session cookie) that
POSTs (or PATCHes, PUTs, DELETEs) without the CSRF token is refused with 403, on every
server-rendered route and on every API route reached with the session. The few routes that
take no cookie at all are listed with the reason."""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import StoreFactory
from tests.security.urlmap import routes
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

# Routes a POST may reach without a CSRF token, and why that is safe.
NO_CSRF = {
    "webhook-payment": "the provider's server, authenticated by the body's signature",
    "webhook-courier": "the courier's server, authenticated by the body's signature",
    "webhook-ad-delivery": "the ad-delivery system's server, authenticated by the body's "
                           "signature",
}

# A value for each kind of path parameter: the token is checked before the object is
# looked up, so the object need not exist.
SAMPLE = {"pk": 999999, "item": 999999, "attachment_id": 999999, "number": "X0",
          "slug": "x", "action": "x", "provider": "sandbox", "path_name": "public/x.png",
          "path": "x", "fmt": "csv"}

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _who(route, users):
    if route.route.startswith(("support/",)):
        return users["agent"]
    if route.route.startswith("api/buyer/") or route.route.startswith(("s/", "media/")):
        return users["buyer"]
    return users["merchant"]


def _unsafe_methods(route):
    view = route.drf_view
    if view is None:
        return ["POST"]
    return [m for m in route.methods() if m in UNSAFE]


ROUTES = [r for r in routes() if r.name and _unsafe_methods(r)]


@pytest.fixture
def users(merchant, buyer, agent):
    return {"merchant": merchant, "buyer": buyer, "agent": agent}


def _url(route):
    return reverse(route.name, kwargs={p: SAMPLE[p] for p in route.params})


def test_the_exemptions_are_routes_that_exist_and_take_no_cookie():
    names = {r.name for r in ROUTES}
    assert sorted(set(NO_CSRF) - names) == []


@pytest.mark.parametrize("route", [r for r in ROUTES if r.name not in NO_CSRF], ids=str)
def test_an_unsafe_request_without_the_token_is_refused(route, users):
    client = Client(enforce_csrf_checks=True)
    client.force_login(_who(route, users))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = _url(route)
    for method in _unsafe_methods(route):
        response = client.generic(method, url, "confirm=1",
                                  content_type="application/x-www-form-urlencoded")
        assert response.status_code == 403, (method, url, response.status_code)
        # Refused for the token (common.views.csrf_failure, or DRF's session check through
        # common.api's handler), not for some other reason.
        body = response.content.decode()
        assert "CSRF Failed" in body or "cookies are blocked" in body, body[:300]


@pytest.mark.parametrize("route", [r for r in ROUTES if r.name in NO_CSRF], ids=str)
def test_the_exempt_routes_are_not_refused_for_the_token(route):
    client = Client(enforce_csrf_checks=True)
    response = client.post(_url(route), "{}", content_type="application/json")
    assert response.status_code != 403 or "CSRF" not in response.content.decode()


@pytest.mark.parametrize("url,who", [("/seller/login/", None), ("/support/login/", None),
                                     ("/seller/logout/", "merchant"),
                                     ("/seller/products/new/", "merchant")])
def test_with_the_token_the_same_form_gets_through(url, who, users):
    """The 403s above are the token's doing: the same POST with it is not refused."""
    client = Client(enforce_csrf_checks=True)
    if who:
        StoreFactory(merchant=users[who])
        client.force_login(users[who])
    page = client.get(url if "logout" not in url else "/seller/")
    assert page.status_code == 200
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    without = client.post(url, {"username": "x", "password": "y"})
    assert without.status_code == 403
    response = client.post(url, {"username": "x", "password": "y",
                                 "csrfmiddlewaretoken": token})
    assert response.status_code != 403, response.status_code


def test_the_anonymous_login_form_is_protected_too():
    """Login CSRF: a forged sign-in into the attacker's account is refused."""
    response = Client(enforce_csrf_checks=True).post(
        "/seller/login/", {"username": "attacker", "password": "x"})
    assert response.status_code == 403
