"""Pure rules of the product lifecycle and the onboarding review. No ORM."""

# Product statuses: draft → in review → listed / rejected → delisted (and back).
PRODUCT_TRANSITIONS = {
    "draft": {"in_review"},
    "in_review": {"listed", "rejected", "draft"},
    "rejected": {"in_review"},
    "listed": {"delisted"},
    # A delisted product returns through review, or directly when the platform relists it
    # (e.g. after a new qualification is approved).
    "delisted": {"in_review", "listed"},
}

APPLICATION_TRANSITIONS = {
    "pending": {"approved", "rejected"},
    "rejected": {"pending"},
    "approved": set(),
}


def can_move(table: dict, current: str, new: str) -> bool:
    return new in table.get(current, set())


def attributes_key(attributes: dict) -> str:
    """Canonical key of a SKU's spec attributes: order-independent, whitespace-trimmed,
    so {"颜色": "红", "尺码": "M"} and {"尺码": "M ", "颜色": "红"} are the same SKU."""
    return "|".join(f"{k.strip()}={str(v).strip()}" for k, v in sorted(attributes.items()))


def listing_diff(current: dict, proposed: dict) -> list[tuple[str, object, object]]:
    """Fields that a change modifies: (field, listed value, proposed value)."""
    keys = sorted(set(current) | set(proposed))
    return [(k, current.get(k), proposed.get(k)) for k in keys if current.get(k) != proposed.get(k)]
