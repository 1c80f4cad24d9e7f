"""Required deposits, table-driven: every category of the jade and gems table (standard
and industry-belt base) against every sales tier, for both deposits; plus the pure
helpers (deduction split, transfer, service fee, months in Asia/Shanghai, the chart)."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from shop.rules import deposits as rules

D = Decimal
SH = ZoneInfo("Asia/Shanghai")
TABLE = rules.DepositTable(
    base_store=D("500"), base_promotion=D("500"),
    tiers=(rules.SalesTier(D("100000"), D("5000"), D("3000")),
           rules.SalesTier(D("500000"), D("50000"), D("30000"))),
)
CATEGORIES = {
    "plain": None,
    "finished_jadeite": rules.CategoryDeposit("翡翠成品", D("20000"), D("5000")),
    "hetian_jade": rules.CategoryDeposit("和田玉", D("10000"), D("5000")),
    "pearls": rules.CategoryDeposit("珍珠", D("10000"), D("5000")),
    "rough_jadeite": rules.CategoryDeposit("翡翠原石", None, D("50000"), invitation_only=True),
}
SALES = [None, D("0"), D("99999.99"), D("100000"), D("499999.99"), D("500000"), D("2000000")]

# Store deposit required: (category, industry-belt base) → one value per SALES column.
STORE_REQUIRED = {
    ("plain", False):            [500, 500, 500, 5000, 5000, 50000, 50000],
    ("plain", True):             [500, 500, 500, 5000, 5000, 50000, 50000],
    ("finished_jadeite", False): [20000, 20000, 20000, 20000, 20000, 50000, 50000],
    ("finished_jadeite", True):  [5000, 5000, 5000, 5000, 5000, 50000, 50000],
    ("hetian_jade", False):      [10000, 10000, 10000, 10000, 10000, 50000, 50000],
    ("hetian_jade", True):       [5000, 5000, 5000, 5000, 5000, 50000, 50000],
    ("pearls", False):           [10000, 10000, 10000, 10000, 10000, 50000, 50000],
    ("pearls", True):            [5000, 5000, 5000, 5000, 5000, 50000, 50000],
    # Invitation only: counts for base stores alone.
    ("rough_jadeite", False):    [500, 500, 500, 5000, 5000, 50000, 50000],
    ("rough_jadeite", True):     [50000, 50000, 50000, 50000, 50000, 50000, 50000],
}
# Promotion deposit: categories do not count; the sales tier does.
PROMOTION_REQUIRED = [500, 500, 500, 3000, 3000, 30000, 30000]


@pytest.mark.parametrize("category, base", list(STORE_REQUIRED))
@pytest.mark.parametrize("column", range(len(SALES)))
def test_store_deposit_required_for_each_category_and_tier(category, base, column):
    cats = [CATEGORIES[category]] if CATEGORIES[category] else []
    req = rules.deposit_requirement(rules.STORE, table=TABLE, categories=cats,
                                    industry_base=base, sales=SALES[column],
                                    sales_month=date(2025, 6, 1))
    assert req.amount == D(STORE_REQUIRED[(category, base)][column])
    decisive = [line for line in req.lines if line.get("decisive")]
    assert len(decisive) == 1 and D(decisive[0]["amount"]) == req.amount


@pytest.mark.parametrize("category", list(CATEGORIES))
@pytest.mark.parametrize("column", range(len(SALES)))
def test_promotion_deposit_required_for_each_tier(category, column):
    cats = [CATEGORIES[category]] if CATEGORIES[category] else []
    req = rules.deposit_requirement(rules.PROMOTION, table=TABLE, categories=cats,
                                    industry_base=False, sales=SALES[column])
    assert req.amount == D(PROMOTION_REQUIRED[column])


def test_the_highest_category_of_a_store_counts_and_lines_explain_it():
    cats = [CATEGORIES["pearls"], CATEGORIES["finished_jadeite"], CATEGORIES["hetian_jade"]]
    req = rules.deposit_requirement(rules.STORE, table=TABLE, categories=cats,
                                    sales=D("120000"), sales_month=date(2025, 6, 1))
    assert req.amount == D("20000.00")
    assert [line["code"] for line in req.lines] == ["base", "category", "sales_tier"]
    assert req.lines[1] == {"code": "category", "category": "翡翠成品", "industry_base": False,
                            "amount": "20000.00", "decisive": True}
    assert req.lines[2]["month"] == "2025-06" and req.lines[2]["min_sales"] == "100000.00"


def test_below_every_tier_and_not_required():
    req = rules.deposit_requirement(rules.STORE, table=TABLE, sales=D("10"))
    assert [line["code"] for line in req.lines] == ["base", "sales_below_tiers"]
    assert req.amount == D("500.00")
    req = rules.deposit_requirement(rules.PROMOTION, table=TABLE, applies=False)
    assert req.amount == 0 and req.lines[0]["code"] == "not_required"


def test_tiers_follow_the_table_given():
    table = rules.DepositTable(D("800"), D("600"), (rules.SalesTier(D("10"), D("900"), D("700")),))
    assert rules.deposit_requirement(rules.STORE, table=table, sales=D("9.99")).amount == D("800")
    assert rules.deposit_requirement(rules.STORE, table=table, sales=D("10")).amount == D("900")
    assert rules.deposit_requirement(rules.PROMOTION, table=table, sales=D("10")).amount == D("700")


@pytest.mark.parametrize("requested, balance, floor, deducted, uncovered", [
    ("100", "500", "0", "100", "0"),
    ("500", "500", "0", "500", "0"),
    ("600", "500", "0", "500", "100"),
    ("600", "500", "50", "550", "50"),
    ("600", "500", "1000", "600", "0"),
    ("10", "0", "0", "0", "10"),
    ("10", "-20", "0", "0", "10"),
    ("10", "-20", "25", "5", "5"),
])
def test_deduction_split(requested, balance, floor, deducted, uncovered):
    assert rules.deduction_split(D(requested), D(balance), D(floor)) == (D(deducted), D(uncovered))


@pytest.mark.parametrize("missing, available, moved", [
    ("100", "0", "0"), ("100", "30", "30"), ("100", "300", "100"), ("0", "300", "0"),
    ("100", "-50", "0"),
])
def test_transfer_amount(missing, available, moved):
    assert rules.transfer_amount(D(missing), D(available)) == D(moved)


def test_service_fee_and_refund_debit():
    assert rules.service_fee(D("99.99"), D("0.05")) == D("5.00")
    assert rules.refund_debit(D("50"), D("200"), D("10")) == D("47.50")
    assert rules.refund_debit(D("50"), D("0"), D("0")) == D("50.00")


def test_months_in_shanghai():
    assert rules.previous_month(date(2025, 1, 15)) == date(2024, 12, 1)
    assert rules.previous_month(date(2025, 3, 1)) == date(2025, 2, 1)
    start, end = rules.month_bounds(date(2025, 2, 1), SH)
    assert start == datetime(2025, 2, 1, tzinfo=SH) and end == datetime(2025, 3, 1, tzinfo=SH)
    assert start.utcoffset().total_seconds() == 8 * 3600
    now = datetime(2025, 6, 30, 23, 0, tzinfo=SH)
    assert rules.next_monthly_run(now, SH) == datetime(2025, 7, 1, 0, 5, tzinfo=SH)
    assert rules.next_monthly_run(datetime(2025, 7, 1, 0, 5, tzinfo=SH), SH) == datetime(
        2025, 8, 1, 0, 5, tzinfo=SH)


def test_closure_decisions():
    ok = [("products", rules.OK), ("notice", rules.BLOCKED)]
    assert rules.closure_may_apply(ok)
    assert not rules.closure_may_apply([("products", rules.BLOCKED), ("notice", rules.OK)])
    assert rules.closure_may_apply([("disputes", rules.UNKNOWN)])
    assert not rules.closure_may_approve(ok)
    assert rules.closure_may_approve([("products", rules.OK), ("notice", rules.OK)])
    unknown = [("products", rules.OK), ("disputes", rules.UNKNOWN)]
    assert not rules.closure_may_approve(unknown)


def test_balance_chart_coordinates():
    assert rules.balance_chart([]) == {}
    t1 = datetime(2025, 6, 1, tzinfo=SH)
    t2 = datetime(2025, 6, 2, tzinfo=SH)
    chart = rules.balance_chart([(t1, D("0")), (t2, D("500"))], width=100, height=60, pad=10)
    # A step line: flat at 0 until t2, then up to 500 (the top).
    assert chart["points"] == "10.0,50.0 90.0,50.0 90.0,10.0"
    assert chart["zero_y"] == 50.0 and chart["max"] == D("500")
    single = rules.balance_chart([(t1, D("-100"))], width=100, height=60, pad=10)
    assert single["points"].endswith("90,50.0")
