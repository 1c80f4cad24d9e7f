"""Validation, masking and test-data helpers for Chinese identity numbers.

Two identifiers matter for merchant onboarding:

* the 18-character resident identity number of a natural person (GB 11643-1999), used for
  individual merchants and legal representatives;
* the 18-character unified social credit code of an organisation (GB 32100-2015), printed
  on every business licence.

Everything here is pure (no ORM, no settings access at import time). Error messages are lazy
translations with English msgids; each ValidationError carries a stable ``code`` so callers and
tests can branch without rendering text.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta, timezone

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

__all__ = [
    "CREDIT_CODE_ALPHABET",
    "CREDIT_CODE_WEIGHTS",
    "RESIDENT_ID_WEIGHTS",
    "credit_code_check_char",
    "make_credit_code",
    "make_resident_id",
    "mask_id_number",
    "mask_middle",
    "resident_id_check_char",
    "resident_id_birth_date",
    "validate_resident_id",
    "validate_unified_social_credit_code",
]

# Birth dates are printed in China Standard Time; judging "in the future" by the server's own
# clock (often UTC) would refuse babies registered in the first hours of a Beijing day.
_CHINA_TZ = timezone(timedelta(hours=8), name="CST")

_MIN_BIRTH_DATE = date(1900, 1, 1)

# ---------------------------------------------------------------------------------------------
# Resident identity number (GB 11643-1999)
# ---------------------------------------------------------------------------------------------

# ISO 7064 MOD 11-2: the weight of position i (1-based, left to right) is 2**(18 - i) mod 11.
RESIDENT_ID_WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))
_RESIDENT_ID_CHECK_CHARS = "10X98765432"  # indexed by (weighted sum mod 11)

# First two digits: the province-level division that issued the number. 71 (Taiwan), 81 (Hong
# Kong) and 82 (Macao) also appear on residence permits; 83 is used for Taiwan residents'
# permits. Checking this catches pasted phone numbers or bank card fragments that happen to
# pass the checksum.
_PROVINCE_CODES = frozenset(
    {
        "11", "12", "13", "14", "15",
        "21", "22", "23",
        "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46",
        "50", "51", "52", "53", "54",
        "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    }
)  # fmt: skip


def _clean(value: object) -> str:
    """Undo what Chinese input methods commonly do to pasted numbers.

    NFKC folds full-width digits and letters (１２３Ｘ) to ASCII; surrounding whitespace comes
    from copy and paste. Inner whitespace is left in place so it is reported, not guessed away.
    """
    if value is None:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def resident_id_check_char(first17: str) -> str:
    """Return the MOD 11-2 check character for the first 17 digits of a resident ID."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("first17 must be exactly 17 ASCII digits")
    total = sum(int(ch) * w for ch, w in zip(first17, RESIDENT_ID_WEIGHTS, strict=True))
    return _RESIDENT_ID_CHECK_CHARS[total % 11]


def _today_in_china() -> date:
    return datetime.now(tz=_CHINA_TZ).date()


def resident_id_birth_date(value: str) -> date | None:
    """Return the birth date encoded in positions 7-14, or None if it is not a real date."""
    digits = value[6:14]
    if len(digits) != 8 or not digits.isascii() or not digits.isdigit():
        return None
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return None


def validate_resident_id(value: str, *, today: date | None = None) -> str:
    """Validate an 18-character PRC resident identity number and return it normalised.

    Normalisation: full-width characters folded to ASCII, surrounding whitespace removed and a
    lower-case check character ``x`` upper-cased. ``today`` exists for tests; by default the
    current date in China Standard Time is used.

    The old 15-digit numbers (withdrawn in 2013) are refused on purpose: they carry no check
    digit, so they cannot be verified.
    """
    cleaned = _clean(value)
    if not cleaned:
        raise ValidationError(_("Enter a resident identity number."), code="id_required")
    if len(cleaned) != 18:
        raise ValidationError(
            _("A resident identity number has 18 characters; this one has %(length)d."),
            code="id_length",
            params={"length": len(cleaned)},
        )
    cleaned = cleaned[:17] + cleaned[17].upper()
    body, check = cleaned[:17], cleaned[17]
    if not (body.isascii() and body.isdigit()) or not (
        check == "X" or (check.isascii() and check.isdigit())
    ):
        raise ValidationError(
            _(
                "A resident identity number contains only digits, "
                "except that the last character may be X."
            ),
            code="id_characters",
        )
    # The 2023-format permanent residence card for foreigners starts with 9 followed by the
    # province code of the issuing authority.
    province = body[1:3] if body[0] == "9" else body[:2]
    if province not in _PROVINCE_CODES:
        raise ValidationError(
            _("The first digits of this resident identity number are not a valid region code."),
            code="id_region",
        )
    birth = resident_id_birth_date(cleaned)
    if birth is None:
        raise ValidationError(
            _("The birth date in this resident identity number is not a real date."),
            code="id_birth_date",
        )
    if birth < _MIN_BIRTH_DATE or birth > (today or _today_in_china()):
        raise ValidationError(
            _("The birth date in this resident identity number is out of range."),
            code="id_birth_date_range",
        )
    if resident_id_check_char(body) != check:
        raise ValidationError(
            _(
                "This resident identity number is not valid (the check digit does not match). "
                "Please check it for typing mistakes."
            ),
            code="id_checksum",
        )
    return cleaned


