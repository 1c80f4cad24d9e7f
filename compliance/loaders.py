"""Loading the compliance reference data (qualification types, category tree, screening
rule lists) from the seed modules. Idempotent, by code: rows that exist are left as the
reviewers edited them, unless `update=True` asks to reset them to the seed."""

from decimal import Decimal

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from compliance.enforcement.models import ViolationType
from compliance.enforcement.seed import seed_violation_types
from compliance.models import Category, QualificationType, ScreeningRule, ScreeningTerm
from compliance.screening import seed as screening_seed
from compliance.seed_data import CATEGORY_TREE, QUALIFICATION_TYPES, flatten_category_tree


def _type_values(row):
    return {
        "name": row["name_zh"],
        "name_en": row["name_en"],
        "description": row["description_zh"],
        "publicly_displayed": row["publicly_displayed"],
        "requires_number": row["requires_number"],
        "extra_fields": list(row["extra_fields"]),
        "max_age_days": row["max_age_days"],
    }


def _category_values(node):
    def dec(value):
        return None if value is None else Decimal(value)

    return {
        "name": node["name_zh"],
        "name_en": node["name_en"],
        "level": node["level"],
        "status": node["status"] or "",
        "deposit_standard": dec(node["deposit_standard"]),
        "deposit_industry_base": dec(node["deposit_industry_base"]),
        "invitation_only": node["invitation_only"],
        "service_fee_rate": dec(node["service_fee_rate"]),
        "seven_day_return": node["seven_day_return"],
        "lightning_purchase": node["lightning_purchase"],
        "lightning_base_only": node["lightning_base_only"],
        # The seed's False means "not set here": blank inherits from the parent.
        "prepackaged_food": True if node["prepackaged_food"] else None,
    }


@transaction.atomic
def load_qualification_types(*, update: bool = False) -> int:
    existing = {t.code: t for t in QualificationType.objects.all()}
    created = []
    for row in QUALIFICATION_TYPES:
        values = _type_values(row)
        obj = existing.get(row["code"])
        if obj is None:
            created.append(QualificationType(code=row["code"], **values))
        elif update:
            for key, value in values.items():
                setattr(obj, key, value)
            obj.save()
    bulk_create_with_history(created, QualificationType)
    return len(created)


@transaction.atomic
def load_categories(*, update: bool = False, tree=None) -> int:
    """Create the category tree (parents first) and its required qualifications.
    Returns how many categories were created."""
    load_qualification_types(update=update)
    types = dict(QualificationType.objects.values_list("code", "pk"))
    flat = flatten_category_tree(CATEGORY_TREE if tree is None else tree)
    by_code = {c.code: c for c in Category.objects.all()}
    created_count = 0
    for level in (1, 2, 3):
        nodes = [n for n in flat if n["level"] == level]
        new = []
        for order, node in enumerate(nodes):
            values = _category_values(node)
            obj = by_code.get(node["code"])
            parent = by_code[node["parent_code"]] if node["parent_code"] else None
            if obj is None:
                new.append(Category(code=node["code"], parent=parent, sort_order=order, **values))
            elif update:
                for key, value in values.items():
                    setattr(obj, key, value)
                obj.parent = parent
                obj.save()
                obj.required_qualifications.set(types[q] for q in node["qualifications"])
        bulk_create_with_history(new, Category)
        # bulk_create_with_history does not return primary keys on every database.
        fresh = Category.objects.in_bulk([c.code for c in new], field_name="code")
        by_code.update(fresh)
        through = Category.required_qualifications.through
        through.objects.bulk_create(
            through(category_id=fresh[n["code"]].pk, qualificationtype_id=types[q])
            for n in nodes
            if n["code"] in fresh
            for q in n["qualifications"]
        )
        created_count += len(new)
    return created_count


@transaction.atomic
def load_screening_rules(*, update: bool = False) -> int:
    """Create the screening rule lists; returns how many terms were created."""
    rules = {r.code: r for r in ScreeningRule.objects.all()}
    for order, row in enumerate(screening_seed.RULES):
        values = {
            "name": row["name_zh"],
            "name_en": row["name_en"],
            "description": row["description_zh"],
            "fields": list(_rule_fields(row["code"])),
            "sort_order": order,
        }
        rule = rules.get(row["code"])
        if rule is None:
            rules[row["code"]] = ScreeningRule.objects.create(code=row["code"], **values)
        elif update:
            for key, value in values.items():
                setattr(rule, key, value)
            rule.save()
    existing = {
        (t.rule_id, t.kind, t.pattern): t for t in ScreeningTerm.objects.all()
    }
    new = []
    for row in screening_seed.TERMS:
        rule = rules[row["rule_code"]]
        key = (rule.pk, row["kind"], row["pattern"])
        values = {"variants": list(row["variants"]), "exceptions": list(row["exceptions"])}
        term = existing.get(key)
        if term is None:
            new.append(ScreeningTerm(rule=rule, kind=row["kind"], pattern=row["pattern"], **values))
            existing[key] = new[-1]
        elif update:
            term.variants, term.exceptions = values["variants"], values["exceptions"]
            term.save()
    bulk_create_with_history(new, ScreeningTerm)
    if new:  # bulk_create sends no post_save: tell the compiled screeners
        from compliance.screening.runtime import lists_changed

        lists_changed({term.rule_id for term in new})
    return len(new)


def _rule_fields(code):
    # The seed names the cover caption fields; the listing payload calls it image_caption.
    scopes = screening_seed.RULE_FIELDS.get(code)
    if not scopes:
        return ()
    return tuple(dict.fromkeys(("image_caption", *scopes)))


def load_violation_types() -> int:
    """The violation types the platform starts with, where missing (reference data)."""
    return seed_violation_types(ViolationType)
