"""Integrity of the compliance seed data (pure data; runs without Django)."""

import ast
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest

from compliance import seed_data
from compliance.seed_data import (
    CATEGORY_STATUSES,
    CATEGORY_TREE,
    DEPOSIT_CONFIG,
    QUALIFICATION_TYPES,
    flatten_category_tree,
)

NODE_KEYS = {
    "code",
    "name_zh",
    "name_en",
    "status",
    "qualifications",
    "deposit_standard",
    "deposit_industry_base",
    "invitation_only",
    "service_fee_rate",
    "seven_day_return",
    "lightning_purchase",
    "lightning_base_only",
    "prepackaged_food",
    "children",
}
CODE_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){0,2}$")

FLAT = flatten_category_tree()
BY_CODE = {n["code"]: n for n in FLAT}
QUAL_CODES = {q["code"] for q in QUALIFICATION_TYPES}


def _walk(nodes, depth=1):
    for node in nodes:
        yield node, depth
        yield from _walk(node["children"], depth + 1)


def _dec(value):
    try:
        return Decimal(value)
    except (InvalidOperation, TypeError) as exc:  # pragma: no cover - failure path
        raise AssertionError(f"not a Decimal string: {value!r}") from exc


def _ancestors_or_self(code):
    parts = code.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


# --- qualification types ---------------------------------------------------


def test_qualification_types_are_the_spec_set():
    codes = [q["code"] for q in QUALIFICATION_TYPES]
    assert len(codes) == len(set(codes))
    assert set(codes) == {
        "business_licence",
        "food_business_licence",
        "brand_authorisation",
        "cosmetics_filing",
        "ccc_certificate",
        "infant_formula_registration",
        "plant_quarantine_certificate",
        "import_customs_inspection",
    }


def test_qualification_type_fields():
    for q in QUALIFICATION_TYPES:
        assert q["name_zh"] and q["name_en"] and q["description_zh"]
        assert isinstance(q["publicly_displayed"], bool)
        assert isinstance(q["requires_number"], bool)
        assert all(isinstance(f, str) and f for f in q["extra_fields"])
        assert len(q["extra_fields"]) == len(set(q["extra_fields"]))
        assert set(q["extra_field_choices"]) <= set(q["extra_fields"])
        assert q["scope"] in {"entity", "industry", "product"}
        assert q["max_age_days"] is None or q["max_age_days"] > 0


def test_qualification_type_specifics():
    q = {x["code"]: x for x in QUALIFICATION_TYPES}
    # Business ones are displayed on the store page (公示), product ones are not.
    assert {c for c, x in q.items() if x["publicly_displayed"]} == {
        "business_licence",
        "food_business_licence",
    }
    assert q["cosmetics_filing"]["extra_field_choices"] == {
        "filing_kind": ["special", "non_special"],
        "origin": ["domestic", "imported"],
    }
    assert {"trademark_holder", "authorisation_chain"} <= set(
        q["brand_authorisation"]["extra_fields"]
    )
    customs = q["import_customs_inspection"]
    assert {
        "declaration_number", "declaration_batch_number", "declaration_issued_on",
        "inspection_certificate_number", "inspection_batch_number", "inspection_issued_on",
    } == set(customs["extra_fields"])
    assert customs["max_age_days"] == 365  # same batch, issued within one year


# --- tree shape --------------------------------------------------------------


def test_every_node_has_exactly_the_documented_keys():
    for node, _ in _walk(CATEGORY_TREE):
        assert set(node) == NODE_KEYS, node["code"]
        assert isinstance(node["children"], list)
        assert isinstance(node["qualifications"], list)
        for flag in ("invitation_only", "lightning_base_only", "prepackaged_food"):
            assert isinstance(node[flag], bool), (node["code"], flag)
        for tri in ("seven_day_return", "lightning_purchase"):
            assert node[tri] in (True, False, None), (node["code"], tri)
        assert node["name_zh"].strip() and node["name_en"].strip()
        assert re.search(r"[\u4e00-\u9fff]", node["name_zh"]), node["code"]


