"""Resident IDs (GB 11643-1999), unified social credit codes (GB 32100-2015) and masking."""

import os
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from shop.identity import (
    CREDIT_CODE_ALPHABET,
    credit_code_check_char,
    make_credit_code,
    make_resident_id,
    mask_id_number,
    mask_middle,
    resident_id_check_char,
    validate_resident_id,
    validate_unified_social_credit_code,
)

TODAY = date(2025, 6, 1)

# Reference implementations written straight from the standards' tables, independent of the
# module's derived weights, so a wrong formula there cannot also make these tests pass.
_GB11643_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_GB32100_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def reference_id_check(body17: str) -> str:
    remainder = sum(int(c) * w for c, w in zip(body17, _GB11643_WEIGHTS, strict=True)) % 11
    return "10X98765432"[remainder]


def reference_credit_check(body17: str) -> str:
    total = sum(
        CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(body17, _GB32100_WEIGHTS, strict=True)
    )
    value = 31 - total % 31
    return CREDIT_CODE_ALPHABET[0 if value == 31 else value]


@pytest.fixture
def english():
    """Render lazy messages in English, with pytest-django's settings or without any."""
    if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
        settings.configure(USE_I18N=False)
    with translation.override("en"):
        yield


def error_code(func, value, **kwargs):
    with pytest.raises(ValidationError) as caught:
        func(value, **kwargs)
    return caught.value.code


# --------------------------------------------------------------------------- resident IDs

# Published example numbers from the standard's annex, plus numbers built by hand with the
# reference check above.
KNOWN_VALID_IDS = [
    "11010519491231002X",
    make_resident_id(date(1990, 3, 7), "110101", "001"),
    "440305199912310038",
    "650102200002290028",
    "310104198001011239",
]


@pytest.mark.parametrize("value", KNOWN_VALID_IDS)
def test_known_valid_resident_ids(value):
    assert reference_id_check(value[:17]) == value[17]
    assert validate_resident_id(value, today=TODAY) == value


@pytest.mark.parametrize(
    ("birth", "region", "seq"),
    [
        (date(1900, 1, 1), "110101", "001"),
        (date(1949, 10, 1), "320102", "123"),
        (date(2000, 2, 29), "440305", "456"),
        (date(1999, 12, 31), "510104", "999"),
        (date(2024, 2, 29), "820000", "000"),
        (TODAY, "650102", "321"),
    ],
)
def test_generated_resident_ids_are_valid(birth, region, seq):
    value = make_resident_id(birth, region=region, seq=seq)
    assert len(value) == 18
    assert value.startswith(f"{region}{birth:%Y%m%d}{seq}")
    assert value[17] == reference_id_check(value[:17])
    assert validate_resident_id(value, today=TODAY) == value


def test_default_today_accepts_recent_birth_dates():
    assert validate_resident_id(make_resident_id(date(2020, 1, 1)))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("11010519491231002x", "11010519491231002X"),
        ("  11010519491231002X\n", "11010519491231002X"),
        # Full-width digits and Ｘ, as typed with a Chinese input method.
        ("".join(chr(ord(c) + 0xFEE0) for c in "11010519491231002X"), "11010519491231002X"),
    ],
)
def test_resident_id_is_normalised(raw, expected):
    assert validate_resident_id(raw, today=TODAY) == expected


def _wrong_check_chars(value):
    return [c for c in "0123456789X" if c != value[17]]


