"""A NUL byte anywhere in a request is a 400, for every URL, whatever the database.

PostgreSQL refuses text containing NUL (psycopg raises ValueError before sending the
query), so `/seller/orders/%00/` was a 500 there and a 404 on SQLite. The `postgres_nul`
fixture makes SQLite refuse NUL the same way, so these tests mean the same on both."""

import re
from uuid import UUID

import pytest
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-123!"


def _has_nul(params) -> bool:
    if isinstance(params, str):
        return "\x00" in params
    if isinstance(params, dict):
        return any(_has_nul(v) for v in params.values())
    if isinstance(params, list | tuple):
        return any(_has_nul(v) for v in params)
    return False


def _refuse_nul_like_psycopg(execute, sql, params, many, context):
    if _has_nul(params):
        raise ValueError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
    return execute(sql, params, many, context)


@pytest.fixture
def postgres_nul():
    with connection.execute_wrapper(_refuse_nul_like_psycopg):
        yield


# --- Every URL pattern, with sample values for its converters ------------------------------

SAMPLES = {
    "int": "1",
    "str": "x",
    "slug": "x",
    "path": "x",
    "uuid": str(UUID(int=1)),
}
ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\((?:\?P<\w+>)?(?P<body>[^()]*)\)")
QUERY_NAMES = ["q", "status", "status__exact", "page", "o", "kind", "next", "cursor", "date"]


def _route_sample(route: str) -> str:
    return ROUTE_PARAMETER.sub(lambda m: SAMPLES.get(m["converter"] or "str", "x"), route)


def _regex_sample(regex: str) -> str:
    def group(match):
        body = match["body"]
        # `auth|shop|...` (the admin's app index): the first choice; anything else: "1".
        return body.split("|")[0] if re.fullmatch(r"\w+(\|\w+)*", body) else "1"

    sample = REGEX_GROUP.sub(group, regex)
    sample = sample.removeprefix("^").removesuffix("$").removesuffix(r"\Z")
    return re.sub(r"\\(.)", r"\1", sample)


def _part(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _route_sample(str(pattern))
    if isinstance(pattern, RegexPattern):
        return _regex_sample(pattern.regex.pattern)
    raise TypeError(pattern)


def all_paths(patterns=None, prefix="/"):
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        path = prefix + _part(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from all_paths(entry.url_patterns, path)
        elif isinstance(entry, URLPattern):
            yield path


def nul_variants(path: str):
    yield path + "%00"
    yield path + "%00/"
    parts = path.rstrip("/").split("/")
    if len(parts) > 2:
        # the last segment replaced (an order number, a pk, a slug …)
        yield "/".join(parts[:-1]) + "/%00/"
    yield path + "?" + "&".join(f"{name}=%00" for name in QUERY_NAMES)
    yield path + "?%00=1"


def test_the_walk_covers_the_whole_site():
    paths = set(all_paths())
    assert len(paths) > 200
    for expected in [
        "/seller/orders/x/",
        "/api/buyer/orders/x/",
        "/admin/shop/order/",
        "/admin/shop/order/x/change/",
        "/admin/auth/",  # the app index regex, first choice
        "/support/cases/1/",
        "/api/auth/token/",
    ]:
        assert expected in paths


@pytest.mark.parametrize("who", ["anonymous", "merchant"])
def test_a_nul_byte_in_the_path_or_query_of_any_url_is_a_400(who, merchant, postgres_nul):
    client = Client(raise_request_exception=False)
    if who == "merchant":
        client.force_login(merchant)
    failures = []
    for path in sorted(set(all_paths())):
        for url in nul_variants(path):
            for method in (client.get, client.post):
                status = method(url).status_code
                if status != 400:
                    failures.append(f"{method.__name__.upper()} {url} -> {status}")
    assert not failures, "\n".join(failures[:50])


@pytest.mark.parametrize("who", ["anonymous", "merchant"])
def test_a_nul_byte_in_a_form_field_of_any_url_is_a_400(who, merchant, postgres_nul):
    client = Client(raise_request_exception=False)
    if who == "merchant":
        client.force_login(merchant)
    failures = []
    for path in sorted(set(all_paths())):
        response = client.post(path, {"username": "a\x00", "password": "x", "q": "\x00"})
        if response.status_code != 400:
            failures.append(f"POST {path} -> {response.status_code}")
    assert not failures, "\n".join(failures[:50])


# --- The reported URLs: the translated page, or JSON under /api/ ---------------------------


@pytest.mark.parametrize(
    "client_fixture,url",
    [
        ("merchant_client", "/seller/orders/%00/"),
        ("merchant_client", "/seller/products/?q=%00"),
        ("reviewer_client", "/admin/shop/order/?status__exact=%00"),
        ("client", "/seller/orders/%00/"),
    ],
)
def test_reported_pages_answer_the_translated_400_page(request, client_fixture, url, postgres_nul):
    response = request.getfixturevalue(client_fixture).get(url)
    assert response.status_code == 400
    body = response.content.decode()
    assert "<html" in body and "请求有误" in body  # "Bad request", in Chinese by default


@pytest.mark.parametrize(
    "client_fixture,url",
    [
        ("buyer_client", "/api/buyer/orders/%00/"),
        ("merchant_client", "/api/seller/after-sales/?q=%00"),
        ("client", "/api/auth/token/?x=%00"),
    ],
)
def test_reported_api_urls_answer_json(request, client_fixture, url, postgres_nul):
    response = request.getfixturevalue(client_fixture).get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "NUL" in response.json()["detail"]


def test_a_nul_byte_in_a_login_form_is_a_400_before_the_lockout_records_it(client, postgres_nul):
    from axes.models import AccessAttempt

    response = client.post("/seller/login/", {"username": "merchant\x00", "password": "x"})
    assert response.status_code == 400
    assert not AccessAttempt.objects.exists()


def test_a_nul_byte_in_a_cookie_or_header_is_a_400(client, postgres_nul):
    # `sessionid="\000..."` unquotes to NUL bytes and would be looked up in the sessions table
    client.cookies["sessionid"] = "\x00" * 32
    assert client.get("/seller/").status_code == 400
    assert Client().get("/seller/", HTTP_USER_AGENT="x\x00").status_code == 400


def test_the_check_does_not_depend_on_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert client.get("/seller/orders/%00/").status_code == 400
        assert client.get("/api/seller/after-sales/?q=%00").status_code == 400


def test_ordinary_requests_pass(merchant_client, client, buyer, postgres_nul):
    # (this merchant has no store yet: the merchant center sends them to the application)
    assert merchant_client.get("/seller/products/?q=abc&page=2").url == "/seller/apply/"
    assert client.get("/no/such/page/?q=abc").status_code == 404
    response = client.post(
        "/api/auth/token/?lang=zh", {"username": buyer.username, "password": PASSWORD}
    )
    assert response.status_code == 200