def test_codes_are_unique_lowercase_slugs():
    codes = [node["code"] for node, _ in _walk(CATEGORY_TREE)]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert CODE_RE.match(code), code


def test_code_prefixes_match_hierarchy():
    def check(nodes, parent_code):
        for node in nodes:
            if parent_code is None:
                assert "." not in node["code"]
            else:
                prefix, _, segment = node["code"].rpartition(".")
                assert prefix == parent_code and segment, node["code"]
            check(node["children"], node["code"])

    check(CATEGORY_TREE, None)


def test_at_most_three_levels():
    for node, depth in _walk(CATEGORY_TREE):
        assert depth <= 3, node["code"]
        assert depth == node["code"].count(".") + 1
        if depth == 3:
            assert node["children"] == []


def test_tree_size_is_realistic():
    levels = [n["level"] for n in FLAT]
    assert levels.count(1) >= 15
    assert levels.count(2) >= 60
    assert sum(1 for n in FLAT if not n["child_codes"]) >= 150


def test_flatten_matches_tree():
    assert len(FLAT) == sum(1 for _ in _walk(CATEGORY_TREE))
    for n in FLAT:
        if n["parent_code"] is not None:
            assert n["code"] in BY_CODE[n["parent_code"]]["child_codes"]


# --- statuses and qualifications ------------------------------------------------


def test_statuses_are_known():
    assert set(CATEGORY_STATUSES) == {"open", "not_open", "prohibited"}
    for node, _ in _walk(CATEGORY_TREE):
        assert node["status"] in (*CATEGORY_STATUSES, None), node["code"]
    for n in FLAT:
        assert n["effective_status"] in CATEGORY_STATUSES


def test_qualification_codes_are_known_and_not_repeated_from_ancestors():
    for n in FLAT:
        own = n["qualifications"]
        assert set(own) <= QUAL_CODES, n["code"]
        assert len(own) == len(set(own)), n["code"]
        if n["parent_code"]:
            inherited = BY_CODE[n["parent_code"]]["effective_qualifications"]
            assert not set(own) & set(inherited), f"{n['code']} repeats an inherited one"
        # The entity licence is a store-opening requirement, not a category one.
        assert "business_licence" not in own


def test_children_inherit_parent_qualifications():
    for n in FLAT:
        if n["parent_code"]:
            parent = BY_CODE[n["parent_code"]]
            assert set(parent["effective_qualifications"]) <= set(n["effective_qualifications"])


@pytest.mark.parametrize(
    ("code", "qualification"),
    [
        ("food.snacks.nuts", "food_business_licence"),
        ("food.drinks.baijiu", "food_business_licence"),
        ("food.fruit.citrus", "plant_quarantine_certificate"),
        ("food.vegetables.beans", "plant_quarantine_certificate"),
        ("food.imported.wine", "import_customs_inspection"),
        ("food.imported.wine", "food_business_licence"),
        ("baby.formula.stage1", "infant_formula_registration"),
        ("baby.formula.stage3", "food_business_licence"),
        ("baby.gear.strollers", "ccc_certificate"),
        ("baby.gear.child_seats", "ccc_certificate"),
        ("toys.plush.stuffed", "ccc_certificate"),
        ("toys.ride_on.bicycles", "ccc_certificate"),
        ("digital.phones.smartphones", "ccc_certificate"),
        ("digital.large_appliances.fridges", "ccc_certificate"),
        ("digital.kitchen_appliances.rice_cookers", "ccc_certificate"),
        ("beauty.skincare.creams", "cosmetics_filing"),
        ("beauty.makeup.lips", "cosmetics_filing"),
        ("beauty.hair.dye", "cosmetics_filing"),
        ("watches.wrist.mechanical", "brand_authorisation"),
    ],
)
def test_spec_qualification_placements(code, qualification):
    assert qualification in BY_CODE[code]["effective_qualifications"]


def test_infant_formula_registration_only_under_mother_and_baby():
    for n in FLAT:
        if "infant_formula_registration" in n["qualifications"]:
            assert n["code"].startswith("baby.")