@pytest.mark.parametrize("wrong", _wrong_check_chars("11010519491231002X"))
def test_wrong_check_digit(wrong):
    assert error_code(validate_resident_id, "11010519491231002" + wrong, today=TODAY) == (
        "id_checksum"
    )


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "id_required"),
        ("   ", "id_required"),
        (None, "id_required"),
        ("1101051949123100", "id_length"),
        ("11010519491231002", "id_length"),  # check digit missing
        ("11010519491231002X0", "id_length"),
        ("110105491231002", "id_length"),  # withdrawn 15-digit format
        ("11010519491231002A", "id_characters"),
        ("1101051949123100X2", "id_characters"),  # X only allowed last
        ("110105I9491231002X", "id_characters"),
        ("110105 9491231002X", "id_characters"),
        ("11010519491231002-", "id_characters"),
        ("11010519491231002\u0663", "id_characters"),  # Arabic-Indic digit three
        ("01010519491231002X", "id_region"),
    ],
)
def test_malformed_resident_ids(value, code):
    assert error_code(validate_resident_id, value, today=TODAY) == code


def _with_check(body17: str) -> str:
    return body17 + reference_id_check(body17)


@pytest.mark.parametrize(
    "birth",
    ["19900230", "20230229", "19000229", "19901301", "19900001", "19900100", "19900431"],
)
def test_impossible_birth_dates(birth):
    # The check digit is right, so the date is the only fault.
    value = _with_check(f"110101{birth}123")
    assert error_code(validate_resident_id, value, today=TODAY) == "id_birth_date"


@pytest.mark.parametrize(
    "birth",
    ["18991231", "18800101", "20250602", "20991231"],
)
def test_birth_dates_out_of_range(birth):
    value = _with_check(f"110101{birth}123")
    assert error_code(validate_resident_id, value, today=TODAY) == "id_birth_date_range"


def test_standard_example_born_1880_has_valid_check_but_is_out_of_range():
    assert resident_id_check_char("44052418800101001") == "4"
    assert error_code(validate_resident_id, "440524188001010014", today=TODAY) == (
        "id_birth_date_range"
    )


def test_birth_today_is_accepted():
    value = make_resident_id(TODAY)
    assert validate_resident_id(value, today=TODAY) == value


@pytest.mark.parametrize("region", ["911101", "944030"])
def test_foreigner_permanent_residence_numbers_are_accepted(region):
    value = make_resident_id(date(1985, 5, 5), region=region)
    assert validate_resident_id(value, today=TODAY) == value


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("123", "id_length", "18 characters; this one has 3"),
        ("11010519491231002A", "id_characters", "only digits"),
        (_with_check("11010119900230123"), "id_birth_date", "birth date"),
        ("110105194912310021", "id_checksum", "check digit"),
    ],
)
def test_resident_id_messages_say_what_is_wrong(english, value, code, fragment):
    with pytest.raises(ValidationError) as caught:
        validate_resident_id(value, today=TODAY)
    assert caught.value.code == code
    assert fragment in caught.value.messages[0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"region": "11010"}, "region"),
        ({"region": "11010a"}, "region"),
        ({"seq": "12"}, "seq"),
        ({"seq": "1234"}, "seq"),
    ],
)
def test_make_resident_id_rejects_bad_parts(kwargs, message):
    with pytest.raises(ValueError, match=message):
        make_resident_id(date(1990, 1, 1), **kwargs)


@hsettings(max_examples=200, deadline=None)
@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    seq=st.from_regex(r"[0-9]{3}", fullmatch=True),
)
def test_property_generated_ids_validate(birth, seq):
    value = make_resident_id(birth, seq=seq)
    assert value[17] == reference_id_check(value[:17])
    assert validate_resident_id(value, today=TODAY) == value


@hsettings(max_examples=300, deadline=None)
@given(
    birth=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    position=st.integers(min_value=0, max_value=16),
    replacement=st.sampled_from("0123456789"),
)
def test_property_any_single_digit_typo_is_refused(birth, position, replacement):
    value = make_resident_id(birth)
    typo = value[:position] + replacement + value[position + 1 :]
    if typo == value:
        return
    # MOD 11-2 detects every single substitution, so the check digit never matches; the
    # typo may also be caught earlier as a bad region or date.
    assert resident_id_check_char(typo[:17]) != typo[17]
    with pytest.raises(ValidationError):
        validate_resident_id(typo, today=TODAY)


