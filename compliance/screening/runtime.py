"""The screener used at run time, built from the reviewer-managed rule lists.

The rows (ScreeningRule, ScreeningTerm) are compiled once into a `compliance.screening.
Screener` and kept in this process until the lists change. Whether they changed is one
small aggregate query over the rules only (their count and latest `updated_at`): every
saved or deleted term moves its rule's `updated_at` (`lists_changed`, connected to the
term's post_save and post_delete), so an edit in the admin reaches every worker on its
next screening without a restart, and neither the check nor the screening costs more
with more terms. Writes that send no signal (`bulk_create`, `QuerySet.update` of terms)
must call `lists_changed` themselves, as the loaders do.
"""

import logging
import threading

from django.db.models import Count, Max
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from compliance.screening.engine import Screener, Term, screen_fields

logger = logging.getLogger(__name__)

# Top-level listing texts that are screened; SKU attribute values are added per SKU.
SCREENED_FIELDS = ("title", "description", "gifts", "image_caption", "live_title", "video_title")

_lock = threading.Lock()
_cached: dict = {"version": None, "compiled": None}


class CompiledRules:
    """A screener plus what the hits need: rule names and the fields a rule applies to."""

    def __init__(self, screener: Screener, rule_names: dict, rule_fields: dict, skipped: list):
        self.screener = screener
        self.rule_names = rule_names
        self.rule_fields = rule_fields
        self.skipped = skipped


def listing_texts(payload: dict) -> dict[str, str]:
    """The texts of a listing snapshot, keyed by the field name shown to reviewers."""
    texts = {}
    for name in SCREENED_FIELDS:
        value = payload.get(name)
        if value:
            texts[name] = str(value)
    for index, sku in enumerate(payload.get("skus") or []):
        for key, value in ((sku or {}).get("attributes") or {}).items():
            if value:
                texts[f"skus.{index}.attributes.{key}"] = str(value)
    return texts


def _version():
    from compliance.models import ScreeningRule

    # Rules are a handful of rows; counting the terms would grow with the lists.
    rules = ScreeningRule.objects.aggregate(n=Count("pk"), at=Max("updated_at"))
    return (rules["n"], rules["at"])


def lists_changed(rule_ids=None) -> None:
    """Mark the rule lists changed (all rules, or those named), so every process
    recompiles on its next screening."""
    from compliance.models import ScreeningRule

    rules = ScreeningRule.objects.all()
    if rule_ids is not None:
        rules = rules.filter(pk__in=list(rule_ids))
    rules.update(updated_at=timezone.now())


@receiver(post_save, sender="compliance.ScreeningTerm", dispatch_uid="screening_term_saved")
@receiver(post_delete, sender="compliance.ScreeningTerm", dispatch_uid="screening_term_deleted")
def _term_changed(sender, instance, raw=False, **kwargs):
    if not raw:  # fixtures load rows as they are
        lists_changed([instance.rule_id])


def _compile() -> CompiledRules:
    from compliance.models import ScreeningRule, ScreeningTerm

    rules = list(ScreeningRule.objects.filter(active=True))
    rule_names = {r.code: r.name for r in rules}
    rule_fields = {r.code: tuple(r.fields) for r in rules if r.fields}
    terms, skipped = [], []
    rows = ScreeningTerm.objects.filter(active=True, rule__active=True).select_related("rule")
    for row in rows.order_by("rule__sort_order", "pk"):
        try:
            term = Term(
                rule_code=row.rule.code,
                pattern=row.pattern,
                kind=row.kind,
                variants=tuple(row.variants or ()),
                exceptions=tuple(row.exceptions or ()),
            )
            Screener([term])  # a bad row must not take the whole screening down
        except (TypeError, ValueError) as exc:
            logger.warning("screening term %s skipped: %s", row.pk, exc)
            skipped.append(row.pk)
            continue
        terms.append(term)
    return CompiledRules(Screener(terms), rule_names, rule_fields, skipped)


def compiled_rules() -> CompiledRules:
    version = _version()
    compiled = _cached["compiled"]
    if compiled is not None and _cached["version"] == version:
        return compiled
    with _lock:
        if _cached["compiled"] is None or _cached["version"] != version:
            _cached["compiled"] = _compile()
            _cached["version"] = version
        return _cached["compiled"]


def forget_compiled() -> None:
    with _lock:
        _cached["compiled"] = None
        _cached["version"] = None


def screen_texts(texts: dict[str, str]) -> list[dict]:
    compiled = compiled_rules()
    return [
        {
            "field": field,
            "rule": hit.rule_code,
            "rule_name": compiled.rule_names.get(hit.rule_code, hit.rule_code),
            "term": hit.term,
            "text": hit.matched_text,
            "start": hit.start,
            "end": hit.end,
        }
        for field, hit in screen_fields(
            compiled.screener, texts, rule_fields=compiled.rule_fields
        )
    ]


def screen_listing(payload: dict) -> list[dict]:
    """Hits of a listing snapshot: {field, rule, rule_name, term, text, start, end}."""
    return screen_texts(listing_texts(payload))