def test_prepackaged_food_requires_food_business_licence():
    flagged = [n for n in FLAT if n["effective_prepackaged_food"]]
    assert flagged
    for n in flagged:
        assert n["code"].startswith(("food.", "baby.")), n["code"]
        assert "food_business_licence" in n["effective_qualifications"], n["code"]
    # Fresh produce is not prepackaged.
    assert not BY_CODE["food.fruit"]["effective_prepackaged_food"]
    assert not BY_CODE["food.vegetables"]["effective_prepackaged_food"]


# --- SPEC §4 lists ---------------------------------------------------------------

PROHIBITED_ITEMS = {
    # SPEC item: (code, a word of its Chinese name)
    "protected wildlife and plants": ("prohibited.wildlife", "野生保护动植物"),
    "organs": ("prohibited.organs", "器官"),
    "hunting tools": ("prohibited.hunting", "猎捕"),
    "illegal software/devices": ("prohibited.illegal_software", "软件"),
    "unregistered virtual game currency/cards": ("prohibited.virtual", "未经国家备案"),
    "unregistered online games": ("prohibited.virtual.unregistered_games", "游戏"),
    "game point cards": ("prohibited.virtual.game_cards", "点卡"),
    "virtual currency": ("prohibited.virtual.currency", "货币"),
    "counterfeit currency": ("prohibited.currency.counterfeit", "伪造"),
    "cultural relics": ("prohibited.relics", "文物"),
    "military supplies": ("prohibited.military.military", "军需"),
    "police supplies": ("prohibited.military.police", "警用"),
    "pyramid schemes": ("prohibited.pyramid", "传销"),
    "recalled goods": ("prohibited.recalled", "召回"),
    "counterfeits": ("prohibited.counterfeits", "制假"),
}

NOT_OPEN_ITEMS = {
    "tickets": ("not_open.tickets", "票"),
    "admission tickets": ("not_open.tickets.admission", "门票"),
    "movie tickets": ("not_open.tickets.movie", "电影票"),
    "carrier top-ups": ("not_open.carrier.top_up", "充值"),
    "SIM/data cards": ("not_open.carrier.sim_cards", "流量卡"),
    "cross-border": ("not_open.cross_border", "跨境"),
    "livestock/planting": ("not_open.livestock_planting", "畜牧种植"),
    "real estate": ("not_open.real_estate", "房产"),
    "cars": ("not_open.cars", "汽车"),
    "machinery": ("not_open.machinery", "机械"),
    "games/memberships": ("not_open.games_memberships", "会员"),
    "health & beauty services": ("not_open.health_beauty", "健康美容"),
    "training/education": ("not_open.education", "培训教育"),
    "insurance": ("not_open.insurance", "保险"),
    "hotel/travel services": ("not_open.hotel_travel", "酒店"),
}


@pytest.mark.parametrize("item", sorted(PROHIBITED_ITEMS))
def test_spec_prohibited_item_present(item):
    code, word = PROHIBITED_ITEMS[item]
    node = BY_CODE[code]
    assert word in node["name_zh"]
    assert node["effective_status"] == "prohibited"


@pytest.mark.parametrize("item", sorted(NOT_OPEN_ITEMS))
def test_spec_not_open_item_present(item):
    code, word = NOT_OPEN_ITEMS[item]
    node = BY_CODE[code]
    assert word in node["name_zh"]
    assert node["effective_status"] == "not_open"


def test_prohibited_and_not_open_branches_are_closed_throughout():
    for n in FLAT:
        if n["code"].split(".")[0] == "prohibited":
            assert n["effective_status"] == "prohibited", n["code"]
        if n["code"].split(".")[0] == "not_open":
            assert n["effective_status"] == "not_open", n["code"]
    assert BY_CODE["prohibited"]["status"] == "prohibited"
    assert BY_CODE["not_open"]["status"] == "not_open"


