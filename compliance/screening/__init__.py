"""Listing screening: the matching engine (`engine`, no database), the runtime that compiles
the ScreeningRule/ScreeningTerm rows and screens listings (`runtime`), and the handbook's
seed lists (`seed`)."""

from compliance.screening.engine import (  # noqa: F401
    Hit,
    Screener,
    Term,
    TermError,
    normalize,
    normalize_with_spans,
    screen_fields,
)
