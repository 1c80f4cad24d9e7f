"""The pure rules of a qualification's details: the brand authorisation chain, the
cosmetics filing kind and origin, the customs papers (same batch, each issued within a
year), normalisation and the dates that drive the expiry clock. No database."""

from datetime import date, timedelta

import pytest

from compliance import rules
from compliance.seed_data import QUALIFICATION_TYPES

TODAY = date(2026, 3, 1)
STORE = "杭州好货商贸有限公司"
HOLDER = "上海美丽日化有限公司"
AGENT = "浙江华东品牌代理有限公司"
DEALER = "宁波甬城贸易有限公司"
LATER = "2027-06-30"


def link(authoriser, authorised, valid_until=LATER):
    return {"authoriser": authoriser, "authorised": authorised, "valid_until": valid_until}


def brand(*links, holder=HOLDER, name="美丽牌"):
    return {"brand_name": name, "trademark_holder": holder, "authorisation_chain": list(links)}


def customs(**overrides):
    details = {
        "declaration_number": "310120260000123456",
        "declaration_batch_number": "B2026-0117",
        "declaration_issued_on": "2026-01-10",
        "inspection_certificate_number": "310000126000012",
        "inspection_batch_number": "B2026-0117",
        "inspection_issued_on": "2026-01-15",
    }
    details.update(overrides)
    return {k: v for k, v in details.items() if v is not None}


def problems(type_code, details, *, registered_name=STORE, today=TODAY, max_age_days=None):
    found = rules.qualification_details_problems(
        type_code, rules.qualification_details_normalised(type_code, details),
        registered_name=registered_name, today=today, max_age_days=max_age_days,
    )
    return [(p.code, p.field) for p in found]


CHAIN = "authorisation_chain"

BRAND_CASES = [
    ("holder authorises the store directly", brand(link(HOLDER, STORE)), []),
    ("three levels down to the store",
     brand(link(HOLDER, AGENT), link(AGENT, DEALER), link(DEALER, STORE)), []),
    ("a link valid until today still counts", brand(link(HOLDER, STORE, "2026-03-01")), []),
    ("names compared without spaces, width or case",
     brand(link("ACME（中国）有限公司", "杭州 好货商贸有限公司"), holder="acme(中国)有限公司"), []),
    ("own brand: the store holds the trademark, no chain", brand(holder=STORE), []),
    ("no chain and the holder is someone else", brand(), [("chain_missing", CHAIN)]),
    ("brand name and holder missing", brand(link(HOLDER, STORE), holder="", name=""),
     [("missing", "brand_name"), ("missing", "trademark_holder")]),
    ("first link not granted by the holder", brand(link(AGENT, STORE)),
     [("chain_start", f"{CHAIN}.0.authoriser")]),
    ("a gap in the middle", brand(link(HOLDER, AGENT), link(DEALER, STORE)),
     [("chain_gap", f"{CHAIN}.1.authoriser")]),
    ("the chain ends elsewhere than the store", brand(link(HOLDER, AGENT), link(AGENT, DEALER)),
     [("chain_end", f"{CHAIN}.1.authorised")]),
    ("a link expired yesterday", brand(link(HOLDER, AGENT), link(AGENT, STORE, "2026-02-28")),
     [("chain_link_expired", f"{CHAIN}.1.valid_until")]),
    ("a link with no end date", brand(link(HOLDER, AGENT), link(AGENT, STORE, "")),
     [("chain_link_incomplete", f"{CHAIN}.1.valid_until")]),
    ("a link without the party it authorises",
     brand(link(HOLDER, ""), link(AGENT, STORE)),
     # continuity is not judged while a link is half filled in
     [("chain_link_incomplete", f"{CHAIN}.0.authorised")]),
    ("an end date that is not a date", brand(link(HOLDER, STORE, "next year")),
     [("invalid_date", f"{CHAIN}.0.valid_until")]),
    ("a loop back to the holder",
     brand(link(HOLDER, AGENT), link(AGENT, HOLDER), link(HOLDER, STORE)),
     [("chain_loop", f"{CHAIN}.1.authorised")]),
    ("a party authorising itself", brand(link(HOLDER, HOLDER), link(HOLDER, STORE)),
     [("chain_loop", f"{CHAIN}.0.authorised")]),
    ("several problems are all named",
     brand(link(AGENT, DEALER, "2025-12-31"), link(HOLDER, AGENT)),
     [("chain_link_expired", f"{CHAIN}.0.valid_until"), ("chain_start", f"{CHAIN}.0.authoriser"),
      ("chain_gap", f"{CHAIN}.1.authoriser"), ("chain_end", f"{CHAIN}.1.authorised")]),
]


