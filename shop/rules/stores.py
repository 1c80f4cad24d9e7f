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
