"""Pure rules of the product lifecycle and its reviews. No ORM."""

# Product statuses: draft → in review → listed / rejected → delisted (and back).
# `shop.services.products.product_transition` is the one writer of these moves.
PRODUCT_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"in_review"}),
    "in_review": frozenset({"listed", "rejected", "draft"}),
    "rejected": frozenset({"in_review"}),
    "listed": frozenset({"delisted"}),
    # A delisted product returns through review, or directly when the platform relists it
    # (e.g. after a new qualification is approved).
    "delisted": frozenset({"in_review", "listed"}),
}

# Revision statuses (the version a reviewer judges): a change to a listed product is kept
# as a draft until the merchant submits it; a first listing is submitted at once. A
# decision is final: the next change is a new revision. A draft change of a product that
# was delisted meanwhile is withdrawn when the merchant submits the product again (the
# delisted product is edited in place). `shop.services.products.product_revision_transition`
# is the one writer.
REVISION_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"in_review", "withdrawn"}),
    "in_review": frozenset({"approved", "rejected"}),
    "approved": frozenset(),
    "rejected": frozenset(),
    "withdrawn": frozenset(),
}


def can_move(table: dict, current: str, new: str) -> bool:
    return new in table.get(current, frozenset())


def attributes_key(attributes: dict) -> str:
    """Canonical key of a SKU's spec attributes: order-independent, whitespace-trimmed,
    so {"颜色": "红", "尺码": "M"} and {"尺码": "M ", "颜色": "红"} are the same SKU."""
    return "|".join(f"{k.strip()}={str(v).strip()}" for k, v in sorted(attributes.items()))


def listing_diff(current: dict, proposed: dict) -> list[tuple[str, object, object]]:
    """Fields that a change modifies: (field, listed value, proposed value)."""
    keys = sorted(set(current) | set(proposed))
    return [(k, current.get(k), proposed.get(k)) for k in keys if current.get(k) != proposed.get(k)]