@pytest.mark.parametrize("details,expected", [c[1:] for c in BRAND_CASES],
                         ids=[c[0] for c in BRAND_CASES])
def test_brand_authorisation_chain(details, expected):
    assert problems("brand_authorisation", details) == expected


def test_the_chain_must_end_at_this_stores_registered_name():
    details = brand(link(HOLDER, STORE))
    assert problems("brand_authorisation", details, registered_name="另一家公司") == [
        ("chain_end", f"{CHAIN}.0.authorised")
    ]


def test_chain_problems_carry_what_the_message_needs():
    details = rules.qualification_details_normalised(
        "brand_authorisation", brand(link(HOLDER, AGENT), link(DEALER, STORE, "2026-01-31"))
    )
    found = {
        p.code: p.params
        for p in rules.qualification_details_problems(
            "brand_authorisation", details, registered_name=STORE, today=TODAY, max_age_days=None
        )
    }
    assert found["chain_gap"] == {"n": 2, "previous": 1, "name": DEALER, "expected": AGENT}
    assert found["chain_link_expired"] == {
        "n": 2, "authoriser": DEALER, "authorised": STORE, "date": date(2026, 1, 31)
    }


COSMETICS_CASES = [
    ("special imported", {"filing_kind": "special", "origin": "imported"}, []),
    ("non-special domestic", {"filing_kind": "non_special", "origin": "domestic"}, []),
    ("nothing chosen", {}, [("missing", "filing_kind"), ("missing", "origin")]),
    ("values outside the lists", {"filing_kind": "medical", "origin": "overseas"},
     [("invalid_choice", "filing_kind"), ("invalid_choice", "origin")]),
]


@pytest.mark.parametrize("details,expected", [c[1:] for c in COSMETICS_CASES],
                         ids=[c[0] for c in COSMETICS_CASES])
def test_cosmetics_filing_kind_and_origin(details, expected):
    assert problems("cosmetics_filing", details) == expected


CUSTOMS_CASES = [
    ("both papers, one batch, recent", customs(), []),
    ("same batch written differently",
     customs(inspection_batch_number=" ｂ2026-0117 "), []),
    ("different batches", customs(inspection_batch_number="B2026-0203"),
     [("batch_mismatch", "inspection_batch_number")]),
    ("declaration issued exactly 365 days ago",
     customs(declaration_issued_on=(TODAY - timedelta(days=365)).isoformat()), []),
    ("declaration issued 366 days ago",
     customs(declaration_issued_on=(TODAY - timedelta(days=366)).isoformat()),
     [("document_too_old", "declaration_issued_on")]),
    ("inspection certificate issued 366 days ago",
     customs(inspection_issued_on=(TODAY - timedelta(days=366)).isoformat()),
     [("document_too_old", "inspection_issued_on")]),
    ("inspection certificate dated tomorrow", customs(inspection_issued_on="2026-03-02"),
     [("issued_in_future", "inspection_issued_on")]),
    ("an issue date that is not a date", customs(declaration_issued_on="2026-13-01"),
     [("invalid_date", "declaration_issued_on")]),
    ("nothing filled in", {},
     [("missing", key) for key in (
         "declaration_number", "declaration_batch_number", "declaration_issued_on",
         "inspection_certificate_number", "inspection_batch_number", "inspection_issued_on")]),
    ("no inspection batch: named, not a mismatch", customs(inspection_batch_number=""),
     [("missing", "inspection_batch_number")]),
]


@pytest.mark.parametrize("details,expected", [c[1:] for c in CUSTOMS_CASES],
                         ids=[c[0] for c in CUSTOMS_CASES])
def test_customs_papers(details, expected):
    assert problems("import_customs_inspection", details, max_age_days=365) == expected


