"""The academy on a phone-sized screen in a real browser (headless Chromium): the pages
render under the strict Content-Security-Policy, the lesson's text fits the screen (wide
tables scroll inside the lesson, not the page), and search highlights."""

import os
import shutil

import pytest
from django.utils import timezone

from academy import content, models

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed"),
    pytest.mark.django_db(transaction=True),
]

LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def test_academy_pages_on_a_phone(live_server, browser, merchant):
    # A transactional test may have emptied the tables the data migration filled.
    content.load({n: getattr(models, n) for n in ["Topic", "Course", "Lesson", "LessonLink",
                                                  "CaseStudy"]}, now=timezone.now())
    context = browser.new_context(viewport={"width": 375, "height": 740},
                                  device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.add_init_script(CSP_RECORDER)
    page.goto(live_server.url + "/seller/login/")
    page.fill("#id_username", merchant.username)
    page.fill("#id_password", "test-pass-123!")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    for url in ["/seller/academy/", "/seller/academy/courses/rules/",
                "/seller/academy/lessons/rules-deposits/", "/seller/academy/cases/",
                "/seller/academy/cases/leobeauty/", "/seller/academy/topics/live/"]:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        assert page.locator("h1").first.is_visible(), url
        problems.extend(f"{url}: {v}" for v in page.evaluate("window.__cspViolations"))
    page.goto(live_server.url + "/seller/academy/lessons/rules-deposits/")
    # The page itself does not scroll sideways; a wide table scrolls in its own box.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
    body_font = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.lesson')).fontSize)")
    assert body_font >= 16
    page.fill("input[name=q]", "小黄车")
    with page.expect_navigation():
        page.press("input[name=q]", "Enter")
    first = page.locator(".search-results li").first
    assert "挂小黄车" in first.inner_text()
    assert first.locator("mark").first.inner_text() == "小黄车"
    context.close()
    assert problems == []