def make_resident_id(birth: date, region: str = "110101", seq: str = "123") -> str:
    """Build a valid resident ID for tests and demo data.

    ``seq`` is the 3-digit sequence code; by convention its last digit is odd for men and even
    for women. The result is syntactically valid only; it identifies nobody.
    """
    if len(region) != 6 or not (region.isascii() and region.isdigit()):
        raise ValueError("region must be 6 ASCII digits")
    if len(seq) != 3 or not (seq.isascii() and seq.isdigit()):
        raise ValueError("seq must be 3 ASCII digits")
    body = f"{region}{birth:%Y%m%d}{seq}"
    return body + resident_id_check_char(body)


# ---------------------------------------------------------------------------------------------
# Unified social credit code (GB 32100-2015)
# ---------------------------------------------------------------------------------------------

# 31 symbols: the digits and the capitals without I, O, Z, S and V (too easily confused with
# 1, 0, 2, 5 and U when written by hand or OCR'd).
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_CODE_VALUES = {ch: i for i, ch in enumerate(CREDIT_CODE_ALPHABET)}
# Weight of position i (0-based) is 3**i mod 31.
CREDIT_CODE_WEIGHTS: tuple[int, ...] = tuple(pow(3, i, 31) for i in range(17))

# Position 1: the registration authority. 1 establishment administration, 2 foreign affairs,
# 3 justice, 4 culture, 5 civil affairs, 6 tourism, 7 religious affairs, 8 trade unions,
# 9 market regulation (companies and individual businesses - by far the most common here),
# A military establishment office, N agriculture, Y other.
_CREDIT_CODE_AUTHORITIES = frozenset("123456789ANY")


def credit_code_check_char(body17: str) -> str:
    """Return the check character for the first 17 characters of a credit code."""
    if len(body17) != 17 or any(ch not in _CREDIT_CODE_VALUES for ch in body17):
        raise ValueError("body17 must be 17 characters from CREDIT_CODE_ALPHABET")
    total = sum(
        _CREDIT_CODE_VALUES[ch] * w for ch, w in zip(body17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def validate_unified_social_credit_code(value: str) -> str:
    """Validate an 18-character unified social credit code and return it upper-cased.

    Checked: length, alphabet, registration authority (position 1), entity type is a digit
    1-9 (position 2), administrative division is six digits (positions 3-8) and the check
    character (position 18). The embedded organisation code (positions 9-17) is not checked
    against GB 11714 because codes issued to individual businesses do not always follow it.
    """
    cleaned = _clean(value).upper()
    if not cleaned:
        raise ValidationError(_("Enter a unified social credit code."), code="credit_code_required")
    if len(cleaned) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(length)d."),
            code="credit_code_length",
            params={"length": len(cleaned)},
        )
    if any(ch not in _CREDIT_CODE_VALUES for ch in cleaned):
        raise ValidationError(
            _(
                "A unified social credit code contains only digits and capital letters, "
                "and never the letters I, O, Z, S or V."
            ),
            code="credit_code_characters",
        )
    if cleaned[0] not in _CREDIT_CODE_AUTHORITIES or cleaned[1] not in "123456789":
        raise ValidationError(
            _(
                "The first two characters of this unified social credit code are not a valid "
                "registration authority and entity type."
            ),
            code="credit_code_entity",
        )
    if not cleaned[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code must be a region code."),
            code="credit_code_region",
        )
    if credit_code_check_char(cleaned[:17]) != cleaned[17]:
        raise ValidationError(
            _(
                "This unified social credit code is not valid (the check character does not "
                "match). Please check it for typing mistakes."
            ),
            code="credit_code_checksum",
        )
    return cleaned


def make_credit_code(body17: str) -> str:
    """Append the check character to 17 characters, for tests and demo data.

    Only the alphabet and length are enforced, so tests can also build codes that are
    deliberately wrong in other positions.
    """
    body = body17.upper()
    return body + credit_code_check_char(body)


# ---------------------------------------------------------------------------------------------
# Masking for display
# ---------------------------------------------------------------------------------------------


def mask_middle(
    value: object, keep_start: int = 3, keep_end: int = 4, *, mask_char: str = "*"
) -> str:
    """Replace the middle of ``value`` with ``mask_char``, keeping the length.

    The defaults suit an 11-digit mobile number (138****5678). Short values never come back
    unmasked: at least a third of the characters (and at least one) are always hidden, taking
    characters off the end first, so a two-character name becomes 张*.
    """
    if keep_start < 0 or keep_end < 0:
        raise ValueError("keep_start and keep_end must not be negative")
    text = "" if value is None else str(value).strip()
    length = len(text)
    if not length:
        return ""
    max_kept = length - max(1, -(-length // 3))
    while keep_start + keep_end > max_kept:
        if keep_end >= keep_start and keep_end > 0:
            keep_end -= 1
        else:
            keep_start -= 1
    hidden = length - keep_start - keep_end
    return text[:keep_start] + mask_char * hidden + (text[length - keep_end :] if keep_end else "")


def mask_id_number(
    value: object, keep_start: int = 6, keep_end: int = 4, *, mask_char: str = "*"
) -> str:
    """Mask an identity number or credit code for public display: 110101********1234.

    The value is only tidied (full-width folded, whitespace stripped, upper-cased), never
    validated, so even a malformed number stored by mistake is not leaked in full.
    """
    return mask_middle(_clean(value).upper(), keep_start, keep_end, mask_char=mask_char)
