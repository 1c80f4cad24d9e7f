"""Money is CNY in Decimal with two places, built from str/Decimal, never float."""

from decimal import ROUND_HALF_UP, Decimal

from django.db import models

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


def to_money(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("money must not be built from float")
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def MoneyField(verbose_name=None, **kwargs):  # noqa: N802 - reads like a field class
    kwargs.setdefault("max_digits", 12)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(verbose_name, **kwargs)


def format_cny(value) -> str:
    return f"¥{to_money(value):,.2f}"


def to_places(value, places: Decimal) -> Decimal:
    """A non-money decimal (a rate, a share) rounded half up to `places` (e.g. 0.0001)."""
    if isinstance(value, float):
        raise TypeError("decimals must not be built from float")
    return Decimal(str(value)).quantize(places, rounding=ROUND_HALF_UP)