def test_batch_mismatch_names_both_batches():
    found = rules.qualification_details_problems(
        "import_customs_inspection", customs(inspection_batch_number="B2026-0203"),
        registered_name=STORE, today=TODAY, max_age_days=365,
    )
    assert found[0].params == {"first": "B2026-0117", "second": "B2026-0203"}


@pytest.mark.parametrize(
    "type_code,details,expected",
    [
        ("food_business_licence", {}, []),  # business items are optional
        ("business_licence", {"entity_kind": "enterprise", "business_scope": "日用百货"}, []),
        ("business_licence", {"entity_kind": "state_owned"}, [("invalid_choice", "entity_kind")]),
        ("ccc_certificate", {"anything": "ignored"}, []),
        ("unknown_type", {"anything": "ignored"}, []),
    ],
)
def test_types_without_required_details(type_code, details, expected):
    assert problems(type_code, details) == expected


def test_normalised_keeps_the_types_fields_only_and_drops_blank_links():
    raw = {
        "brand_name": "  美丽牌 ",
        "trademark_holder": HOLDER,
        "authorisation_chain": [
            {"authoriser": HOLDER, "authorised": AGENT, "valid_until": date(2027, 1, 1)},
            {"authoriser": " ", "authorised": "", "valid_until": None},
            "not a link",
            {"authoriser": AGENT, "authorised": STORE, "valid_until": date(2026, 12, 31),
             "note": "dropped"},
        ],
        "unexpected": "dropped",
        "trademark_number": "",
    }
    assert rules.qualification_details_normalised("brand_authorisation", raw) == {
        "brand_name": "美丽牌",
        "trademark_holder": HOLDER,
        "authorisation_chain": [
            {"authoriser": HOLDER, "authorised": AGENT, "valid_until": "2027-01-01"},
            {"authoriser": AGENT, "authorised": STORE, "valid_until": "2026-12-31"},
        ],
    }
    assert rules.qualification_details_normalised("brand_authorisation", None) == {}
    assert rules.qualification_details_normalised(
        "import_customs_inspection", {"declaration_issued_on": date(2026, 1, 2)}
    ) == {"declaration_issued_on": "2026-01-02"}


@pytest.mark.parametrize(
    "type_code,valid_from,valid_until,details,expected",
    [
        ("food_business_licence", date(2025, 1, 1), date(2030, 1, 1), {},
         (date(2025, 1, 1), date(2030, 1, 1))),
        ("food_business_licence", date(2025, 1, 1), None, {}, (date(2025, 1, 1), None)),
        # an authorisation is valid until its first link expires
        ("brand_authorisation", date(2025, 1, 1), date(2028, 1, 1),
         brand(link(HOLDER, AGENT, "2027-12-31"), link(AGENT, STORE, "2026-09-30")),
         (date(2025, 1, 1), date(2026, 9, 30))),
        ("brand_authorisation", date(2025, 1, 1), None, brand(link(HOLDER, STORE, "2027-01-31")),
         (date(2025, 1, 1), date(2027, 1, 31))),
        # customs papers age from the older of the two
        ("import_customs_inspection", None, None, customs(),
         (date(2026, 1, 10), None)),
        ("import_customs_inspection", None, None,
         customs(inspection_issued_on="2025-12-20"), (date(2025, 12, 20), None)),
        ("import_customs_inspection", None, None, {}, (None, None)),
    ],
)
def test_effective_dates(type_code, valid_from, valid_until, details, expected):
    details = rules.qualification_details_normalised(type_code, details)
    assert rules.qualification_effective_dates(
        type_code, valid_from=valid_from, valid_until=valid_until, details=details
    ) == expected


def test_the_seed_lists_the_same_extra_fields_as_the_rules():
    for row in QUALIFICATION_TYPES:
        specs = rules.detail_fields(row["code"])
        assert [s.key for s in specs] == row["extra_fields"], row["code"]
        assert {s.key: list(s.choices) for s in specs if s.kind == rules.CHOICE} == row[
            "extra_field_choices"
        ], row["code"]
    assert set(rules.QUALIFICATION_DETAIL_FIELDS) <= {row["code"] for row in QUALIFICATION_TYPES}
