"""Pure rules of a store's status. No ORM.

A store opens when its application is approved. An application to close it that covers
every deposit still held puts it in `closing` (no new orders or listings during the
notice); withdrawing or rejecting that application, or refunding only part of the
deposits, opens it again; once every deposit is refunded it is `closed`, for good.
`shop.services.stores.store_transition` is the one writer of these moves."""

STORE_TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"closing"}),
    "closing": frozenset({"open", "closed"}),
    "closed": frozenset(),
}


# A change of a store's public profile (`shop.services.stores.
# store_profile_change_transition`): a reviewer approves or rejects it; a newer change by
# the merchant replaces one still waiting.
STORE_PROFILE_CHANGE_TRANSITIONS: dict[str, frozenset[str]] = {
    "pending": frozenset({"approved", "rejected", "replaced"}),
    "approved": frozenset(),
    "rejected": frozenset(),
    "replaced": frozenset(),
}


def store_profile_needs_review(*, renames: bool, hits) -> bool:
    """A profile change waits for a reviewer when it renames the store or the screening
    found something in it; otherwise it applies at once."""
    return bool(renames or hits)
