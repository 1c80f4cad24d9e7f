"""The deposit page explains the required amount with every rule considered (each
category, last month's sales and its tier, the base) and why the winner wins; a what-if
form computes the amount under other sales or one more category by the same rule
function; the balance history is a step chart with a table; "To be topped up" wording."""

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop.models import DepositAccount, Product
from shop.rules import deposits as rules
from shop.selectors.deposits import deposit_explanations, deposit_requirements
from tests.factories import ProductFactory
from tests.shop.test_deposits import jade_categories
from tests.shop.test_deposits_fixtures import D, opened_store, pay_deposit

TABLE = rules.DepositTable(
    base_store=D("500"), base_promotion=D("500"),
    tiers=(rules.SalesTier(D("100000"), D("5000"), D("3000")),
           rules.SalesTier(D("500000"), D("50000"), D("30000"))),
)
FINISHED = rules.CategoryDeposit("翡翠成品", D("20000"), D("5000"))
HETIAN = rules.CategoryDeposit("和田玉", D("10000"), D("5000"))
PLAIN = rules.CategoryDeposit("女装", None, None)
ROUGH = rules.CategoryDeposit("翡翠原石", None, D("50000"), invitation_only=True)


# --- the rule ---------------------------------------------------------------------------
def test_every_category_sales_and_base_are_listed_and_the_largest_decides():
    e = rules.requirement_explained(
        rules.STORE, table=TABLE, categories=[HETIAN, FINISHED, PLAIN, ROUGH],
        sales=D("120000"), sales_month=date(2026, 11, 1))
    by = {(r.code, r.facts.get("category")): r for r in e.rules}
    assert [r.code for r in e.rules] == ["base", "category", "category", "category",
                                         "category", "sales"]
    assert by[("category", "翡翠成品")].amount == D("20000.00")
    assert by[("category", "和田玉")].amount == D("10000.00")
    assert by[("category", "女装")].amount is None and by[("category", "女装")].why == "no_special"
    assert by[("category", "翡翠原石")].why == "invitation_only"
    sales = by[("sales", None)]
    assert sales.why == "tier" and sales.amount == D("5000.00")
    assert sales.facts["min_sales"] == D("100000.00") and sales.facts["month"] == "2026-11"
    assert e.amount == D("20000.00")
    assert e.winner.facts["category"] == "翡翠成品" and e.winner.decisive
    assert [r for r in e.rules if r.decisive] == [e.winner]


def test_industry_base_stores_meet_the_base_column_and_invitation_only_categories():
    e = rules.requirement_explained(rules.STORE, table=TABLE, categories=[FINISHED, ROUGH],
                                    industry_base=True)
    by = {r.facts.get("category"): r for r in e.rules if r.code == "category"}
    assert by["翡翠成品"].why == "industry_base" and by["翡翠成品"].amount == D("5000.00")
    assert by["翡翠原石"].amount == D("50000.00")
    assert e.winner.facts["category"] == "翡翠原石"


def test_ties_go_to_the_base_and_are_counted():
    e = rules.requirement_explained(rules.STORE, table=TABLE,
                                    categories=[rules.CategoryDeposit("小", D("500"), None)],
                                    sales=D("10"))
    assert e.winner.code == "base" and len(e.tied) == 1
    assert e.rules[-1].why == "below_tiers" and e.rules[-1].amount is None


def test_promotion_deposit_ignores_categories_and_may_not_apply():
    e = rules.requirement_explained(rules.PROMOTION, table=TABLE, categories=[FINISHED],
                                    sales=D("600000"))
    assert {r.code for r in e.rules} == {"base", "sales"} and e.amount == D("30000.00")
    off = rules.requirement_explained(rules.PROMOTION, table=TABLE, applies=False)
    assert off.amount == D("0") and not off.applies and off.rules == ()


money = st.decimals(min_value=0, max_value=10**7, places=2, allow_nan=False, allow_infinity=False)
category = st.builds(rules.CategoryDeposit, name=st.text(min_size=1, max_size=3),
                     standard=st.none() | money, industry_base=st.none() | money,
                     invitation_only=st.booleans())


@given(kind=st.sampled_from(rules.DEPOSIT_KINDS), categories=st.lists(category, max_size=5),
       industry_base=st.booleans(), sales=st.none() | money, applies=st.booleans())
