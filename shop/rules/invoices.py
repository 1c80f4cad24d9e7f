"""Pure rules of invoices (发票). No ORM.

A buyer asks for an invoice when ordering (title, taxpayer number); once the order is
paid the request waits for the merchant, who issues it for the amount actually paid —
what was paid less what was refunded — by uploading the e-invoice PDF or entering its
number. A refund after that makes the issued invoice wrong: it needs a red-letter
correction (红冲), after which a new invoice is issued for the new amount (reissued), or
none when everything was refunded (corrected). A request whose order is refunded in full
before issue is not needed. `shop.services.invoices.invoice_transition` is the one
writer of these moves."""

import re
from decimal import Decimal

from common.money import to_money

INVOICE_TRANSITIONS: dict[str, frozenset[str]] = {
    "requested": frozenset({"issued", "not_needed"}),
    "issued": frozenset({"correction_needed"}),
    "correction_needed": frozenset({"corrected", "reissued"}),
    "reissued": frozenset({"correction_needed"}),
    "corrected": frozenset(),
    "not_needed": frozenset(),
}
INVOICE_STATUSES = tuple(INVOICE_TRANSITIONS)
# Waiting for the merchant: the to-do of the invoice list and the dashboard.
INVOICE_TO_DO = ("requested", "correction_needed")
# An invoice that stands as issued: a refund now makes it wrong.
INVOICE_STANDING = ("issued", "reissued")

# Paper invoices have 8-digit numbers, fully digital ones (数电发票) 20 digits.
INVOICE_NUMBER_RE = re.compile(r"^\d{8,20}$")

ZERO = Decimal("0.00")


def invoice_amount(paid: Decimal, refunded: Decimal) -> Decimal:
    """What an invoice is issued for: the amount actually paid, after refunds."""
    return to_money(max(Decimal(paid) - Decimal(refunded), ZERO))


def invoice_after_refund(status: str, issued_amount: Decimal, amount_now: Decimal) -> str | None:
    """The move a refund of the order causes, or None: a request for an order refunded in
    full is not needed; an invoice issued for more than is now paid needs a correction."""
    if status == "requested" and amount_now <= ZERO:
        return "not_needed"
    if status in INVOICE_STANDING and amount_now != issued_amount:
        return "correction_needed"
    return None


def invoice_after_correction(amount_now: Decimal) -> str:
    """After the red-letter invoice: a new one for what is still paid, or none."""
    return "reissued" if amount_now > ZERO else "corrected"