def test_status_overrides():
    # An open parent with a not-open child.
    assert BY_CODE["pets"]["effective_status"] == "open"
    assert BY_CODE["pets.live"]["status"] == "not_open"
    assert BY_CODE["pets.live.cats_dogs"]["effective_status"] == "not_open"
    assert BY_CODE["pets.food.cat"]["effective_status"] == "open"
    # General-trade imports are open with customs papers; cross-border is not open.
    assert BY_CODE["food.imported"]["effective_status"] == "open"
    assert BY_CODE["not_open.cross_border"]["effective_status"] == "not_open"
    # Rough jadeite is closed under an open parent.
    assert BY_CODE["jewelry.jade"]["effective_status"] == "open"
    assert BY_CODE["jewelry.jade.rough_jadeite"]["effective_status"] == "not_open"
    overridden = [
        n["code"]
        for n in FLAT
        if n["parent_code"]
        and n["status"] is not None
        and n["status"] != BY_CODE[n["parent_code"]]["effective_status"]
    ]
    assert set(overridden) == {"pets.live", "jewelry.jade.rough_jadeite"}


def test_regular_top_levels_are_open():
    for n in FLAT:
        if n["level"] == 1 and n["code"] not in {"prohibited", "not_open"}:
            assert n["effective_status"] == "open", n["code"]


# --- deposits (SPEC §2) -------------------------------------------------------------

JADE_TABLE = {
    # code: (name_zh, deposit_standard, deposit_industry_base)
    "jewelry.jade.rough_jadeite": ("翡翠原石", None, "50000"),
    "jewelry.jade.finished_jadeite": ("翡翠成品", "20000", "5000"),
    "jewelry.jade.hetian_jade": ("和田玉", "10000", "5000"),
    "jewelry.jade.gems": ("宝石", "10000", "5000"),
    "jewelry.jade.agate": ("玛瑙", "10000", "5000"),
    "jewelry.jade.other_jadeite": ("其它翡翠", "10000", "5000"),
    "jewelry.jade.coloured_gems": ("彩色宝石", "10000", "5000"),
    "jewelry.jade.pearls": ("珍珠", "10000", "5000"),
    "jewelry.jade.other_gems": ("其它宝石", "10000", "5000"),
}


@pytest.mark.parametrize("code", sorted(JADE_TABLE))
def test_jade_and_gems_deposit_table(code):
    name_zh, standard, base = JADE_TABLE[code]
    node = BY_CODE[code]
    assert node["name_zh"] == name_zh
    assert node["deposit_standard"] == standard
    assert node["deposit_industry_base"] == base


def test_jade_table_is_the_whole_jade_branch_and_the_only_special_deposits():
    assert set(BY_CODE["jewelry.jade"]["child_codes"]) == set(JADE_TABLE)
    special = {
        n["code"]
        for n in FLAT
        if n["deposit_standard"] is not None or n["deposit_industry_base"] is not None
    }
    assert special == set(JADE_TABLE)


def test_rough_jadeite_is_invitation_only_and_not_open_outside_a_base():
    rough = BY_CODE["jewelry.jade.rough_jadeite"]
    assert rough["invitation_only"] is True
    assert rough["status"] == "not_open"
    assert rough["deposit_industry_base"] == "50000"
    assert [n["code"] for n in FLAT if n["invitation_only"]] == ["jewelry.jade.rough_jadeite"]


def test_amounts_and_rates_are_decimal_strings():
    for n in FLAT:
        for field in ("deposit_standard", "deposit_industry_base"):
            if n[field] is not None:
                assert isinstance(n[field], str)
                assert _dec(n[field]) > _dec(DEPOSIT_CONFIG["base_store"]), n["code"]
        if n["service_fee_rate"] is not None:
            assert isinstance(n["service_fee_rate"], str)
        rate = _dec(n["effective_service_fee_rate"])
        assert Decimal("0") < rate < Decimal("1"), n["code"]
    assert seed_data.ROOT_DEFAULTS["service_fee_rate"] == "0.05"
    assert BY_CODE["apparel.womens.dresses"]["effective_service_fee_rate"] == "0.05"
    assert BY_CODE["jewelry.jade.finished_jadeite"]["effective_service_fee_rate"] == "0.05"


