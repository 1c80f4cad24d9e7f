"""The academy's page text goes through gettext (the lessons' Chinese is data)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

TEMPLATES = sorted(Path(settings.BASE_DIR, "templates", "academy").rglob("*.html"))


def test_there_are_templates():
    assert len(TEMPLATES) >= 8


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_have_no_text_outside_translation_tags(path):
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", "", text, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", text, flags=re.S)
    attrs = re.findall(r'(?:title|alt|placeholder|aria-label|value)="([^"{]*[A-Za-z][^"]*)"',
                       text)
    words = re.sub(r"<[^>]*>", " ", text)
    assert attrs == [] and re.findall(r"[A-Za-z\u4e00-\u9fff]{2,}", words) == []
