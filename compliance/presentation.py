"""HTML for reviewers and merchants: a listing with its screening hits marked in place,
and the difference between a listed product and its submitted change."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from compliance.rules import split_by_hits
from compliance.screening_runtime import listing_texts

FIELD_LABELS = {
    "title": _("Title"),
    "description": _("Description"),
    "gifts": _("Gifts"),
    "image_caption": _("Image caption"),
    "live_title": _("Live stream title"),
    "video_title": _("Short video title"),
    "category_id": _("Category"),
    "food_label": _("Food label"),
    "skus": _("SKUs"),
    "supports_seven_day_return": _("7-day no-reason return"),
    "free_shipping": _("Free shipping"),
    "shipping_fee": _("Shipping fee"),
    "gift_value": _("Gift marked value"),
    "external_url": _("Product link"),
    "external_price": _("Price on the other platform"),
}


def field_label(field: str) -> str:
    if field.startswith("skus."):
        parts = field.split(".", 3)
        if len(parts) == 4:
            return _("SKU %(n)s · %(attribute)s") % {"n": int(parts[1]) + 1, "attribute": parts[3]}
    return str(FIELD_LABELS.get(field, field))


def highlight(text: str, hits) -> SafeString:
    """`text` escaped, each hit wrapped in <mark class="hit"> titled with its rule."""
    return format_html_join(
        "",
        "{}",
        (
            (
                format_html('<mark class="hit" title="{}">{}</mark>', hit.get("rule_name", ""), piece)
                if hit
                else piece,
            )
            for piece, hit in split_by_hits(text, hits)
        ),
    )


@dataclass
class HighlightedField:
    field: str
    label: str
    html: SafeString
    hits: list


def highlighted_listing(payload: dict, hits: list) -> list[HighlightedField]:
    by_field: dict[str, list] = {}
    for hit in hits or []:
        by_field.setdefault(hit.get("field", ""), []).append(hit)
    return [
        HighlightedField(field, field_label(field), highlight(text, by_field.get(field, [])),
                         by_field.get(field, []))
        for field, text in listing_texts(payload).items()
    ]


@dataclass
class DiffRow:
    field: str
    label: str
    listed: str
    submitted: str


DIFF_IGNORED = {"pending_image", "platform", "external_item_id", "external_token"}


def _show(field, value, categories):
    if field == "category_id":
        category = categories.get(value)
        return category.path_name if category else "—"
    if field == "skus":
        return "\n".join(
            f"{' / '.join(f'{k}:{v}' for k, v in (row.get('attributes') or {}).items()) or '—'}"
            f"  ¥{row.get('price')}"
            for row in value or []
        )
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    if value in (None, ""):
        return "—"
    return str(value)


def listing_diff(listed: dict, submitted: dict, categories: dict) -> list[DiffRow]:
    """Fields whose submitted value differs from the listed one. SKU stock is live and
    not part of a review, so it is left out of the comparison."""

    def comparable(field, value):
        if field == "skus":
            return [{k: v for k, v in (row or {}).items() if k != "stock"} for row in value or []]
        return value if value not in (None, "") else None

    rows = []
    for field in dict.fromkeys([*listed, *submitted]):
        if field in DIFF_IGNORED:
            continue
        old, new = listed.get(field), submitted.get(field)
        if comparable(field, old) == comparable(field, new):
            continue
        rows.append(DiffRow(field, field_label(field), _show(field, old, categories),
                            _show(field, new, categories)))
    return rows
