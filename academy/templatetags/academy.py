"""`{% load academy %}{% lesson_link "violation_type" code %}`: where a rule is shown to a
merchant, the academy lesson that reviewers linked to it (nothing when there is none)."""

from django import template

from academy import selectors

register = template.Library()

_MEMO = "_academy_lesson_links"


@register.inclusion_tag("academy/_lesson_link.html", takes_context=True)
def lesson_link(context, kind, key=""):
    key = "" if key is None else str(key)
    request = context.get("request")
    if request is None:
        return {"lesson": selectors.lesson_for_rule(str(kind), key)}
    # One query per request however many rules the page shows.
    links = getattr(request, _MEMO, None)
    if links is None:
        links = selectors.published_lesson_links()
        setattr(request, _MEMO, links)
    return {"lesson": links.get((str(kind), key))}
