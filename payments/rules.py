"""The payment workflow as a table (pure, no ORM).

A payment is pending until the provider answers. Money going out (a refund, a payout)
settles once: succeeded or failed. Money coming in may be reported failed and then arrive
after all (a provider retries, a bank confirms late): failed → succeeded is allowed for
pay-ins only, so that money that arrived is never dropped; the purpose's handler decides
whether to apply it or send it back."""

PAYMENT, REFUND, PAYOUT = "payment", "refund", "payout"
PENDING, SUCCEEDED, FAILED = "pending", "succeeded", "failed"

PAYMENT_TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    PAYMENT: {
        PENDING: frozenset({SUCCEEDED, FAILED}),
        FAILED: frozenset({SUCCEEDED}),
        SUCCEEDED: frozenset(),
    },
    REFUND: {PENDING: frozenset({SUCCEEDED, FAILED}), FAILED: frozenset(),
             SUCCEEDED: frozenset()},
    PAYOUT: {PENDING: frozenset({SUCCEEDED, FAILED}), FAILED: frozenset(),
             SUCCEEDED: frozenset()},
}


def payment_can_move(kind: str, from_status: str, to_status: str) -> bool:
    return to_status in PAYMENT_TRANSITIONS.get(kind, {}).get(from_status, frozenset())


def payment_frees_key(kind: str, to_status: str) -> bool:
    """A refund or payout that failed moved nothing: its idempotency key is given up so
    the caller may try again under the same key."""
    return kind in (REFUND, PAYOUT) and to_status == FAILED
