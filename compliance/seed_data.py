"""Seed data for categories and qualification types (pure data, no Django at import).

Amounts and rates that are platform configuration are *not* repeated here: the base and
tier deposit amounts are the declared defaults of the ``deposit.*`` keys (shop.conf) and
the root service fee rate is ``category.default_service_fee_rate`` (compliance.conf).
``DEPOSIT_CONFIG`` and ``ROOT_DEFAULTS`` are views of those defaults, built when read.

Source: the Kuaishou e-commerce handbook (``/work/shared/seeds/000_…txt``, chapter 4
规则解析) as read by SPEC §2 (deposits), §3 (lightning purchase 闪电购) and §4
(compliance). Everything here is *seed configuration*: reviewers edit it in the admin
afterwards, so nothing below may be used as a literal in business code.

Category tree — field meanings
------------------------------
Every node of ``CATEGORY_TREE`` is a dict with **all** of these keys:

``code``
    Unique lowercase ASCII slug; a child's code is its parent's code + ``"." + segment``
    (``"jewelry.jade.finished_jadeite"``). At most three levels (一级/二级/三级).
``name_zh`` / ``name_en``
    Display names.
``status``
    ``"open"`` | ``"not_open"`` (未开放) | ``"prohibited"`` (禁售) | ``None`` = inherit the
    parent's effective status (the root default is ``"open"``). A child may override its
    parent; every override is commented where it happens.
``qualifications``
    Codes from ``QUALIFICATION_TYPES`` required to list products in this category, listed
    on the level where they start to apply. **Children inherit their ancestors'
    requirements additively**: the effective requirement of a node is the union of its own
    list and every ancestor's list (there is no way for a child to drop one, so a
    requirement is put as low in the tree as it genuinely applies). The entity licence
    ``business_licence`` is required to open any store (SPEC §1) and is therefore not
    repeated on categories.
``deposit_standard``
    Special-category store deposit in CNY as a Decimal string, or ``None`` = the base
    amount (configuration ``deposit.base_store``). **Not inherited**: only the handbook's
    special leaves carry one. A store's category requirement is the maximum over the
    categories it sells in; the final requirement is max(category rule, sales tier).
``deposit_industry_base``
    The amount for a merchant located in an industry-belt base (产业带基地), or ``None`` =
    no special base amount (the standard amount applies there too). Not inherited.
``invitation_only``
    True only for rough jadeite 翡翠原石 (邀请制). Not inherited.
``service_fee_rate``
    Technical service fee (技术服务费) as a Decimal string, ``None`` = inherit (root
    default: configuration ``category.default_service_fee_rate``).
``seven_day_return``
    Supports 七天无理由退货: ``True``/``False``, ``None`` = inherit (root default True).
    False only where Chinese law (《网络购买商品七日无理由退货暂行办法》) exempts the goods:
    fresh/perishable goods (鲜活易腐), customised goods (定作), newspapers and periodicals.
``lightning_purchase``
    闪电购 allowed: ``True``/``False``, ``None`` = inherit (root default False). True only on
    the SPEC §3 list: clothing/shoes/bags, outdoor sports, home living,
    jewellery/accessories (首饰/配饰), flowers/plants/car supplies, jade (珠宝/玉石).
``lightning_base_only``
    Inherited flag (True on a node applies to its whole subtree): lightning purchase only
    for merchants of a jadeite industry base (仅翡翠基地用户). Set on 珠宝/玉石 only.
``prepackaged_food``
    Inherited flag: products in this subtree are prepackaged food (预包装食品) and must fill
    the label fields (name, ingredients, net content, producer, production date, shelf
    life, storage, licence no., standard code) — see SPEC §4.
``children``
    List of child nodes (empty for leaves).

``flatten_category_tree()`` returns every node with its level, parent code and the
effective (inherited) values resolved, for loaders and tests.

Garbling reminder: in the handbook "乳品" stands for 食品 (食品经营许可证 is printed as
"乳品经营许可"), and "生鲜豆类商品需提供植物检疫合格证" is read, as in SPEC §4, as fresh
produce needing a plant quarantine certificate.
"""

from __future__ import annotations

from typing import Any

STATUS_OPEN = "open"
STATUS_NOT_OPEN = "not_open"
STATUS_PROHIBITED = "prohibited"
CATEGORY_STATUSES = (STATUS_OPEN, STATUS_NOT_OPEN, STATUS_PROHIBITED)

# Values a top-level node inherits when it leaves a field as None (the service fee rate
# comes from configuration: see root_defaults()).
_ROOT_FLAGS: dict[str, Any] = {
    "status": STATUS_OPEN,
    "seven_day_return": True,
    "lightning_purchase": False,
}


def _config_default(key: str):
    """The declared default of a configuration key: the one source of the number."""
    import compliance.conf  # noqa: F401  (declares the keys)
    import shop.conf  # noqa: F401
    from common.config import definitions

    return definitions()[key].default


def root_defaults() -> dict[str, Any]:
    """Values a top-level node inherits when it leaves a field as None."""
    return {
        **_ROOT_FLAGS,
        "service_fee_rate": str(_config_default("category.default_service_fee_rate")),
    }