def test_the_explanation_always_agrees_with_the_requirement(kind, categories, industry_base,
                                                            sales, applies):
    args = dict(table=TABLE, categories=categories, industry_base=industry_base, sales=sales,
                applies=applies)
    explained = rules.requirement_explained(kind, **args)
    assert explained.amount == rules.deposit_requirement(kind, **args).amount
    if applies:
        assert explained.winner.amount == explained.amount
        assert all(r.amount is None or r.amount <= explained.amount for r in explained.rules)
        if kind == rules.STORE:
            assert len([r for r in explained.rules if r.code == "category"]) == len(categories)


# --- from the database and through the page ----------------------------------------------
pytestmark_db = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return opened_store(merchant)


@pytest.fixture
def english(merchant_client, settings):
    merchant_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytestmark_db
def test_store_explanation_matches_the_stored_requirement_function(store):
    cats = jade_categories()
    ProductFactory(store=store, category=cats["finished"], status=Product.Status.LISTED)
    ProductFactory(store=store, category=cats["hetian"], status=Product.Status.IN_REVIEW)
    DepositAccount.objects.filter(store=store).update(sales_amount=D("150000"),
                                                      sales_month=date(2026, 11, 1))
    explained = deposit_explanations(store)
    required = deposit_requirements(store)
    for kind in ("store", "promotion"):
        assert explained[kind].amount == required[kind].amount
    cats_listed = [r.facts["category"] for r in explained["store"].rules if r.code == "category"]
    assert cats_listed == sorted(["翡翠成品", "和田玉"])


@pytestmark_db
def test_deposit_page_lists_every_rule_with_header_cells_and_a_verdict(merchant_client, store,
                                                                      english):
    cats = jade_categories()
    ProductFactory(store=store, category=cats["finished"], status=Product.Status.LISTED)
    ProductFactory(store=store, category=cats["hetian"], status=Product.Status.LISTED)
    DepositAccount.objects.filter(store=store).update(sales_amount=D("120000"),
                                                      sales_month=date(2026, 11, 1))
    html = merchant_client.get("/seller/deposit/").content.decode()
    table = re.search(r'<table class="list rules-considered">(.*?)</table>', html, re.S).group(1)
    assert '<th scope="col">' in table
    assert "翡翠成品" in table and "和田玉" in table and "¥10,000.00" in table
    assert "2026-11" in table and "¥120,000.00" in table and "¥5,000.00" in table
    assert table.count('class="decisive"') == 1
    assert re.search(r'<tr class="decisive"><th scope="row">[^<]*翡翠成品', table)
    assert "asks for the most" in html
    assert "To be topped up" in html and ">Missing<" not in html


@pytestmark_db
def test_balance_history_is_a_step_chart_with_a_table(merchant_client, store):
    pay_deposit(store, "300")
    pay_deposit(store, "200")
    html = merchant_client.get("/seller/deposit/").content.decode()
    assert 'data-chart="balance-steps"' in html and "<title id=" in html
    table = re.search(r'<table class="list balance-table">(.*?)</table>', html, re.S).group(1)
    assert "¥300.00" in table and "¥500.00" in table
    points = re.search(r'<polyline class="chart-step" points="([^"]+)"', html).group(1).split()
    # a step: the x of the second value repeats before the y changes
    assert points[1].split(",")[0] == points[2].split(",")[0]


@pytestmark_db
def test_what_if_sales_and_a_category(merchant_client, store, english):
    cats = jade_categories()
    res = merchant_client.get("/seller/deposit/", {"whatif-sales": "600000"})
    html = res.content.decode()
    answer = re.search(r'<div class="what-if-result" data-what-if>(.*?)</section>', html, re.S)
    assert answer
    assert re.search(r"If last month's sales were ¥600,000.00, the [^<]+ would be ¥50,000.00",
                     answer.group(1))
    res = merchant_client.get("/seller/deposit/", {"whatif-category": cats["hetian"].pk})
    html = res.content.decode()
    answer = re.search(r'data-what-if>(.*?)</section>', html, re.S).group(1)
    assert "和田玉" in answer and "¥10,000.00" in answer
    # the same rule function: what-if with the category equals the page once it is added
    ProductFactory(store=store, category=cats["hetian"], status=Product.Status.LISTED)
    assert deposit_explanations(store)["store"].amount == Decimal("10000.00")


@pytestmark_db
@pytest.mark.parametrize("query", [{"whatif-sales": "-1"}, {"whatif-sales": "abc"},
                                   {"whatif-sales": ""}, {"whatif-category": "999999"}])
def test_what_if_is_validated(merchant_client, store, query):
    res = merchant_client.get("/seller/deposit/", query)
    assert res.status_code == 200
    html = res.content.decode()
    assert "data-what-if" not in html
    assert 'class="form-errors"' in html