# --------------------------------------------------------------------- credit codes

KNOWN_VALID_CODES = [
    "91350100M000100Y43",  # example printed in GB 32100-2015
    "91110000600037341L",
    "91440300708461136T",
]


@pytest.mark.parametrize("value", KNOWN_VALID_CODES)
def test_known_valid_credit_codes(value):
    assert reference_credit_check(value[:17]) == value[17]
    assert validate_unified_social_credit_code(value) == value


@pytest.mark.parametrize(
    "body17",
    [
        "91110108MA01ABCDE",
        "92330106MA2H1234X",  # individual business (个体工商户)
        "93510100MA6C00001",  # farmers' cooperative
        "12100000400000012",  # public institution
        "51100000500000001",  # social organisation
        "Y1440300MA5FXXXXX",
        "N2330100000000000",
        "31110000400000000",
    ],
)
def test_generated_credit_codes_are_valid(body17):
    value = make_credit_code(body17)
    assert value[:17] == body17
    assert value[17] == reference_credit_check(body17)
    assert validate_unified_social_credit_code(value) == value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("91350100m000100y43", "91350100M000100Y43"),
        (" 91350100M000100Y43 ", "91350100M000100Y43"),
        ("".join(chr(ord(c) + 0xFEE0) for c in "91350100M000100Y43"), "91350100M000100Y43"),
    ],
)
def test_credit_code_is_normalised(raw, expected):
    assert validate_unified_social_credit_code(raw) == expected


@pytest.mark.parametrize("wrong", [c for c in CREDIT_CODE_ALPHABET if c != "3"])
def test_credit_code_wrong_check_char(wrong):
    value = "91350100M000100Y4" + wrong
    assert error_code(validate_unified_social_credit_code, value) == "credit_code_checksum"


@pytest.mark.parametrize("letter", list("IOZSV"))
@pytest.mark.parametrize("position", [8, 12, 17])
def test_credit_code_forbidden_letters(letter, position):
    value = "91350100M000100Y43"
    value = value[:position] + letter + value[position + 1 :]
    assert error_code(validate_unified_social_credit_code, value) == "credit_code_characters"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "credit_code_required"),
        (None, "credit_code_required"),
        ("91350100M000100Y4", "credit_code_length"),
        ("91350100M000100Y433", "credit_code_length"),
        ("350100400012345", "credit_code_length"),  # old 15-digit registration number
        ("91350100-000100Y43", "credit_code_characters"),
        ("91350100M000100Y4\u00e9", "credit_code_characters"),
        (make_credit_code("B1350100M000100Y4"), "credit_code_entity"),  # unknown authority
        (make_credit_code("90350100M000100Y4"), "credit_code_entity"),  # entity type 0
        (make_credit_code("9A350100M000100Y4"), "credit_code_entity"),
        (make_credit_code("9135A100M000100Y4"), "credit_code_region"),
    ],
)
def test_malformed_credit_codes(value, code):
    assert error_code(validate_unified_social_credit_code, value) == code


def test_credit_code_check_char_31_wraps_to_zero():
    # Find a body whose weighted sum is a multiple of 31 and confirm it maps to "0".
    for tail in range(10_000):
        body = f"911101080000{tail:05d}"
        if reference_credit_check(body) == "0":
            assert credit_code_check_char(body) == "0"
            assert validate_unified_social_credit_code(body + "0") == body + "0"
            return
    pytest.fail("no body with check character 0 found")


@pytest.mark.parametrize("bad", ["9135010", "91350100M000100YI", "91350100M000100Y4-"])
def test_make_credit_code_rejects_bad_bodies(bad):
    with pytest.raises(ValueError):
        make_credit_code(bad)