# ---------------------------------------------------------------------------
# Qualification types (资质)
# ---------------------------------------------------------------------------
# Keys beyond the basic ones:
#   scope: "entity" (主体资质, needed to open a store), "industry" (行业资质 / licence for
#          a line of business), "product" (商品资质, per product or batch).
#   extra_fields: structured fields the merchant fills in addition to the document scan,
#          the number (if requires_number) and the validity dates.
#   extra_field_choices: allowed values for the extra fields that are enumerations.
#   max_age_days: the document must have been issued within this many days (None = only
#          its own expiry date counts).
QUALIFICATION_TYPES: list[dict[str, Any]] = [
    {
        "code": "business_licence",
        "name_zh": "营业执照",
        "name_en": "Business licence",
        "description_zh": (
            "主体资质:企业营业执照或个体工商户营业执照,依据《电子商务法》在开店环节提供,"
            "须完整有效且经营范围明晰;审核通过后在店铺页公示。"
        ),
        "publicly_displayed": True,
        "requires_number": True,  # 统一社会信用代码
        "extra_fields": ["entity_kind", "business_scope"],
        "extra_field_choices": {"entity_kind": ["enterprise", "individual_business"]},
        "scope": "entity",
        "max_age_days": None,
    },
    {
        "code": "food_business_licence",
        "name_zh": "食品经营许可证",
        "name_en": "Food business licence",
        "description_zh": (
            "行业资质:经营预包装食品类目须提供食品经营许可证,其经营项目须包括所经营商品;"
            "资质审核通过后即可发布该类目商品,并按《电子商务法》要求在店铺公示。"
        ),
        "publicly_displayed": True,
        "requires_number": True,  # 许可证编号 (JY…)
        "extra_fields": ["business_items"],
        "extra_field_choices": {},
        "scope": "industry",
        "max_age_days": None,
    },
    {
        "code": "brand_authorisation",
        "name_zh": "品牌授权书",
        "name_en": "Brand authorisation",
        "description_zh": (
            "知识产权证明:商品使用品牌/商标(图形或文字)时,须提供商标持有者与小店经营主体之间"
            "的授权关系证明;多级授权须逐级提供,直至商标持有人。"
        ),
        "publicly_displayed": False,
        "requires_number": True,  # 商标注册号
        "extra_fields": ["brand_name", "trademark_holder", "authorisation_chain"],
        "extra_field_choices": {},
        "scope": "product",
        "max_age_days": None,
    },
    {
        "code": "cosmetics_filing",
        "name_zh": "化妆品备案",
        "name_en": "Cosmetics registration / filing",
        "description_zh": (
            "国产(进口)特殊/非特殊化妆品注册备案信息,适用于美妆/个护清洁类目的化妆品等商品;"
            "须在国家市场监督管理总局(药监)网站可查。"
        ),
        "publicly_displayed": False,
        "requires_number": True,  # 注册证号 / 备案编号
        "extra_fields": ["filing_kind", "origin"],
        "extra_field_choices": {
            "filing_kind": ["special", "non_special"],
            "origin": ["domestic", "imported"],
        },
        "scope": "product",
        "max_age_days": None,
    },
    {
        "code": "ccc_certificate",
        "name_zh": "3C认证证书",
        "name_en": "CCC certificate",
        "description_zh": (
            "CCC认证证书:常见于童车、安全座椅、玩具、家电类、数码类等商品,须按国家认监委要求"
            "进行3C认证,认证信息可在认证认可信息公共服务平台或中国质量认证中心核查。"
        ),
        "publicly_displayed": False,
        "requires_number": True,  # 证书编号
        "extra_fields": [],
        "extra_field_choices": {},
        "scope": "product",
        "max_age_days": None,
    },
    {
        "code": "infant_formula_registration",
        "name_zh": "婴幼儿配方乳粉产品配方注册",
        "name_en": "Infant formula product registration",
        "description_zh": (
            "婴幼儿配方乳粉须提供国家市场监督管理总局网站可查的产品配方注册信息证明。"
        ),
        "publicly_displayed": False,
        "requires_number": True,  # 注册号 (国食注字YP…)
        "extra_fields": [],
        "extra_field_choices": {},
        "scope": "product",
        "max_age_days": None,
    },
    {
        "code": "plant_quarantine_certificate",
        "name_zh": "植物检疫证书",
        "name_en": "Plant quarantine certificate",
        "description_zh": "生鲜蔬果等植物产品须提供植物检疫合格证明。",
        "publicly_displayed": False,
        "requires_number": True,
        "extra_fields": [],
        "extra_field_choices": {},
        "scope": "product",
        "max_age_days": None,
    },
    {
        "code": "import_customs_inspection",
        "name_zh": "进口报关单及入境货物检验检疫证明",
        "name_en": "Import customs declaration and entry inspection certificate",
        "description_zh": (
            "适用于一般贸易进口商品:所售商品与报关单、入境货物检验检疫证明须为同一批次,"
            "且为近一年内出具。"
        ),
        "publicly_displayed": False,
        # Each of the two documents has its number, the batch it covers and its issue
        # date (the batches must match; each date within max_age_days), so there is no
        # single "number" for this type.
        "requires_number": False,
        "extra_fields": [
            "declaration_number", "declaration_batch_number", "declaration_issued_on",
            "inspection_certificate_number", "inspection_batch_number", "inspection_issued_on",
        ],
        "extra_field_choices": {},
        "scope": "product",
        "max_age_days": 365,
    },
]

QUALIFICATION_CODES = frozenset(q["code"] for q in QUALIFICATION_TYPES)

# Shorthands used in the tree below.
FOOD = "food_business_licence"
BRAND = "brand_authorisation"
COSMETICS = "cosmetics_filing"
CCC = "ccc_certificate"
FORMULA = "infant_formula_registration"
QUARANTINE = "plant_quarantine_certificate"
CUSTOMS = "import_customs_inspection"


def _cat(
    code: str,
    name_zh: str,
    name_en: str,
    *children: dict[str, Any],
    status: str | None = None,
    qualifications: tuple[str, ...] | list[str] = (),
    deposit_standard: str | None = None,
    deposit_industry_base: str | None = None,
    invitation_only: bool = False,
    service_fee_rate: str | None = None,
    seven_day_return: bool | None = None,
    lightning_purchase: bool | None = None,
    lightning_base_only: bool = False,
    prepackaged_food: bool = False,
) -> dict[str, Any]:
    """Build one category node with every key present."""
    return {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "status": status,
        "qualifications": list(qualifications),
        "deposit_standard": deposit_standard,
        "deposit_industry_base": deposit_industry_base,
        "invitation_only": invitation_only,
        "service_fee_rate": service_fee_rate,
        "seven_day_return": seven_day_return,
        "lightning_purchase": lightning_purchase,
        "lightning_base_only": lightning_base_only,
        "prepackaged_food": prepackaged_food,
        "children": list(children),
    }


