"""Flash-sale rules: pure functions and tables, no ORM."""

from datetime import datetime, timedelta
from decimal import Decimal

SCHEDULED, RUNNING, ENDED, CANCELLED = "scheduled", "running", "ended", "cancelled"

# The one table of allowed moves (common.workflows).
FLASH_SALE_TRANSITIONS = {
    SCHEDULED: {RUNNING, CANCELLED},
    RUNNING: {ENDED},
    ENDED: set(),
    CANCELLED: set(),
}

# Statuses in which a sale holds its product's SKUs (no other sale may overlap it).
HOLDING = (SCHEDULED, RUNNING)

STOCK_HOLDER = "flash_sale"  # OrderLine.stock_held_by for flash units


def duration_problem(duration: timedelta, *, min_minutes: int, max_minutes: int) -> str:
    """"" when the duration is allowed, else "too_short" / "too_long" (bounds included)."""
    if duration < timedelta(minutes=min_minutes):
        return "too_short"
    if duration > timedelta(minutes=max_minutes):
        return "too_long"
    return ""


def flash_price_problem(flash_price: Decimal, regular_price: Decimal) -> str:
    """"" when the flash price is above zero and below the SKU's regular price."""
    if flash_price <= 0:
        return "not_positive"
    if flash_price >= regular_price:
        return "not_below_regular"
    return ""


def windows_overlap(a_start: datetime, a_end: datetime, b_start: datetime,
                    b_end: datetime) -> bool:
    """Half-open windows [start, end): one ending when the other starts does not overlap."""
    return a_start < b_end and b_start < a_end


def flash_units_to_take(requested: int, available: int) -> int:
    """What the start moves from a SKU: what was asked, or all there is when less."""
    return max(min(requested, available), 0)


def unsold_units(stock: int, sold: int, returned: int) -> int:
    return max(stock - sold - returned, 0)
