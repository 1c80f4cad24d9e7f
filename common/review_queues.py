"""Registry of the reviewers' queues shown on the admin home page. Each app registers a
function returning (label, queryset of waiting items ordered oldest first, admin URL,
name of the waiting-since field)."""

from dataclasses import dataclass

_QUEUES = []


@dataclass
class QueueSummary:
    label: str
    count: int
    oldest: object
    oldest_since: object
    url: str


def register(label, queryset_factory, url_name: str, since_field: str, permission: str):
    _QUEUES.append((label, queryset_factory, url_name, since_field, permission))


def summaries(request) -> list[QueueSummary]:
    from django.urls import reverse

    result = []
    for label, factory, url_name, since_field, permission in _QUEUES:
        if not request.user.has_perm(permission):
            continue
        qs = factory()
        oldest = qs.order_by(since_field, "pk").first()
        result.append(
            QueueSummary(
                label=label,
                count=qs.count(),
                oldest=oldest,
                oldest_since=getattr(oldest, since_field, None) if oldest else None,
                url=reverse(url_name),
            )
        )
    return result
