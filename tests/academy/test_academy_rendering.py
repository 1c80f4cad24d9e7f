"""Markdown from reviewers is rendered and sanitised: hostile input leaves no script, no
event handler and no javascript: link, in the stored HTML and on the merchant's page."""

import re

import pytest

from academy.models import Course, Lesson
from academy.rendering import plain_text, render_markdown
from academy.services import lesson_publish, lesson_refresh

HOSTILE = """
# Title

<script>alert("x")</script>
<SCRIPT SRC=//evil.example/x.js></SCRIPT>
<img src=x onerror="alert(1)">
<img src="javascript:alert(2)" alt="j">
<a href="javascript:alert(3)">click</a>
<a href="JaVaScRiPt:alert(4)">click</a>
<a href="&#106;avascript:alert(5)">click</a>
[md link](javascript:alert(6))
[md link 2](  javascript:alert(7) )
![md image](javascript:alert(8))
<svg onload="alert(9)"><circle r="1"/></svg>
<iframe src="https://evil.example"></iframe>
<div style="background:url(javascript:alert(10))" onclick="alert(11)">div</div>
<style>body{display:none}</style>
<form action="https://evil.example"><input name="p"></form>
<object data="x.swf"></object><embed src="x.swf">
<body onload=alert(12)>
<p onmouseover="alert(13)">hover</p>
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxNCk8L3NjcmlwdD4=">data</a>
"""


def _assert_safe(html):
    low = html.lower()
    for bad in ["<script", "</script", "javascript:", "onerror", "onload", "onclick",
                "onmouseover", "<iframe", "<svg", "<style", "<form", "<input", "<object",
                "<embed", "style=", "data:text/html", "alert(1)", "alert(\"x\")"]:
        assert bad not in low, bad
    assert not re.search(r"\son\w+\s*=", low)


def test_hostile_markdown_is_sanitised():
    html = render_markdown(HOSTILE)
    _assert_safe(html)
    # What is harmless survives: headings, tables, safe links (with rel), text.
    assert "<h1>" not in html and "Title" in html  # h1 is the page's own title
    assert "hover" in html and "click" in html and "<p>" in html


def test_hostile_cells_in_a_table_are_cleaned_and_safe_links_kept():
    html = render_markdown(
        "| a | b |\n|---|---|\n"
        "| <span onclick=\"x()\">1</span> | [ok](https://example.com/a) [no](javascript:x()) |\n")
    _assert_safe(html)
    assert "<table>" in html and "<td><span>1</span></td>" in html
    assert '<a href="https://example.com/a" rel="noopener noreferrer nofollow">ok</a>' in html
    assert '<a rel="noopener noreferrer nofollow">no</a>' in html


def test_plain_text_keeps_cells_apart_and_drops_markup():
    text = plain_text(render_markdown("| 保证金 | 500 |\n|---|---|\n| 推广 | 300 |"))
    assert "保证金" in text and "500" in text and "<" not in text
    assert "保证金\n" in text or "保证金 " in text


@pytest.mark.django_db
def test_a_hostile_lesson_is_safe_on_the_merchant_page(merchant_client, reviewer):
    course = Course.objects.create(slug="hostile", title="Hostile", order=99)
    lesson = Lesson.objects.create(course=course, slug="hostile-lesson", title="恶意内容测试",
                                   body=HOSTILE)
    lesson_refresh(lesson=lesson)
    lesson_publish(lesson=lesson, actor=reviewer)
    lesson.refresh_from_db()
    _assert_safe(lesson.body_html)
    page = merchant_client.get("/seller/academy/lessons/hostile-lesson/").content.decode()
    body = page.split('<div class="lesson-body">', 1)[1].split("</div>", 1)[0]
    _assert_safe(body)
    assert "恶意内容测试" in page