# ---------------------------------------------------------------------------
# Category tree (类目树)
# ---------------------------------------------------------------------------
CATEGORY_TREE: list[dict[str, Any]] = [
    # 服饰内衣 — 闪电购 open category "服饰".
    _cat(
        "apparel", "服饰内衣", "Clothing & underwear",
        _cat(
            "apparel.womens", "女装", "Women's clothing",
            _cat("apparel.womens.dresses", "连衣裙", "Dresses"),
            _cat("apparel.womens.tshirts", "T恤", "T-shirts"),
            _cat("apparel.womens.shirts", "衬衫", "Shirts & blouses"),
            _cat("apparel.womens.knitwear", "毛衣/针织衫", "Sweaters & knitwear"),
            _cat("apparel.womens.coats", "外套/风衣", "Coats & jackets"),
            _cat("apparel.womens.down", "羽绒服", "Down jackets"),
            _cat("apparel.womens.trousers", "裤子", "Trousers"),
        ),
        _cat(
            "apparel.mens", "男装", "Men's clothing",
            _cat("apparel.mens.tshirts", "T恤", "T-shirts"),
            _cat("apparel.mens.shirts", "衬衫", "Shirts"),
            _cat("apparel.mens.jackets", "夹克/外套", "Jackets"),
            _cat("apparel.mens.trousers", "休闲裤/牛仔裤", "Trousers & jeans"),
            _cat("apparel.mens.suits", "西服套装", "Suits"),
        ),
        _cat(
            "apparel.underwear", "内衣/家居服", "Underwear & loungewear",
            _cat("apparel.underwear.bras", "文胸", "Bras"),
            _cat("apparel.underwear.briefs", "内裤", "Briefs"),
            _cat("apparel.underwear.sleepwear", "睡衣/家居服", "Sleepwear & loungewear"),
            _cat("apparel.underwear.thermal", "保暖内衣", "Thermal underwear"),
            _cat("apparel.underwear.socks", "袜子", "Socks & hosiery"),
        ),
        _cat(
            "apparel.kids", "童装/亲子装", "Kids' & family clothing",
            _cat("apparel.kids.kids_clothing", "儿童服装", "Children's clothing"),
            _cat("apparel.kids.baby_clothing", "婴儿服/爬服", "Baby clothing"),
            _cat("apparel.kids.family_outfits", "亲子装", "Family matching outfits"),
        ),
        _cat(
            "apparel.accessories", "服饰配件", "Clothing accessories",
            _cat("apparel.accessories.belts", "腰带/皮带", "Belts"),
            _cat("apparel.accessories.hats", "帽子", "Hats & caps"),
            _cat("apparel.accessories.scarves", "围巾/丝巾", "Scarves"),
            _cat("apparel.accessories.gloves", "手套", "Gloves"),
        ),
        lightning_purchase=True,
    ),
    # 鞋靴箱包 — 闪电购 open categories "鞋靴/箱包".
    _cat(
        "shoes_bags", "鞋靴箱包", "Shoes & bags",
        _cat(
            "shoes_bags.womens_shoes", "女鞋", "Women's shoes",
            _cat("shoes_bags.womens_shoes.heels", "高跟鞋", "High heels"),
            _cat("shoes_bags.womens_shoes.flats", "单鞋", "Flats"),
            _cat("shoes_bags.womens_shoes.boots", "靴子", "Boots"),
            _cat("shoes_bags.womens_shoes.sandals", "凉鞋/拖鞋", "Sandals & slippers"),
        ),
        _cat(
            "shoes_bags.mens_shoes", "男鞋", "Men's shoes",
            _cat("shoes_bags.mens_shoes.leather", "皮鞋", "Leather shoes"),
            _cat("shoes_bags.mens_shoes.casual", "休闲鞋", "Casual shoes"),
            _cat("shoes_bags.mens_shoes.boots", "男靴", "Men's boots"),
        ),
        _cat(
            "shoes_bags.bags", "箱包", "Bags & luggage",
            _cat("shoes_bags.bags.handbags", "女包", "Handbags"),
            _cat("shoes_bags.bags.mens_bags", "男包", "Men's bags"),
            _cat("shoes_bags.bags.backpacks", "双肩包", "Backpacks"),
            _cat("shoes_bags.bags.luggage", "拉杆箱/旅行箱", "Suitcases"),
            _cat("shoes_bags.bags.wallets", "钱包/卡包", "Wallets & card holders"),
        ),
        lightning_purchase=True,
    ),
    # 美妆个护 — cosmetics filing on the cosmetic sub-branches (not on tools/appliances).
    _cat(
        "beauty", "美妆个护", "Beauty & personal care",
        _cat(
            "beauty.skincare", "面部护肤", "Skincare",
            _cat("beauty.skincare.cleansers", "洁面", "Cleansers"),
            _cat("beauty.skincare.toners_lotions", "爽肤水/乳液", "Toners & lotions"),
            _cat("beauty.skincare.serums", "精华", "Serums"),
            _cat("beauty.skincare.creams", "面霜", "Face creams"),
            _cat("beauty.skincare.masks", "面膜", "Face masks"),
            # 防晒 is a 特殊化妆品: the filing's filing_kind must be "special".
            _cat("beauty.skincare.sunscreen", "防晒", "Sunscreen"),
            qualifications=[COSMETICS],
        ),
        _cat(
            "beauty.makeup", "彩妆", "Makeup",
            _cat("beauty.makeup.base", "粉底/气垫", "Foundation & cushions"),
            _cat("beauty.makeup.lips", "口红/唇釉", "Lipsticks & lip gloss"),
            _cat("beauty.makeup.eyes", "眼影/眼线/睫毛膏", "Eye makeup"),
            _cat("beauty.makeup.brows", "眉笔/眉粉", "Brow makeup"),
            qualifications=[COSMETICS],
        ),
        _cat(
            "beauty.hair", "洗发护发", "Hair care",
            _cat("beauty.hair.shampoo", "洗发水", "Shampoo"),
            _cat("beauty.hair.conditioner", "护发素/发膜", "Conditioner & hair masks"),
            # 染发剂 is a 特殊化妆品 (filing_kind "special").
            _cat("beauty.hair.dye", "染发剂", "Hair dye"),
            qualifications=[COSMETICS],
        ),
        _cat(
            "beauty.body", "身体护理", "Body care",
            _cat("beauty.body.wash", "沐浴露", "Body wash"),
            _cat("beauty.body.lotion", "身体乳", "Body lotion"),
            _cat("beauty.body.hand_cream", "护手霜", "Hand cream"),
            qualifications=[COSMETICS],
        ),
        _cat(
            "beauty.fragrance", "香水", "Fragrance",
            _cat("beauty.fragrance.womens", "女士香水", "Women's fragrance"),
            _cat("beauty.fragrance.mens", "男士香水", "Men's fragrance"),
            qualifications=[COSMETICS],
        ),
        _cat(
            "beauty.oral", "口腔护理", "Oral care",
            # Toothpaste is filed like a cosmetic (牙膏备案); brushes and floss are not.
            _cat("beauty.oral.toothpaste", "牙膏", "Toothpaste", qualifications=[COSMETICS]),
            _cat("beauty.oral.toothbrushes", "牙刷", "Toothbrushes"),
            _cat("beauty.oral.floss", "牙线/漱口水", "Floss & mouthwash"),
        ),
        _cat(
            "beauty.tools", "美妆工具/个护电器", "Beauty tools & personal-care appliances",
            _cat("beauty.tools.brushes", "化妆刷/美妆蛋", "Makeup brushes & sponges"),
            _cat("beauty.tools.hair_dryers", "电吹风", "Hair dryers", qualifications=[CCC]),
            _cat("beauty.tools.shavers", "电动剃须刀", "Electric shavers", qualifications=[CCC]),
            _cat("beauty.tools.hair_stylers", "卷发棒/直发器", "Hair stylers",
                 qualifications=[CCC]),
        ),
    ),
    # 食品生鲜 (the handbook's "乳品" = 食品).
    _cat(
        "food", "食品生鲜", "Food & fresh produce",
        _cat(
            "food.snacks", "休闲零食", "Snacks",
            _cat("food.snacks.nuts", "坚果炒货", "Nuts & roasted seeds"),
            _cat("food.snacks.pastries", "糕点/饼干", "Pastries & biscuits"),
            _cat("food.snacks.candy", "糖果/巧克力", "Candy & chocolate"),
            _cat("food.snacks.jerky", "肉干肉脯", "Jerky"),
            _cat("food.snacks.dried_fruit", "蜜饯果干", "Dried & candied fruit"),
            qualifications=[FOOD],
            prepackaged_food=True,
        ),
        _cat(
            "food.staples", "粮油调味", "Grain, oil & seasoning",
            _cat("food.staples.rice_flour", "米面杂粮", "Rice, flour & grains"),
            _cat("food.staples.oil", "食用油", "Cooking oil"),
            _cat("food.staples.condiments", "调味品", "Condiments"),
            _cat("food.staples.instant", "方便速食", "Instant food"),
            qualifications=[FOOD],
            prepackaged_food=True,
        ),
        _cat(
            "food.drinks", "酒水饮料", "Drinks & alcohol",
            _cat("food.drinks.baijiu", "白酒", "Baijiu"),
            _cat("food.drinks.wine", "葡萄酒", "Wine"),
            _cat("food.drinks.beer", "啤酒", "Beer"),
            _cat("food.drinks.soft_drinks", "饮料/饮用水", "Soft drinks & water"),
            _cat("food.drinks.coffee", "咖啡/冲饮", "Coffee & instant drinks"),
            qualifications=[FOOD],
            prepackaged_food=True,
        ),
        _cat(
            "food.tea", "茶叶", "Tea",
            _cat("food.tea.green", "绿茶", "Green tea"),
            _cat("food.tea.black", "红茶", "Black tea"),
            _cat("food.tea.puer", "普洱茶", "Pu'er tea"),
            qualifications=[FOOD],
            prepackaged_food=True,
        ),
        _cat(
            "food.fruit", "新鲜水果", "Fresh fruit",
            _cat("food.fruit.citrus", "柑橘橙柚", "Citrus"),
            _cat("food.fruit.apples_pears", "苹果/梨", "Apples & pears"),
            _cat("food.fruit.tropical", "热带水果", "Tropical fruit"),
            _cat("food.fruit.berries", "莓果/樱桃", "Berries & cherries"),
            qualifications=[QUARANTINE],
            seven_day_return=False,  # 鲜活易腐
        ),
        _cat(
            "food.vegetables", "新鲜蔬菜", "Fresh vegetables",
            _cat("food.vegetables.leafy", "叶菜类", "Leafy vegetables"),
            _cat("food.vegetables.roots", "根茎类", "Root vegetables"),
            _cat("food.vegetables.beans", "鲜豆类", "Fresh beans & pods"),
            _cat("food.vegetables.mushrooms", "鲜菌菇", "Fresh mushrooms"),
            qualifications=[QUARANTINE],
            seven_day_return=False,  # 鲜活易腐
        ),
        _cat(
            "food.meat_seafood", "肉禽蛋/水产", "Meat, eggs & seafood",
            _cat("food.meat_seafood.meat", "猪牛羊肉", "Pork, beef & lamb"),
            _cat("food.meat_seafood.poultry_eggs", "禽肉蛋品", "Poultry & eggs"),
            _cat("food.meat_seafood.seafood", "海鲜水产", "Seafood"),
            seven_day_return=False,  # 鲜活易腐
        ),
        # 进口食品 (general-trade imports, 一般贸易进口) is OPEN with customs documents, unlike
        # cross-border e-commerce 跨境电商 which is on the not-open list ("not_open.cross_border").
        _cat(
            "food.imported", "进口食品", "Imported food (general trade)",
            _cat("food.imported.snacks", "进口零食", "Imported snacks"),
            _cat("food.imported.wine", "进口葡萄酒", "Imported wine"),
            _cat("food.imported.dairy", "进口乳制品", "Imported dairy"),
            qualifications=[FOOD, CUSTOMS],
            prepackaged_food=True,
        ),
    ),
    # 母婴 — infant formula registration; CCC on strollers and child seats.
    _cat(
        "baby", "母婴", "Mother & baby",
        _cat(
            "baby.formula", "婴幼儿奶粉", "Infant formula",
            _cat("baby.formula.stage1", "婴儿配方奶粉(1段)", "Infant formula, stage 1"),
            _cat("baby.formula.stage2", "较大婴儿配方奶粉(2段)", "Follow-on formula, stage 2"),
            _cat("baby.formula.stage3", "幼儿配方奶粉(3段)", "Growing-up formula, stage 3"),
            qualifications=[FOOD, FORMULA],
            prepackaged_food=True,
        ),
        _cat(
            "baby.food", "婴童辅食", "Baby food",
            _cat("baby.food.cereal", "米粉/米糊", "Infant cereal"),
            _cat("baby.food.puree", "果泥/菜泥", "Purees"),
            _cat("baby.food.snacks", "宝宝零食", "Baby snacks"),
            qualifications=[FOOD],
            prepackaged_food=True,
        ),
        _cat(
            "baby.diapers", "尿裤湿巾", "Diapers & wipes",
            _cat("baby.diapers.diapers", "纸尿裤/拉拉裤", "Diapers & pull-ups"),
            _cat("baby.diapers.wipes", "婴儿湿巾", "Baby wipes"),
        ),
        _cat(
            "baby.feeding", "喂养用品", "Feeding",
            _cat("baby.feeding.bottles", "奶瓶/奶嘴", "Bottles & teats"),
            _cat("baby.feeding.sterilisers", "消毒器/暖奶器", "Sterilisers & bottle warmers",
                 qualifications=[CCC]),
            _cat("baby.feeding.tableware", "儿童餐具", "Children's tableware"),
        ),
        _cat(
            "baby.gear", "童车童床/安全座椅", "Strollers, cots & child seats",
            _cat("baby.gear.strollers", "婴儿推车", "Strollers", qualifications=[CCC]),
            _cat("baby.gear.child_seats", "儿童安全座椅", "Child car seats", qualifications=[CCC]),
            _cat("baby.gear.cots", "婴儿床", "Cots"),
        ),
        _cat(
            "baby.maternity", "孕产用品", "Maternity",
            _cat("baby.maternity.clothing", "孕妇装/哺乳衣", "Maternity & nursing wear"),
            _cat("baby.maternity.pumps", "吸奶器", "Breast pumps"),
        ),
    ),
    # 珠宝文玩 — the handbook's 一级类目 珠宝/钟表 is split here into 珠宝文玩 and 钟表.
    _cat(
        "jewelry", "珠宝文玩", "Jewellery, jade & collectibles",
        # 二级 玉石 with the special-category deposit table (SPEC §2). 闪电购 "珠宝/玉石
        # (仅翡翠基地用户)": allowed for jadeite-base merchants only.
        _cat(
            "jewelry.jade", "珠宝玉石", "Jade & gems",
            # 邀请制: not open outside an industry-belt base; 50,000 inside a base.
            _cat(
                "jewelry.jade.rough_jadeite", "翡翠原石", "Rough jadeite",
                status=STATUS_NOT_OPEN,  # override of the open parent (邀请制, 暂不对外开放)
                deposit_industry_base="50000",
                invitation_only=True,
            ),
            _cat(
                "jewelry.jade.finished_jadeite", "翡翠成品", "Finished jadeite",
                deposit_standard="20000",
                deposit_industry_base="5000",
            ),
            _cat("jewelry.jade.hetian_jade", "和田玉", "Hetian jade",
                 deposit_standard="10000", deposit_industry_base="5000"),
            _cat("jewelry.jade.gems", "宝石", "Gems",
                 deposit_standard="10000", deposit_industry_base="5000"),
            _cat("jewelry.jade.agate", "玛瑙", "Agate",
                 deposit_standard="10000", deposit_industry_base="5000"),
            _cat("jewelry.jade.other_jadeite", "其它翡翠", "Other jadeite",
                 deposit_standard="10000", deposit_industry_base="5000"),
            _cat("jewelry.jade.coloured_gems", "彩色宝石", "Coloured gems",
                 deposit_standard="10000", deposit_industry_base="5000"),
            _cat("jewelry.jade.pearls", "珍珠", "Pearls",
                 deposit_standard="10000", deposit_industry_base="5000"),
            _cat("jewelry.jade.other_gems", "其它宝石", "Other gems",
                 deposit_standard="10000", deposit_industry_base="5000"),
            lightning_purchase=True,
            lightning_base_only=True,
        ),
        # 首饰/配饰 — 闪电购 open category.
        _cat(
            "jewelry.accessories", "首饰/配饰", "Fashion jewellery & accessories",
            _cat("jewelry.accessories.necklaces", "项链/吊坠", "Necklaces & pendants"),
            _cat("jewelry.accessories.earrings", "耳饰", "Earrings"),
            _cat("jewelry.accessories.bracelets", "手链/手镯", "Bracelets & bangles"),
            _cat("jewelry.accessories.rings", "戒指", "Rings"),
            _cat("jewelry.accessories.hair", "发饰", "Hair accessories"),
            _cat("jewelry.accessories.silver", "银饰", "Silver jewellery"),
            # 定作商品 are exempt from 七天无理由 by law.
            _cat("jewelry.accessories.custom", "定制首饰(刻字/定做)", "Custom-made jewellery",
                 seven_day_return=False),
            lightning_purchase=True,
        ),
        # Precious-metal jewellery is kept out of 闪电购 (judgement call: high unit value,
        # priced by weight; the handbook's "首饰/配饰" is read as fashion jewellery).
        _cat(
            "jewelry.precious_metal", "黄金/铂金/K金", "Gold, platinum & karat jewellery",
            _cat("jewelry.precious_metal.gold", "黄金首饰", "Gold jewellery"),
            _cat("jewelry.precious_metal.platinum", "铂金首饰", "Platinum jewellery"),
            _cat("jewelry.precious_metal.karat", "K金首饰", "Karat-gold jewellery"),
        ),
        # Modern collectibles only; cultural relics 文物 are prohibited ("prohibited.relics").
        _cat(
            "jewelry.collectibles", "文玩收藏", "Collectibles",
            _cat("jewelry.collectibles.beads", "文玩手串/菩提", "Prayer-bead bracelets"),
            _cat("jewelry.collectibles.walnuts", "文玩核桃", "Hand walnuts"),
            _cat("jewelry.collectibles.teapots", "紫砂壶", "Zisha teapots"),
            _cat("jewelry.collectibles.art", "当代书画", "Contemporary calligraphy & painting"),
        ),
    ),
    # 钟表 — brand authorisation required for wristwatches (high counterfeiting risk).
    _cat(
        "watches", "钟表", "Watches & clocks",
        _cat(
            "watches.wrist", "腕表", "Wristwatches",
            _cat("watches.wrist.mechanical", "机械表", "Mechanical watches"),
            _cat("watches.wrist.quartz", "石英表", "Quartz watches"),
            _cat("watches.wrist.kids", "儿童手表", "Children's watches"),
            qualifications=[BRAND],
        ),
        _cat(
            "watches.clocks", "时钟", "Clocks",
            _cat("watches.clocks.wall", "挂钟", "Wall clocks"),
            _cat("watches.clocks.alarm", "闹钟/座钟", "Alarm & desk clocks"),
        ),
        _cat(
            "watches.accessories", "钟表配件", "Watch accessories",
            _cat("watches.accessories.straps", "表带", "Watch straps"),
            _cat("watches.accessories.boxes", "表盒/摇表器", "Watch boxes & winders"),
        ),
    ),
    # 数码家电 — CCC where the product is in the CCC catalogue (not on cases, earphones …).
    # Fee 2 % (judgement call, illustrative: low-margin category; all others 5 %).
    _cat(
        "digital", "数码家电", "Digital & appliances",
        _cat(
            "digital.phones", "手机", "Mobile phones",
            _cat("digital.phones.smartphones", "智能手机", "Smartphones"),
            _cat("digital.phones.senior", "老人机", "Feature phones for seniors"),
            qualifications=[CCC],
        ),
        _cat(
            "digital.phone_accessories", "手机配件", "Phone accessories",
            _cat("digital.phone_accessories.chargers", "充电器/数据线", "Chargers & cables",
                 qualifications=[CCC]),
            _cat("digital.phone_accessories.power_banks", "移动电源", "Power banks",
                 qualifications=[CCC]),
            _cat("digital.phone_accessories.cases", "手机壳/保护套", "Phone cases"),
            _cat("digital.phone_accessories.screen_protectors", "手机贴膜", "Screen protectors"),
        ),
        _cat(
            "digital.computers", "电脑办公", "Computers & office",
            _cat("digital.computers.laptops", "笔记本电脑", "Laptops"),
            _cat("digital.computers.tablets", "平板电脑", "Tablets"),
            _cat("digital.computers.monitors", "显示器", "Monitors"),
            _cat("digital.computers.printers", "打印机", "Printers"),
            qualifications=[CCC],
        ),
        _cat(
            "digital.audio_video", "影音娱乐", "Audio & video",
            _cat("digital.audio_video.headphones", "耳机", "Headphones"),
            _cat("digital.audio_video.speakers", "音箱", "Speakers", qualifications=[CCC]),
            _cat("digital.audio_video.cameras", "数码相机", "Digital cameras"),
            _cat("digital.audio_video.smartwatches", "智能手表/手环", "Smartwatches & bands"),
        ),
        _cat(
            "digital.large_appliances", "大家电", "Large appliances",
            _cat("digital.large_appliances.tvs", "电视", "Televisions"),
            _cat("digital.large_appliances.fridges", "冰箱", "Refrigerators"),
            _cat("digital.large_appliances.washers", "洗衣机", "Washing machines"),
            _cat("digital.large_appliances.air_conditioners", "空调", "Air conditioners"),
            qualifications=[CCC],
        ),
        _cat(
            "digital.kitchen_appliances", "厨房小电", "Kitchen appliances",
            _cat("digital.kitchen_appliances.rice_cookers", "电饭煲", "Rice cookers"),
            _cat("digital.kitchen_appliances.air_fryers", "空气炸锅", "Air fryers"),
            _cat("digital.kitchen_appliances.kettles", "电水壶", "Electric kettles"),
            _cat("digital.kitchen_appliances.blenders", "破壁机/料理机", "Blenders"),
            qualifications=[CCC],
        ),
        _cat(
            "digital.home_appliances", "生活电器", "Household appliances",
            _cat("digital.home_appliances.vacuums", "吸尘器", "Vacuum cleaners"),
            _cat("digital.home_appliances.fans", "电风扇", "Electric fans"),
            _cat("digital.home_appliances.heaters", "取暖器", "Heaters"),
            qualifications=[CCC],
        ),
        service_fee_rate="0.02",
    ),
    # 玩具 — CCC for children's toys (under 14); adult collectible figures are not in scope.
    _cat(
        "toys", "玩具", "Toys",
        _cat(
            "toys.plush", "毛绒布艺", "Plush toys",
            _cat("toys.plush.stuffed", "毛绒公仔", "Stuffed animals"),
            _cat("toys.plush.dolls", "娃娃玩具", "Dolls"),
            qualifications=[CCC],
        ),
        _cat(
            "toys.building", "积木拼插", "Building blocks",
            _cat("toys.building.blocks", "积木", "Blocks"),
            _cat("toys.building.magnetic_tiles", "磁力片", "Magnetic tiles"),
            qualifications=[CCC],
        ),
        _cat(
            "toys.electric", "遥控/电动玩具", "Remote-control & electric toys",
            _cat("toys.electric.rc_cars", "遥控车", "RC cars"),
            _cat("toys.electric.drones", "玩具无人机", "Toy drones"),
            qualifications=[CCC],
        ),
        _cat(
            "toys.ride_on", "儿童自行车/滑板车", "Ride-on toys",
            _cat("toys.ride_on.bicycles", "儿童自行车", "Children's bicycles"),
            _cat("toys.ride_on.scooters", "儿童滑板车/扭扭车", "Kids' scooters"),
            qualifications=[CCC],
        ),
        _cat(
            "toys.models", "模型/手办", "Models & figures",
            _cat("toys.models.figures", "手办/潮玩", "Figures & designer toys"),
            _cat("toys.models.kits", "拼装模型", "Model kits"),
        ),
    ),
    # 家居 — 闪电购 open category "家居生活".
    _cat(
        "home", "家居生活", "Home living",
        _cat(
            "home.textiles", "床上用品/家纺", "Bedding & home textiles",
            _cat("home.textiles.bedding_sets", "床品四件套", "Bedding sets"),
            _cat("home.textiles.duvets", "被子/被芯", "Duvets"),
            _cat("home.textiles.pillows", "枕头", "Pillows"),
            _cat("home.textiles.towels", "毛巾/浴巾", "Towels"),
        ),
        _cat(
            "home.kitchenware", "厨具餐具", "Cookware & tableware",
            _cat("home.kitchenware.pots", "锅具", "Pots & pans"),
            _cat("home.kitchenware.knives", "厨房刀具", "Kitchen knives"),
            _cat("home.kitchenware.tableware", "碗碟餐具", "Tableware"),
            _cat("home.kitchenware.cups", "水杯/保温杯", "Cups & flasks"),
        ),
        _cat(
            "home.storage", "收纳整理", "Storage",
            _cat("home.storage.boxes", "收纳箱/收纳盒", "Storage boxes"),
            _cat("home.storage.hangers", "衣架", "Hangers"),
        ),
        _cat(
            "home.cleaning", "家庭清洁/纸品", "Cleaning & paper",
            _cat("home.cleaning.laundry", "洗衣液/洗衣凝珠", "Laundry detergent"),
            _cat("home.cleaning.tissues", "纸巾/卷纸", "Tissues & toilet paper"),
            _cat("home.cleaning.tools", "清洁工具", "Cleaning tools"),
        ),
        _cat(
            "home.furniture", "家具", "Furniture",
            _cat("home.furniture.sofas", "沙发", "Sofas"),
            _cat("home.furniture.beds", "床/床垫", "Beds & mattresses"),
            _cat("home.furniture.tables", "桌椅", "Tables & chairs"),
        ),
        _cat(
            "home.decor", "家饰/灯具", "Decor & lighting",
            _cat("home.decor.lamps", "灯具", "Lamps", qualifications=[CCC]),
            _cat("home.decor.curtains", "窗帘", "Curtains"),
            _cat("home.decor.ornaments", "摆件/装饰画", "Ornaments & wall art"),
        ),
        lightning_purchase=True,
    ),
    # 户外运动 — 闪电购 open category.
    _cat(
        "outdoor", "户外运动", "Outdoor & sports",
        _cat(
            "outdoor.sportswear", "运动服饰", "Sportswear",
            _cat("outdoor.sportswear.clothing", "运动服", "Sports clothing"),
            _cat("outdoor.sportswear.shoes", "运动鞋", "Sports shoes"),
        ),
        _cat(
            "outdoor.camping", "户外装备", "Camping & hiking",
            _cat("outdoor.camping.tents", "帐篷/天幕", "Tents & tarps"),
            _cat("outdoor.camping.sleeping_bags", "睡袋/防潮垫", "Sleeping bags & mats"),
            _cat("outdoor.camping.furniture", "户外桌椅", "Camping furniture"),
            _cat("outdoor.camping.clothing", "冲锋衣/户外服", "Outdoor jackets"),
        ),
        _cat(
            "outdoor.fitness", "健身器材", "Fitness equipment",
            _cat("outdoor.fitness.dumbbells", "哑铃/杠铃", "Dumbbells & barbells"),
            _cat("outdoor.fitness.yoga", "瑜伽垫/瑜伽用品", "Yoga"),
            _cat("outdoor.fitness.machines", "跑步机/健身车", "Treadmills & exercise bikes"),
        ),
        # Rod-and-line angling only; electric fishing gear is prohibited (hunting tools).
        _cat(
            "outdoor.fishing", "垂钓用品", "Fishing",
            _cat("outdoor.fishing.rods", "鱼竿", "Fishing rods"),
            _cat("outdoor.fishing.reels", "渔轮/鱼线", "Reels & lines"),
            _cat("outdoor.fishing.bait", "鱼饵/钓饵", "Bait & lures"),
        ),
        _cat(
            "outdoor.cycling", "骑行", "Cycling",
            _cat("outdoor.cycling.bicycles", "自行车", "Bicycles"),
            # 电动自行车乘员头盔 is in the CCC catalogue.
            _cat("outdoor.cycling.helmets", "骑行头盔", "Cycling helmets", qualifications=[CCC]),
        ),
        _cat(
            "outdoor.ball_sports", "球类运动", "Ball sports",
            _cat("outdoor.ball_sports.basketball", "篮球", "Basketball"),
            _cat("outdoor.ball_sports.football", "足球", "Football"),
            _cat("outdoor.ball_sports.badminton", "羽毛球", "Badminton"),
        ),
        lightning_purchase=True,
    ),
    # 鲜花绿植 — 闪电购 "鲜花/绿植" (the handbook lists it together with 汽车用具).
    _cat(
        "flowers", "鲜花绿植", "Flowers & plants",
        _cat(
            "flowers.fresh", "鲜花速递", "Fresh flowers",
            _cat("flowers.fresh.bouquets", "鲜花花束", "Bouquets"),
            _cat("flowers.fresh.home_flowers", "家庭鲜切花", "Cut flowers for the home"),
            seven_day_return=False,  # 鲜活易腐
        ),
        _cat(
            "flowers.plants", "绿植盆栽", "Potted plants",
            _cat("flowers.plants.foliage", "观叶绿植", "Foliage plants"),
            _cat("flowers.plants.succulents", "多肉植物", "Succulents"),
            _cat("flowers.plants.flowering", "开花盆栽", "Flowering pot plants"),
            # Live plants shipped across provinces need a plant quarantine certificate.
            qualifications=[QUARANTINE],
            seven_day_return=False,  # 鲜活易腐
        ),
        _cat(
            "flowers.gardening", "园艺用品", "Gardening supplies",
            _cat("flowers.gardening.pots", "花盆/花架", "Pots & stands"),
            _cat("flowers.gardening.soil", "营养土/花肥", "Soil & plant food"),
            _cat("flowers.gardening.tools", "园艺工具", "Garden tools"),
        ),
        _cat(
            "flowers.artificial", "仿真花/干花", "Artificial & dried flowers",
            _cat("flowers.artificial.silk", "仿真花", "Artificial flowers"),
            _cat("flowers.artificial.dried", "干花/永生花", "Dried & preserved flowers"),
        ),
        lightning_purchase=True,
    ),
    # 汽车用品 — 闪电购 "汽车用具". Vehicles themselves are not open ("not_open.cars").
    _cat(
        "auto", "汽车用品", "Car supplies",
        _cat(
            "auto.interior", "汽车内饰", "Car interior",
            _cat("auto.interior.seat_covers", "座垫/座套", "Seat covers"),
            _cat("auto.interior.floor_mats", "脚垫", "Floor mats"),
            _cat("auto.interior.fragrance", "车载香氛", "Car fragrance"),
        ),
        _cat(
            "auto.electronics", "车载电器", "Car electronics",
            _cat("auto.electronics.dashcams", "行车记录仪", "Dashcams"),
            _cat("auto.electronics.chargers", "车载充电器", "Car chargers"),
            _cat("auto.electronics.air_purifiers", "车载净化器", "Car air purifiers"),
        ),
        _cat(
            "auto.care", "汽车美容养护", "Car care",
            _cat("auto.care.cleaning", "洗车用品", "Car-wash products"),
            _cat("auto.care.oil", "机油/养护品", "Motor oil & additives"),
            _cat("auto.care.wipers", "雨刮器", "Wiper blades"),
        ),
        lightning_purchase=True,
    ),
    # 图书 — fee 2 % (judgement call, illustrative).
    _cat(
        "books", "图书", "Books",
        _cat(
            "books.children", "童书", "Children's books",
            _cat("books.children.picture", "绘本", "Picture books"),
            _cat("books.children.science", "少儿科普", "Children's science"),
        ),
        _cat(
            "books.education", "教材教辅", "Textbooks & study aids",
            _cat("books.education.textbooks", "教材", "Textbooks"),
            _cat("books.education.exam", "考试/教辅", "Exam preparation"),
        ),
        _cat(
            "books.literature", "文学小说", "Literature & fiction",
            _cat("books.literature.novels", "小说", "Novels"),
            _cat("books.literature.classics", "名著/诗歌散文", "Classics, poetry & essays"),
        ),
        _cat(
            "books.nonfiction", "人文社科/经管", "Humanities & business",
            _cat("books.nonfiction.history", "历史", "History"),
            _cat("books.nonfiction.business", "经济管理", "Business & economics"),
            _cat("books.nonfiction.self_help", "励志成长", "Self-help"),
        ),
        # 交付的报纸、期刊 are exempt from 七天无理由 by law.
        _cat(
            "books.periodicals", "报刊杂志", "Newspapers & periodicals",
            seven_day_return=False,
        ),
        service_fee_rate="0.02",
    ),
    # 宠物
    _cat(
        "pets", "宠物", "Pets",
        _cat(
            "pets.food", "宠物食品", "Pet food",
            _cat("pets.food.dog", "狗粮", "Dog food"),
            _cat("pets.food.cat", "猫粮", "Cat food"),
            _cat("pets.food.treats", "宠物零食", "Pet treats"),
        ),
        _cat(
            "pets.supplies", "宠物用品", "Pet supplies",
            _cat("pets.supplies.litter", "猫砂", "Cat litter"),
            _cat("pets.supplies.toys", "宠物玩具", "Pet toys"),
            _cat("pets.supplies.leashes", "牵引绳/项圈", "Leashes & collars"),
            _cat("pets.supplies.beds", "宠物窝", "Pet beds"),
        ),
        _cat(
            "pets.grooming", "宠物洗护", "Pet grooming",
            _cat("pets.grooming.shampoo", "宠物沐浴露", "Pet shampoo"),
            _cat("pets.grooming.tools", "梳毛/指甲工具", "Grooming tools"),
        ),
        _cat(
            "pets.aquarium", "水族用品", "Aquarium supplies",
            _cat("pets.aquarium.tanks", "鱼缸", "Fish tanks"),
            _cat("pets.aquarium.filters", "过滤/增氧设备", "Filters & aerators"),
        ),
        # Override: live animals are NOT OPEN under the open 宠物 branch (活体 belong to the
        # not-open 畜牧种植/活体 family; the platform does not ship live animals).
        _cat(
            "pets.live", "活体宠物", "Live pets",
            _cat("pets.live.cats_dogs", "猫狗活体", "Live cats & dogs"),
            _cat("pets.live.fish", "观赏鱼活体", "Live ornamental fish"),
            _cat("pets.live.small_pets", "小宠活体", "Live small pets"),
            status=STATUS_NOT_OPEN,
        ),
    ),
    # -----------------------------------------------------------------------
    # 禁售 — prohibited (SPEC §4; handbook "平台禁限售品类 / 禁售品", items 10–12 and the
    # visible part of 1–9). Entries marked "platform-common" are from the lost part of the
    # flattened list ("包括但不限于") and are the usual items of Chinese platforms' lists.
    # -----------------------------------------------------------------------
    _cat(
        "prohibited", "禁售商品", "Prohibited goods",
        _cat(
            "prohibited.wildlife", "野生保护动植物", "Protected wildlife & plants",
            _cat("prohibited.wildlife.animals", "国家保护动物及其制品",
                 "Protected animals & their products"),
            _cat("prohibited.wildlife.plants", "国家保护植物及其制品",
                 "Protected plants & their products"),
            _cat("prohibited.wildlife.ivory_horn", "象牙/犀角/虎骨等制品",
                 "Ivory, rhino horn, tiger bone products"),
        ),
        _cat(
            "prohibited.organs", "人体器官及其制品", "Human organs & their products",
            _cat("prohibited.organs.organs", "人体器官", "Human organs"),
            _cat("prohibited.organs.tissue_blood", "人体组织/血液", "Human tissue & blood"),
            _cat("prohibited.organs.placenta", "胎盘及其制品", "Placenta products"),
        ),
        _cat(
            "prohibited.hunting", "动物猎捕工具", "Animal hunting tools",
            _cat("prohibited.hunting.traps", "捕兽夹/猎套", "Animal traps & snares"),
            _cat("prohibited.hunting.electric", "电鱼机/电猫器", "Electro-fishing & shock devices"),
            _cat("prohibited.hunting.lures", "诱捕器/鸟媒", "Bird callers & decoys"),
        ),
        _cat(
            "prohibited.illegal_software", "非法所得及非法用途软件、工具或设备",
            "Illegal software, tools & devices",
            _cat("prohibited.illegal_software.cheats", "外挂/作弊软件", "Game cheats & hacks"),
            _cat("prohibited.illegal_software.spy", "窃听/窃照器材", "Eavesdropping & spy cameras"),
            _cat("prohibited.illegal_software.jammers", "信号屏蔽器/伪基站",
                 "Signal jammers & fake base stations"),
            _cat("prohibited.illegal_software.lockpicks", "开锁工具", "Lock-picking tools"),
        ),
        _cat(
            "prohibited.virtual", "虚拟类(未经国家备案)", "Unregistered virtual goods",
            _cat("prohibited.virtual.unregistered_games", "未备案网络游戏",
                 "Unregistered online games"),
            _cat("prohibited.virtual.game_cards", "游戏点卡", "Game point cards"),
            _cat("prohibited.virtual.currency", "虚拟货币", "Virtual currency"),
        ),
        _cat(
            "prohibited.currency", "伪造/变造货币", "Counterfeit currency",
            _cat("prohibited.currency.counterfeit", "伪造/变造货币", "Forged & altered money"),
            _cat("prohibited.currency.rmb", "人民币及其衍生品", "RMB & derivatives"),
        ),
        _cat("prohibited.relics", "文物", "Cultural relics"),
        _cat(
            "prohibited.military", "军需/特供品", "Military & police supplies",
            _cat("prohibited.military.military", "军需品", "Military supplies"),
            _cat("prohibited.military.special_supply", "特供品", "Special-supply goods"),
            _cat("prohibited.military.police", "警用装备", "Police equipment"),
        ),
        _cat("prohibited.pyramid", "非法传销商品", "Pyramid-scheme goods"),
        _cat("prohibited.recalled", "明令淘汰/停售/召回商品",
             "Goods banned, withdrawn or recalled by regulators"),
        _cat(
            "prohibited.counterfeits", "制假风险类商品", "Counterfeits",
            _cat("prohibited.counterfeits.fake_brands", "假冒注册商标商品", "Fake-brand goods"),
            _cat("prohibited.counterfeits.shoddy", "伪劣商品", "Shoddy goods"),
        ),
        # platform-common
        _cat(
            "prohibited.weapons", "枪支弹药/管制器具", "Firearms, ammunition & controlled knives",
            _cat("prohibited.weapons.guns", "枪支弹药及配件", "Firearms, ammunition & parts"),
            _cat("prohibited.weapons.knives", "管制刀具", "Controlled knives"),
        ),
        _cat("prohibited.drugs", "毒品/易制毒化学品", "Drugs & precursor chemicals"),  # common
        _cat("prohibited.hazardous", "易燃易爆/危险化学品", "Hazardous chemicals"),  # common
        _cat("prohibited.obscene", "色情淫秽物品", "Obscene goods"),  # platform-common
        _cat("prohibited.gambling", "赌博用具", "Gambling devices"),  # platform-common
        _cat("prohibited.tobacco", "烟草/电子烟", "Tobacco & e-cigarettes"),  # common
        status=STATUS_PROHIBITED,
    ),
    # -----------------------------------------------------------------------
    # 未开放 — not open (SPEC §4; handbook "票类 / 运营商虚拟产品 / 其它未开放类目").
    # -----------------------------------------------------------------------
    _cat(
        "not_open", "未开放类目", "Not-open categories",
        _cat(
            "not_open.tickets", "票类", "Tickets",
            _cat("not_open.tickets.admission", "门票", "Admission tickets"),
            _cat("not_open.tickets.movie", "电影票", "Movie tickets"),
            _cat("not_open.tickets.shows", "演出票", "Show tickets"),
        ),
        _cat(
            "not_open.carrier", "运营商虚拟产品", "Carrier virtual products",
            _cat("not_open.carrier.sim_cards", "电话卡/流量卡", "SIM & data cards"),
            _cat("not_open.carrier.top_up", "话费/流量充值", "Phone & data top-ups"),
        ),
        _cat("not_open.cross_border", "跨境电商", "Cross-border e-commerce"),
        _cat(
            "not_open.livestock_planting", "畜牧种植", "Livestock & planting",
            _cat("not_open.livestock_planting.livestock", "畜禽活体", "Live livestock & poultry"),
            _cat("not_open.livestock_planting.seeds", "种子种苗", "Seeds & seedlings"),
            _cat("not_open.livestock_planting.agri_inputs", "农药/兽药", "Pesticides & vet drugs"),
        ),
        _cat(
            "not_open.real_estate", "房产/地产", "Real estate",
            _cat("not_open.real_estate.new_homes", "新房", "New homes"),
            _cat("not_open.real_estate.resale", "二手房", "Resale homes"),
            _cat("not_open.real_estate.rental", "房屋租赁", "Rentals"),
        ),
        _cat(
            "not_open.cars", "汽车", "Cars",
            _cat("not_open.cars.new", "新车", "New cars"),
            _cat("not_open.cars.used", "二手车", "Used cars"),
        ),
        _cat(
            "not_open.machinery", "机械设备", "Machinery & equipment",
            _cat("not_open.machinery.construction", "工程机械", "Construction machinery"),
            _cat("not_open.machinery.agricultural", "农业机械", "Agricultural machinery"),
        ),
        _cat(
            "not_open.games_memberships", "游戏/会员", "Games & memberships",
            _cat("not_open.games_memberships.accounts", "游戏账号/道具", "Game accounts & items"),
            _cat("not_open.games_memberships.memberships", "视频/网站会员", "Online memberships"),
        ),
        _cat(
            "not_open.health_beauty", "健康美容服务", "Health & beauty services",
            _cat("not_open.health_beauty.aesthetics", "医疗美容", "Medical aesthetics"),
            _cat("not_open.health_beauty.checkups", "体检服务", "Health check-ups"),
            _cat("not_open.health_beauty.salon", "美容美发服务", "Salon services"),
        ),
        _cat(
            "not_open.education", "培训教育", "Training & education",
            _cat("not_open.education.online_courses", "在线课程", "Online courses"),
            _cat("not_open.education.vocational", "职业技能培训", "Vocational training"),
        ),
        _cat("not_open.insurance", "保险", "Insurance"),
        _cat(
            "not_open.hotel_travel", "酒店/交通出游", "Hotels, transport & travel",
            _cat("not_open.hotel_travel.hotels", "酒店住宿", "Hotel stays"),
            _cat("not_open.hotel_travel.transport", "机票/火车票", "Air & train tickets"),
            _cat("not_open.hotel_travel.tours", "旅游线路", "Tour packages"),
        ),
        status=STATUS_NOT_OPEN,
    ),
]


