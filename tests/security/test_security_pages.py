"""What the browser is given: stored script in listing text, store names, after-sale
messages and academy lessons renders as text on merchant, support, admin, public and
academy pages; those pages carry a strict content security policy and the security
headers, and run no inline script a policy would have to allow."""

import re

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from academy.models import Course, Lesson
from academy.services import lesson_publish, lesson_refresh
from disputes import services as disputes
from tests.security.tenants import World
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(2)>"
SVG = '"><svg onload=alert(3)>'
PAYLOADS = (SCRIPT, IMG, SVG)
# What must never reach a page as markup (whatever the case or the spacing).
ACTIVE = re.compile(r"<script>alert|<img src=x onerror|<svg onload|onclick=\"alert"
                    r"|(?:href|src)\s*=\s*[\"']?\s*javascript:", re.I)


@pytest.fixture
def hostile(merchant, other_merchant, buyer, other_buyer, reviewer, agent):
    world = World(merchant, other_merchant, buyer, other_buyer, reviewer, agent)
    store = world.a_store
    store.name = f"店{IMG}"[:60]
    store.save(update_fields=["name"])
    product = world.a_product
    product.title = f"T恤{SCRIPT}{SVG}"
    product.description = f"说明{SCRIPT}{IMG}{SVG}"
    product.save(update_fields=["title", "description"])
    request = world.a_after_sale
    disputes.after_sale_message_post(request=request, actor=buyer,
                                     text=f"消息{SCRIPT}{IMG}{SVG}")
    disputes.after_sale_request_escalate(request=request, actor=buyer, reason=f"升级{SCRIPT}")
    disputes.after_sale_case_take(request=request, actor=agent)
    course = Course.objects.create(slug="hostile-sec", title=f"课程{SCRIPT}", order=99)
    lesson = Lesson.objects.create(
        course=course, slug="hostile-sec-lesson", title=f"课{IMG}", summary=f"摘要{SVG}",
        body=f"# 标题\n\n{SCRIPT}\n\n{IMG}\n\n[点我](javascript:alert(4))\n\n<a href=\"x\" "
             f"onclick=\"alert(5)\">链接</a>")
    lesson_refresh(lesson=lesson)
    lesson_publish(lesson=lesson, actor=reviewer)
    world.lesson = lesson
    return world


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def _admin_url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _pages(world):
    """(who, url) for every screen that shows the hostile text."""
    product, request = world.a_product, world.a_after_sale
    order = request.order if hasattr(request, "order") else request.line.order
    yield world.merchant, reverse("seller:products")
    yield world.merchant, reverse("seller:products_detail", args=[product.pk])
    yield world.merchant, reverse("seller:products_edit", args=[product.pk])
    yield world.merchant, reverse("seller:dashboard")
    yield world.merchant, reverse("seller:orders")
    yield world.merchant, reverse("seller:orders_detail", args=[order.number])
    yield world.merchant, reverse("seller_aftersales:list")
    yield world.merchant, reverse("seller_aftersales:detail", args=[request.pk])
    yield world.merchant, reverse("academy:index")
    yield world.merchant, reverse("academy:lesson", args=[world.lesson.slug])
    yield world.merchant, reverse("academy:course", args=[world.lesson.course.slug])
    yield world.agent, reverse("support:queue")
    yield world.agent, reverse("support:case", args=[request.pk])
    yield None, reverse("public:public_store", args=[world.a_store.slug])
    yield None, reverse("public:public_product", args=[world.a_store.slug, product.pk])
    for name, args in [("admin:shop_product_changelist", ()),
                       ("admin:shop_product_change", (product.pk,)),
                       ("admin:shop_store_changelist", ()),
                       ("admin:shop_store_change", (world.a_store.pk,)),
                       ("admin:shop_order_change", (order.pk,)),
                       ("admin:disputes_aftersalerequest_change", (request.pk,)),
                       ("admin:academy_lesson_change", (world.lesson.pk,))]:
        url = _admin_url(name, *args)
        if url:
            yield world.reviewer, url


def test_stored_script_renders_as_text_everywhere(hostile):
    shown = 0
    for who, url in _pages(hostile):
        client = _client(who) if who else Client()
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = response.content.decode()
        assert not ACTIVE.search(page), (url, ACTIVE.search(page).group(0))
        shown += "alert(" in page
    # The hostile text is on the pages (escaped), not merely missing from them.
    assert shown >= 10


def test_the_admin_pages_of_the_hostile_rows_exist(hostile):
    # If a model's admin moved, the sweep above would silently look at fewer pages.
    assert len(list(_pages(hostile))) >= 20


# --- headers ---------------------------------------------------------------------------
def _policy(response):
    header = response.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def area_pages(hostile):
    return [(hostile.merchant, reverse("seller:dashboard")),
            (hostile.merchant, reverse("seller:products_detail", args=[hostile.a_product.pk])),
            (hostile.merchant, reverse("academy:lesson", args=[hostile.lesson.slug])),
            (hostile.merchant, reverse("academy:index")),
            (hostile.agent, reverse("support:queue")),
            (hostile.agent, reverse("support:case", args=[hostile.a_after_sale.pk])),
            (hostile.reviewer, "/admin/"),
            (None, reverse("seller:login")),
            (None, reverse("support:login"))]


def test_pages_carry_a_strict_content_security_policy(area_pages):
    for who, url in area_pages:
        response = (_client(who) if who else Client()).get(url)
        assert response.status_code == 200, url
        policy = _policy(response)
        assert policy.get("default-src") == ["'self'"], (url, policy)
        for directive in ("script-src", "style-src"):
            assert policy.get(directive) == ["'self'"], (url, directive, policy)
        assert policy.get("object-src") == ["'none'"], url
        assert policy.get("frame-ancestors") == ["'none'"], url
        assert policy.get("base-uri") == ["'self'"], url
        assert policy.get("form-action") == ["'self'"], url


def test_pages_carry_the_security_headers(area_pages):
    for who, url in area_pages:
        response = (_client(who) if who else Client()).get(url)
        assert response["X-Frame-Options"] == "DENY", url
        assert response["X-Content-Type-Options"] == "nosniff", url
        assert response["Referrer-Policy"] == "same-origin", url
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", url


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",
                           re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
STYLE_ATTR = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
# Attribute values are text (an escaped payload in a data-confirm message is not a handler):
# they are blanked before the two checks above look at the tags.
ATTR_VALUE = re.compile(r'=\s*"[^"]*"')


def test_our_pages_need_no_inline_script_or_style(area_pages):
    """The policy allows no inline code, so a page that had some would be broken, not
    protected; the Django admin's own templates are its business."""
    for who, url in area_pages:
        if url.startswith("/admin/"):
            continue
        page = (_client(who) if who else Client()).get(url).content.decode()
        assert not INLINE_SCRIPT.search(page), (url, INLINE_SCRIPT.search(page).group(0))
        tags = ATTR_VALUE.sub('=""', page)
        assert not HANDLER.search(tags), (url, HANDLER.search(tags).group(0))
        assert not STYLE_ATTR.search(tags), (url, STYLE_ATTR.search(tags).group(0))


def test_hsts_and_secure_cookies_in_production(settings_production):
    response = Client().get(reverse("seller:login"), secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    assert "includeSubDomains" in response["Strict-Transport-Security"]
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY
    insecure = Client().get(reverse("seller:login"))
    assert insecure.status_code == 301 and insecure["Location"].startswith("https://")


@pytest.fixture
def settings_production(settings):
    # What config/settings.py sets when DEBUG is off (the tests run with LOCAL defaults).
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SECURE_SSL_REDIRECT = True
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    return settings
