"""The academy's initial content, converted from the Kuaishou e-commerce handbook:
`index.json` (topics, courses and their lessons in order, rule → lesson links),
`lessons/<slug>.md` (a header of ``key: value`` lines, ``---``, the Markdown body) and
`cases.json` (benchmark streamers). Loaded by a data migration; loading again updates
the rows in place."""

import json
from dataclasses import dataclass, field
from pathlib import Path

from academy.rendering import render_markdown
from academy.services import lesson_derived_fields

CONTENT_DIR = Path(__file__).resolve().parent


@dataclass
class LessonText:
    slug: str
    title: str
    summary: str
    topics: list[str] = field(default_factory=list)
    body: str = ""


def read_lesson(slug: str) -> LessonText:
    raw = (CONTENT_DIR / "lessons" / f"{slug}.md").read_text(encoding="utf-8")
    header, _sep, body = raw.partition("\n---\n")
    meta = {}
    for line in header.splitlines():
        key, _colon, value = line.partition(":")
        meta[key.strip()] = value.strip()
    topics = [t.strip() for t in meta.get("topics", "").split(",") if t.strip()]
    return LessonText(slug, meta["title"], meta.get("summary", ""), topics, body.strip() + "\n")


def index() -> dict:
    return json.loads((CONTENT_DIR / "index.json").read_text(encoding="utf-8"))


def cases() -> list[dict]:
    return json.loads((CONTENT_DIR / "cases.json").read_text(encoding="utf-8"))


def load(models, *, now) -> None:
    """Create or update the shipped content. `models` gives the model classes by name
    (the historical ones in a migration)."""
    topic_model, course_model, lesson_model = models["Topic"], models["Course"], models["Lesson"]
    data = index()
    topics = {}
    for order, item in enumerate(data["topics"], start=1):
        topics[item["name"]], _ = topic_model.objects.update_or_create(
            slug=item["slug"], defaults={"name": item["name"], "order": order})
    lessons = {}
    for course_order, item in enumerate(data["courses"], start=1):
        course, _ = course_model.objects.update_or_create(
            slug=item["slug"], defaults={"title": item["title"], "summary": item["summary"],
                                         "order": course_order})
        for order, slug in enumerate(item["lessons"], start=1):
            text = read_lesson(slug)
            lesson, _ = lesson_model.objects.update_or_create(slug=slug, defaults={
                "course": course, "title": text.title, "summary": text.summary,
                "body": text.body, "order": order, "status": "published",
                "published_at": now,
                **lesson_derived_fields(title=text.title, summary=text.summary,
                                        body=text.body, topics=text.topics),
            })
            lesson.topics.set([topics[name] for name in text.topics])
            lessons[slug] = lesson
    for kind, key, slug in data["links"]:
        models["LessonLink"].objects.update_or_create(
            kind=kind, key=key, defaults={"lesson": lessons[slug]})
    for order, item in enumerate(cases(), start=1):
        models["CaseStudy"].objects.update_or_create(slug=item["slug"], defaults={
            "name": item["name"], "account": item["account"], "category": item["category"],
            "headline": item["headline"], "story": item["story"],
            "story_html": render_markdown(item["story"]), "figures": item["figures"],
            "lesson": lessons.get(item.get("lesson")), "order": order, "published": True,
        })