# ---------------------------------------------------------------------------
# Deposits (保证金) — SPEC §2
# ---------------------------------------------------------------------------
# base_*: base amount of each deposit type. sales_tiers: by the previous natural month's
# sales, the tier with the largest min_sales <= sales applies; None = the base amount.
# Required store deposit = max(base, sales tier, highest category amount over the store's
# categories), where a category's amount is deposit_industry_base for a merchant inside an
# industry-belt base (when set) and deposit_standard otherwise (None = base).
# The amounts are the declared defaults of the ``deposit.*`` configuration keys.
def deposit_config() -> dict[str, Any]:
    def amount(key: str) -> str:
        return str(_config_default(f"deposit.{key}"))

    return {
        "base_store": amount("base_store"),
        "base_promotion": amount("base_promotion"),
        "sales_tiers": [
            {"min_sales": "0", "store": None, "promotion": None},
            *({"min_sales": amount(f"tier{n}_min_sales"), "store": amount(f"tier{n}_store"),
               "promotion": amount(f"tier{n}_promotion")} for n in (1, 2)),
        ],
    }


def __getattr__(name: str):
    # DEPOSIT_CONFIG and ROOT_DEFAULTS read configuration when used, not at import.
    if name == "DEPOSIT_CONFIG":
        return deposit_config()
    if name == "ROOT_DEFAULTS":
        return root_defaults()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ---------------------------------------------------------------------------
