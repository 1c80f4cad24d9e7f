"""The URL configuration as a list: every route with its full pattern, name, parameters and
view, read from django.urls.get_resolver(), so the security tests cover what is there
rather than what someone remembered to list."""

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    route: str  # "seller/products/<int:pk>/edit/"
    name: str | None  # "seller:products_edit"
    params: tuple[str, ...]  # ("pk",)
    callback: object

    @property
    def drf_view(self):
        """The APIView class of a DRF route (None for a plain Django view)."""
        return getattr(self.callback, "cls", None)

    def methods(self) -> list[str]:
        """The unsafe and safe methods the view has a handler for (DRF views say so; a plain
        Django view is asked GET and POST, which is what server-rendered pages take)."""
        view = self.drf_view
        if view is None:
            return ["GET", "POST"]
        names = [m for m in ("get", "post", "put", "patch", "delete") if hasattr(view, m)]
        return [m.upper() for m in names]

    def __str__(self):
        return f"/{self.route} ({self.name})"


def _params(pattern) -> tuple[str, ...]:
    return tuple(getattr(pattern, "converters", {}) or ()) or tuple(pattern.regex.groupindex)


def _walk(resolver, prefix="", namespace=None, outer=()):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            yield from _walk(entry, prefix + str(entry.pattern), inner,
                             outer + _params(entry.pattern))
        elif isinstance(entry, URLPattern):
            name = entry.name and (f"{namespace}:{entry.name}" if namespace else entry.name)
            yield Route(prefix + str(entry.pattern), name, outer + _params(entry.pattern),
                        entry.callback)


def routes() -> list[Route]:
    """Every route of the project except Django's admin (reviewers' screens have their own
    tests) and the development-only static route."""
    return [r for r in _walk(get_resolver())
            if not r.route.startswith("admin/") and not r.route.startswith("^static/")]