def test_deposit_config():
    assert DEPOSIT_CONFIG["base_store"] == "500"
    assert DEPOSIT_CONFIG["base_promotion"] == "500"
    tiers = DEPOSIT_CONFIG["sales_tiers"]
    assert [t["min_sales"] for t in tiers] == ["0", "100000", "500000"]
    assert [(t["store"], t["promotion"]) for t in tiers] == [
        (None, None),
        ("5000", "3000"),
        ("50000", "30000"),
    ]
    mins = [_dec(t["min_sales"]) for t in tiers]
    assert mins == sorted(mins) and mins[0] == 0
    for t in tiers:
        for kind in ("store", "promotion"):
            if t[kind] is not None:
                assert _dec(t[kind]) > _dec(DEPOSIT_CONFIG[f"base_{kind}"])


# --- lightning purchase (SPEC §3) ------------------------------------------------------

# SPEC: clothing/shoes/bags, outdoor sports, home living, jewellery/accessories,
# flowers/plants/car supplies, jade (jade-base merchants only).
LIGHTNING_ROOTS = {
    "apparel": "服饰",
    "shoes_bags": "鞋靴箱包",
    "outdoor": "户外运动",
    "home": "家居",
    "jewelry.accessories": "首饰/配饰",
    "flowers": "鲜花绿植",
    "auto": "汽车用品",
    "jewelry.jade": "玉石",
}


def test_lightning_purchase_set_only_on_the_spec_categories():
    set_true = {n["code"] for n in FLAT if n["lightning_purchase"] is True}
    assert set_true == set(LIGHTNING_ROOTS)
    for code, word in LIGHTNING_ROOTS.items():
        assert word in BY_CODE[code]["name_zh"], code


def test_lightning_purchase_effective_only_under_the_spec_list():
    for n in FLAT:
        under_list = bool(_ancestors_or_self(n["code"]) & set(LIGHTNING_ROOTS))
        assert n["effective_lightning_purchase"] is under_list, n["code"]
        if under_list and n["effective_status"] != "open":
            # Only the invitation-only rough jadeite (inside a jade base) may be closed here.
            assert n["invitation_only"], n["code"]
    assert seed_data.ROOT_DEFAULTS["lightning_purchase"] is False
    assert not BY_CODE["jewelry.collectibles"]["effective_lightning_purchase"]
    assert not BY_CODE["food"]["effective_lightning_purchase"]


def test_lightning_base_only_is_the_jade_branch():
    assert {n["code"] for n in FLAT if n["lightning_base_only"]} == {"jewelry.jade"}
    for n in FLAT:
        in_jade = n["code"].startswith("jewelry.jade")
        assert n["effective_lightning_base_only"] is in_jade, n["code"]


# --- seven-day no-reason return -------------------------------------------------------


@pytest.mark.parametrize(
    "code",
    [
        "food.fruit.citrus",
        "food.vegetables.leafy",
        "food.meat_seafood.seafood",
        "flowers.fresh.bouquets",
        "flowers.plants.succulents",
        "jewelry.accessories.custom",
        "books.periodicals",
    ],
)
def test_seven_day_return_exemptions(code):
    assert BY_CODE[code]["effective_seven_day_return"] is False


@pytest.mark.parametrize(
    "code",
    [
        "apparel.womens.dresses",
        "food.snacks.nuts",
        "jewelry.jade.finished_jadeite",
        "digital.phones.smartphones",
        "flowers.artificial.silk",
    ],
)
def test_seven_day_return_default(code):
    assert BY_CODE[code]["effective_seven_day_return"] is True


# --- purity --------------------------------------------------------------------------


def test_module_is_pure_python():
    # Importing the module needs no Django: only the functions that read the configured
    # defaults (deposit_config, root_defaults) import the configuration, when called.
    tree = ast.parse(Path(seed_data.__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= {"__future__", "typing"}
