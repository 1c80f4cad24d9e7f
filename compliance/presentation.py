"""HTML for reviewers and merchants: a listing with its screening hits marked in place,
and the difference between a listed product and its submitted change."""

from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from compliance import rules
from compliance.rules import split_by_hits
from compliance.screening.runtime import listing_texts

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


# The label fields of prepackaged food (`rules.FOOD_LABEL_FIELDS`), as merchants see them.
FOOD_LABEL_LABELS = {
    "name": _("Food name"),
    "ingredients": _("Ingredients"),
    "net_content": _("Net content"),
    "producer": _("Producer"),
    "producer_address": _("Producer address"),
    "production_date": _("Production date"),
    "shelf_life": _("Shelf life"),
    "storage": _("Storage"),
    "licence_number": _("Food production licence number"),
    "standard_code": _("Product standard code"),
}


def food_label_rows(food_label: dict) -> list[tuple[str, str]]:
    """(label, value) of a listing's food label, in the order of the label fields."""
    food_label = food_label or {}
    known = [(str(FOOD_LABEL_LABELS[k]), food_label.get(k, "")) for k in rules.FOOD_LABEL_FIELDS
             if k in food_label]
    return known + [(k, v) for k, v in food_label.items() if k not in FOOD_LABEL_LABELS]


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
    if field == "food_label" and isinstance(value, dict):
        return "\n".join(f"{label}: {v}" for label, v in food_label_rows(value))
    if isinstance(value, dict):
        return "\n".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
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


# --- Qualification details ---------------------------------------------------------------
DETAIL_LABELS = {
    "entity_kind": _("Entity kind"),
    "business_scope": _("Business scope"),
    "business_items": _("Business items"),
    "brand_name": _("Brand name"),
    "trademark_holder": _("Trademark holder"),
    "authorisation_chain": _("Chain of authorisations"),
    "authoriser": _("Granted by"),
    "authorised": _("Granted to"),
    "valid_until": _("Valid until"),
    "filing_kind": _("Filing kind"),
    "origin": _("Origin"),
    "declaration_number": _("Customs declaration number"),
    "declaration_batch_number": _("Batch number on the customs declaration"),
    "declaration_issued_on": _("Customs declaration issue date"),
    "inspection_certificate_number": _("Entry inspection certificate number"),
    "inspection_batch_number": _("Batch number on the inspection certificate"),
    "inspection_issued_on": _("Inspection certificate issue date"),
}
CHOICE_LABELS = {
    "enterprise": _("Enterprise"),
    "individual_business": _("Individual business"),
    "special": _("Special cosmetics (registered)"),
    "non_special": _("Ordinary cosmetics (filed)"),
    "domestic": _("Domestic"),
    "imported": _("Imported"),
}
# What the certificate number is called for a type (the generic label otherwise).
NUMBER_LABELS = {
    "business_licence": _("Unified social credit code"),
    "brand_authorisation": _("Trademark registration number"),
    "cosmetics_filing": _("Registration or filing number"),
}
# The details that identify a qualification in a list, with a short label or None.
SUMMARY_FIELDS = {
    "business_licence": (("entity_kind", None),),
    "food_business_licence": (("business_items", None),),
    "brand_authorisation": (("brand_name", None),),  # the chain starts at the holder
    "cosmetics_filing": (("filing_kind", None), ("origin", None)),
    "import_customs_inspection": (("declaration_batch_number", _("batch")),),
}


def detail_label(field: str) -> str:
    """The label of a details key, or of `<chain key>.<index>.<link key>`."""
    parts = field.split(".")
    if len(parts) == 3 and parts[1].isdigit():
        return _("Authorisation %(n)s · %(field)s") % {
            "n": int(parts[1]) + 1, "field": DETAIL_LABELS.get(parts[2], parts[2])
        }
    return str(DETAIL_LABELS.get(field, field))


def detail_value(value: str) -> str:
    return str(CHOICE_LABELS.get(value, value))


@dataclass
class DetailRow:
    key: str
    label: str
    value: str


@dataclass
class ChainLink:
    n: int
    authoriser: str
    authorised: str
    valid_until: object  # date, or the text as entered when it is not one
    expired: bool


def qualification_detail_rows(type_code: str, details: dict) -> list[DetailRow]:
    """The filled-in details of a qualification except the chain, in the type's order."""
    details = details or {}
    return [
        DetailRow(spec.key, detail_label(spec.key), detail_value(details[spec.key]))
        for spec in rules.detail_fields(type_code)
        if spec.kind != rules.CHAIN and details.get(spec.key)
    ]


def qualification_chain(details: dict, *, today) -> list[ChainLink]:
    links = []
    for i, link in enumerate((details or {}).get("authorisation_chain") or []):
        until = rules.parse_date(link.get("valid_until") or "")
        links.append(ChainLink(
            n=i + 1, authoriser=link.get("authoriser", ""), authorised=link.get("authorised", ""),
            valid_until=until or link.get("valid_until", ""),
            expired=until is not None and until < today,
        ))
    return links


def qualification_details_summary(type_code: str, details: dict) -> str:
    """One line for lists: a type's identifying details and, for an authorisation, the
    parties of its chain."""
    details = details or {}
    parts = []
    for key, label in SUMMARY_FIELDS.get(type_code, ()):
        if details.get(key):
            value = detail_value(details[key])
            parts.append(f"{label}: {value}" if label else value)
    chain = details.get("authorisation_chain") or []
    if chain:
        parties = [chain[0].get("authoriser", "")] + [link.get("authorised", "") for link in chain]
        parts.append(" → ".join(parties))
    return " · ".join(parts)