@pytest.mark.parametrize(
    ("value", "code", "fragment"),
    [
        ("91350100M000100Y4", "credit_code_length", "18 characters; this one has 17"),
        ("91350100M000100I43", "credit_code_characters", "I, O, Z, S or V"),
        ("91350100M000100Y44", "credit_code_checksum", "check character"),
    ],
)
def test_credit_code_messages_say_what_is_wrong(english, value, code, fragment):
    with pytest.raises(ValidationError) as caught:
        validate_unified_social_credit_code(value)
    assert caught.value.code == code
    assert fragment in caught.value.messages[0]


_body_strategy = st.tuples(
    st.sampled_from("9"),
    st.sampled_from("123"),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.text(alphabet=CREDIT_CODE_ALPHABET, min_size=9, max_size=9),
).map("".join)


@hsettings(max_examples=200, deadline=None)
@given(body=_body_strategy)
def test_property_generated_credit_codes_validate(body):
    value = make_credit_code(body)
    assert value[17] == reference_credit_check(body)
    assert validate_unified_social_credit_code(value) == value


@hsettings(max_examples=300, deadline=None)
@given(
    body=_body_strategy,
    position=st.integers(min_value=0, max_value=16),
    replacement=st.sampled_from(CREDIT_CODE_ALPHABET),
)
def test_property_any_single_character_typo_changes_the_check(body, position, replacement):
    typo = body[:position] + replacement + body[position + 1 :]
    if typo == body:
        return
    # 31 is prime and no weight is 0 mod 31, so every substitution moves the sum.
    assert credit_code_check_char(typo) != credit_code_check_char(body)
    with pytest.raises(ValidationError):
        validate_unified_social_credit_code(typo + credit_code_check_char(body))


# ------------------------------------------------------------------------------ masking


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        ("110101199003071234", {}, "110101********1234"),
        ("11010519491231002x", {}, "110105********002X"),
        ("91350100M000100Y43", {}, "913501********0Y43"),
        (" 110101199003071234 ", {}, "110101********1234"),
        ("110101199003071234", {"keep_start": 1, "keep_end": 1}, "1****************4"),
        ("110101199003071234", {"keep_start": 0, "keep_end": 0}, "*" * 18),
        ("110101199003071234", {"mask_char": "•"}, "110101••••••••1234"),
        ("1234", {}, "1**4"),  # too short to keep 6 + 4: never shown in full
        ("", {}, ""),
        (None, {}, ""),
    ],
)
def test_mask_id_number(value, kwargs, expected):
    assert mask_id_number(value, **kwargs) == expected


@pytest.mark.parametrize(
    ("value", "args", "expected"),
    [
        ("13812345678", (), "138****5678"),
        ("abcdefgh", (2, 2), "ab****gh"),
        ("张三", (), "张*"),
        ("欧阳娜", (), "欧*娜"),
        ("欧阳娜", (1, 0), "欧**"),
        ("a", (), "*"),
        ("ab", (5, 5), "a*"),
        ("", (), ""),
        (None, (), ""),
        (12345678901, (), "123****8901"),
    ],
)
def test_mask_middle(value, args, expected):
    assert mask_middle(value, *args) == expected


@pytest.mark.parametrize("args", [(-1, 2), (2, -1)])
def test_mask_middle_rejects_negative_keeps(args):
    with pytest.raises(ValueError):
        mask_middle("13812345678", *args)


@hsettings(max_examples=200, deadline=None)
@given(
    value=st.text(min_size=1, max_size=40).map(str.strip).filter(lambda v: v and "\x00" not in v),
    keep_start=st.integers(min_value=0, max_value=50),
    keep_end=st.integers(min_value=0, max_value=50),
)
def test_property_masking_keeps_length_and_always_hides_something(value, keep_start, keep_end):
    masked = mask_middle(value, keep_start, keep_end, mask_char="\x00")
    assert len(masked) == len(value)
    hidden = masked.count("\x00")
    assert hidden >= max(1, -(-len(value) // 3))
