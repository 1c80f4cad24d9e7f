"""The campaign's start and end clocks (once each, with event rows), the campaign price in
the order path only while the campaign runs, how it combines with a flash sale (the lower
price wins), and the buyer API's badge."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from common import deadlines
from promotions.models import Campaign, CampaignEvent
from promotions.services.campaigns import campaign_entry_accept
from promotions.services.flash_sales import flash_sale_create
from promotions.sweeps import (
    end_due_campaigns,
    start_due_campaigns,
    start_due_flash_sales,
)
from shop.services.orders import order_place
from tests.promotions.campaign_factories import (
    eligible_store,
    make_campaign,
    product_with_skus,
    sign_up,
)
from tests.shop.order_factories import ADDRESS, _fast_password_hashing  # noqa: F401

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def setup(reviewer, merchant):
    """A campaign with one accepted product (SKUs 100 → 80, 200 → 150)."""
    store = eligible_store(merchant)
    campaign = make_campaign(reviewer, max_price_percent=90, days=2)
    product, (a, b) = product_with_skus(store)
    entry = sign_up(campaign, store, product, [a, b], ["80.00", "150.00"])
    campaign_entry_accept(entry=entry, actor=reviewer)
    return campaign, product, a, b


def buy(buyer, sku, now, quantity=1):
    return order_place(actor=buyer, address=ADDRESS, now=now,
                       items=[{"sku": sku.pk, "quantity": quantity}])


def status(campaign):
    return Campaign.objects.get(pk=campaign.pk).status


def test_the_clocks_start_and_end_the_campaign_once_each(setup):
    campaign = setup[0]
    start, end = campaign.starts_at, campaign.ends_at
    assert start_due_campaigns(start - timedelta(seconds=1)) == 0
    with time_machine.travel(start, tick=False):
        assert deadlines.run_all()["campaigns.start"] == 1
        assert deadlines.run_all()["campaigns.start"] == 0
    assert status(campaign) == "running"
    assert end_due_campaigns(end - timedelta(seconds=1)) == 0
    assert end_due_campaigns(end) == 1
    assert end_due_campaigns(end) == 0 and start_due_campaigns(end) == 0
    campaign.refresh_from_db()
    assert campaign.status == "ended" and campaign.started_at == start
    assert campaign.ended_at == end
    moves = list(CampaignEvent.objects.filter(campaign=campaign).order_by("at", "pk")
                 .values_list("to_status", "actor", "reason_code"))
    assert moves == [("scheduled", campaign.created_by_id, "promotions.campaign_created"),
                     ("running", None, "promotions.campaign_started"),
                     ("ended", None, "promotions.campaign_ended")]
    started = CampaignEvent.objects.get(campaign=campaign, to_status="running")
    assert started.data == {"accepted": 1}


def test_after_an_outage_a_due_campaign_starts_then_ends_in_one_run(setup):
    campaign = setup[0]
    with time_machine.travel(campaign.ends_at + timedelta(hours=1), tick=False):
        result = deadlines.run_all()
    assert result["campaigns.start"] == 1 and result["campaigns.end"] == 1
    assert status(campaign) == "ended"


def test_the_campaign_price_applies_only_while_the_campaign_runs(setup, buyer):
    campaign, product, a, b = setup
    before = buy(buyer, a, campaign.starts_at - timedelta(minutes=1))
    assert before.lines.get().unit_price == D("100.00")
    # the start time has come but the clock has not fired yet: not running, regular price
    assert buy(buyer, a, campaign.starts_at).lines.get().unit_price == D("100.00")
    start_due_campaigns(campaign.starts_at)
    during = buy(buyer, b, campaign.starts_at + timedelta(hours=1), quantity=2)
    line = during.lines.get()
    assert line.unit_price == D("150.00") and during.goods_amount == D("300.00")
    assert line.promotion["campaign"]["campaign"] == campaign.pk
    assert line.promotion["campaign"]["regular_price"] == "200.00"
    # the end time has come: regular price even before the end clock fires
    late = buy(buyer, a, campaign.ends_at)
    assert late.lines.get().unit_price == D("100.00")
    end_due_campaigns(campaign.ends_at)
    assert buy(buyer, a, campaign.ends_at + timedelta(minutes=1)).lines.get().unit_price == D(
        "100.00")


def test_a_sku_left_out_of_the_sign_up_keeps_its_price(reviewer, merchant, buyer):
    store = eligible_store(merchant)
    campaign = make_campaign(reviewer)
    product, (a, b) = product_with_skus(store)
    entry = sign_up(campaign, store, product, [a, b], ["80.00", ""])
    campaign_entry_accept(entry=entry, actor=reviewer)
    start_due_campaigns(campaign.starts_at)
    at = campaign.starts_at + timedelta(minutes=5)
    assert buy(buyer, b, at).lines.get().unit_price == D("200.00")
    assert "campaign" not in buy(buyer, b, at).lines.get().promotion


def test_a_pending_or_rejected_sign_up_gets_no_campaign_price(reviewer, merchant, buyer):
    store = eligible_store(merchant)
    campaign = make_campaign(reviewer)
    product, (a, _b) = product_with_skus(store)
    sign_up(campaign, store, product, [a], ["80.00"])
    start_due_campaigns(campaign.starts_at)
    assert buy(buyer, a, campaign.starts_at + timedelta(minutes=5)).lines.get().unit_price == D(
        "100.00")


def _flash(store, product, sku, price, start):
    return flash_sale_create(store=store, actor=store.merchant, product=product,
                             items=[{"sku": s.pk, "flash_price": price if s == sku else str(
                                 s.price - 1), "stock": 5} for s in product.skus.order_by("pk")],
                             per_buyer_limit=3, starts_at=start, duration=timedelta(hours=2),
                             now=start - timedelta(hours=1))


@pytest.mark.parametrize(("flash_price", "expected", "campaign_applied"), [
    ("70.00", D("70.00"), False),   # the flash price is lower: it wins
    ("90.00", D("80.00"), True),    # the campaign price is lower: it wins
])
def test_with_a_flash_sale_on_the_same_sku_the_lower_price_wins(
        setup, buyer, flash_price, expected, campaign_applied):
    campaign, product, a, _b = setup
    start = campaign.starts_at + timedelta(hours=1)
    sale = _flash(product.store, product, a, flash_price, start)
    start_due_campaigns(campaign.starts_at)
    start_due_flash_sales(start)
    line = buy(buyer, a, start + timedelta(minutes=1)).lines.get()
    assert line.unit_price == expected
    # the unit still comes out of the flash stock, under the flash sale's limit
    assert line.stock_held_by == "flash_sale"
    assert line.promotion["flash_sale"]["sale"] == sale.pk
    assert ("campaign" in line.promotion) is campaign_applied


# --- buyer API --------------------------------------------------------------------------
def test_the_buyer_api_shows_the_badge_and_campaign_price_only_while_running(setup,
                                                                            buyer_api):
    campaign, product, a, b = setup
    url = f"/api/buyer/campaigns/products/{product.pk}/"
    with time_machine.travel(campaign.starts_at - timedelta(hours=1), tick=False):
        body = buyer_api.get(url).json()
    assert body["badge"] is None
    assert [s["campaign_price"] for s in body["skus"]] == [None, None]
    start_due_campaigns(campaign.starts_at)
    with time_machine.travel(campaign.starts_at + timedelta(hours=1), tick=False):
        body = buyer_api.get(url).json()
        listed = buyer_api.get("/api/buyer/campaigns/").json()
        products = buyer_api.get(f"/api/buyer/campaigns/{campaign.pk}/products/").json()
    assert body["badge"]["campaign"] == campaign.pk and body["badge"]["name"] == "年货节"
    assert [(s["sku"], s["regular_price"], s["campaign_price"]) for s in body["skus"]] == [
        (a.pk, "100.00", "80.00"), (b.pk, "200.00", "150.00")]
    assert [c["id"] for c in listed["results"]] == [campaign.pk]
    assert listed["results"][0]["banner"].startswith("http")
    assert [p["product"] for p in products["results"]] == [product.pk]
    assert products["results"][0]["items"][0]["campaign_price"] == "80.00"
    end_due_campaigns(campaign.ends_at)
    with time_machine.travel(campaign.ends_at + timedelta(hours=1), tick=False):
        body = buyer_api.get(url).json()
    assert body["badge"] is None


def test_the_buyer_api_answers_404_for_what_is_not_there(setup, buyer_api):
    campaign, product, _a, _b = setup
    assert buyer_api.get("/api/buyer/campaigns/products/999999/").status_code == 404
    assert buyer_api.get("/api/buyer/campaigns/999999/products/").status_code == 404
    product.status = "delisted"
    product.save(update_fields=["status"])
    assert buyer_api.get(f"/api/buyer/campaigns/products/{product.pk}/").status_code == 404
    # before it runs, a campaign lists no products (the prices are not on yet)
    assert buyer_api.get(f"/api/buyer/campaigns/{campaign.pk}/products/").json()[
        "results"] == []


def test_the_buyer_api_is_for_buyers(setup, merchant_api):
    product = setup[1]
    assert merchant_api.get(f"/api/buyer/campaigns/products/{product.pk}/").status_code == 403