# Helper (no I/O): the tree flattened with inherited values resolved.
# ---------------------------------------------------------------------------
def flatten_category_tree(tree: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Return every node, parents before children, as a flat dict with:

    ``code``, ``name_zh``, ``name_en``, ``level`` (1–3), ``parent_code`` (None at level 1),
    the node's own raw fields, and the effective values ``effective_status``,
    ``effective_service_fee_rate``, ``effective_seven_day_return``,
    ``effective_lightning_purchase``, ``effective_lightning_base_only``,
    ``effective_prepackaged_food`` and ``effective_qualifications`` (own + ancestors',
    ancestors first, no duplicates).
    """
    out: list[dict[str, Any]] = []
    defaults = root_defaults()

    def walk(nodes: list[dict[str, Any]], parent: dict[str, Any] | None, level: int) -> None:
        for node in nodes:
            flat = {k: v for k, v in node.items() if k != "children"}
            flat["level"] = level
            flat["parent_code"] = parent["code"] if parent else None
            for field in ("status", "service_fee_rate", "seven_day_return",
                          "lightning_purchase"):
                own = node[field]
                if own is not None:
                    flat[f"effective_{field}"] = own
                elif parent is not None:
                    flat[f"effective_{field}"] = parent[f"effective_{field}"]
                else:
                    flat[f"effective_{field}"] = defaults[field]
            for flag in ("lightning_base_only", "prepackaged_food"):
                flat[f"effective_{flag}"] = bool(node[flag]) or bool(
                    parent and parent[f"effective_{flag}"]
                )
            inherited = list(parent["effective_qualifications"]) if parent else []
            flat["effective_qualifications"] = inherited + [
                q for q in node["qualifications"] if q not in inherited
            ]
            flat["child_codes"] = [c["code"] for c in node["children"]]
            out.append(flat)
            walk(node["children"], flat, level + 1)

    walk(CATEGORY_TREE if tree is None else tree, None, 1)
    return out
