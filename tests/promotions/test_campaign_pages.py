"""Campaign pages: the merchant's list with the requirements and where the store stands,
signing up through the page (refusals named), the merchant's own sign-ups only (another
merchant's is a 404), withdrawing with a confirmation; the reviewers' admin: creating a
campaign with its banner, accepting in bulk after a confirmation, rejecting with a code."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from promotions.models import Campaign, CampaignEntry
from shop.models import DepositAccount
from tests.factories import leaf_category
from tests.promotions.campaign_factories import (
    eligible_store,
    make_campaign,
    product_with_skus,
    sign_up,
    soon,
)
from tests.promotions.live_factories import png
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return eligible_store(merchant)


@pytest.fixture
def campaign(reviewer):
    return make_campaign(reviewer, name="11.6购物狂欢节", max_price_percent=90,
                         description="构建快手双11")


def test_the_list_shows_upcoming_campaigns_with_where_the_store_stands(campaign, store,
                                                                       merchant_client):
    DepositAccount.objects.filter(store=store).update(shortfall=100)
    html = merchant_client.get("/seller/promotions/campaigns/").content.decode()
    assert "11.6购物狂欢节" in html
    deposit = html.split('data-requirement="deposit"', 1)[1].split("</li>", 1)[0]
    assert "badge-bad" in deposit
    restriction = html.split('data-requirement="campaign_restriction"', 1)[1].split("</li>")[0]
    assert "badge-ok" in restriction


def test_sign_up_through_the_page(campaign, store, merchant_client):
    product, (a, b) = product_with_skus(store)
    url = f"/seller/promotions/campaigns/{campaign.pk}/"
    page = merchant_client.get(url, {"product": product.pk})
    assert page.status_code == 200 and f'name="sku-{a.pk}-price"' in page.content.decode()
    assert "¥90.00" in page.content.decode()  # the highest campaign price allowed for a
    response = merchant_client.post(url, {"product": product.pk, f"sku-{a.pk}-price": "88",
                                          f"sku-{b.pk}-price": "170.00"})
    entry = CampaignEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/seller/promotions/campaigns/entries/{entry.pk}/"
    assert sorted(str(i.campaign_price) for i in entry.items.all()) == ["170.00", "88.00"]


def test_a_refused_sign_up_names_each_failing_requirement_on_the_page(campaign, store,
                                                                      merchant_client):
    DepositAccount.objects.filter(store=store).update(shortfall=100)
    product, (a, b) = product_with_skus(store)
    response = merchant_client.post(f"/seller/promotions/campaigns/{campaign.pk}/", {
        "product": product.pk, f"sku-{a.pk}-price": "95.00", f"sku-{b.pk}-price": ""})
    html = response.content.decode()
    assert response.status_code == 400
    failed = html.split('class="failed-requirements"', 1)[1].split("</ul>", 1)[0]
    assert failed.count("<li>") == 2  # the discount and the deposit
    assert f'id="sku-{a.pk}-price-error"' in html
    assert not CampaignEntry.objects.exists()


def test_another_merchants_product_cannot_be_chosen(campaign, store, other_merchant,
                                                    merchant_client):
    theirs, skus = product_with_skus(eligible_store(other_merchant, rated=False))
    url = f"/seller/promotions/campaigns/{campaign.pk}/"
    assert merchant_client.get(url, {"product": theirs.pk}).status_code == 404
    assert merchant_client.post(url, {"product": theirs.pk,
                                      f"sku-{skus[0].pk}-price": "50"}).status_code == 404
    assert merchant_client.get(url, {"product": "x"}).status_code == 404
    assert not CampaignEntry.objects.exists()


def test_a_cancelled_or_unknown_campaign_is_not_found(campaign, store, reviewer,
                                                      merchant_client):
    from promotions.services.campaigns import campaign_cancel

    campaign_cancel(campaign=campaign, actor=reviewer)
    assert merchant_client.get(f"/seller/promotions/campaigns/{campaign.pk}/").status_code == 404
    assert merchant_client.get("/seller/promotions/campaigns/999999/").status_code == 404


def test_a_merchant_sees_only_their_own_sign_ups(campaign, store, other_merchant,
                                                 merchant_client, other_merchant_client):
    mine = sign_up(campaign, store, *product_with_skus(store, title="我的好货"))
    other_store = eligible_store(other_merchant)
    theirs = sign_up(campaign, other_store, *product_with_skus(other_store, title="别人的货"))
    html = merchant_client.get("/seller/promotions/campaigns/").content.decode()
    assert "我的好货" in html and "别人的货" not in html
    detail = merchant_client.get(f"/seller/promotions/campaigns/{campaign.pk}/").content.decode()
    assert "我的好货" in detail and "别人的货" not in detail
    base = "/seller/promotions/campaigns/entries"
    assert merchant_client.get(f"{base}/{mine.pk}/").status_code == 200
    assert merchant_client.get(f"{base}/{theirs.pk}/").status_code == 404
    assert merchant_client.get(f"{base}/{theirs.pk}/withdraw/").status_code == 404
    assert merchant_client.post(f"{base}/{theirs.pk}/withdraw/",
                                {"confirm": "yes"}).status_code == 404
    assert CampaignEntry.objects.get(pk=theirs.pk).status == "pending"
    assert other_merchant_client.get(f"{base}/{mine.pk}/").status_code == 404


def test_withdrawing_asks_for_a_confirmation_first(campaign, store, merchant_client):
    entry = sign_up(campaign, store, *product_with_skus(store))
    url = f"/seller/promotions/campaigns/entries/{entry.pk}/withdraw/"
    page = merchant_client.get(url)
    assert page.status_code == 200 and 'name="confirm" value="yes"' in page.content.decode()
    merchant_client.post(url)  # no confirmation: nothing happens
    assert CampaignEntry.objects.get(pk=entry.pk).status == "pending"
    assert merchant_client.post(url, {"confirm": "yes"}).status_code == 302
    entry.refresh_from_db()
    assert entry.status == "withdrawn"
    html = merchant_client.get(f"/seller/promotions/campaigns/entries/{entry.pk}/").content
    assert "撤回".encode() in html or b"Withdrawn" in html or b"withdrawn" in html


def test_the_sign_up_list_does_not_grow_in_queries_with_its_rows(
        campaign, store, merchant_client, django_assert_max_num_queries):
    sign_up(campaign, store, *product_with_skus(store))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        merchant_client.get("/seller/promotions/campaigns/")
    for _ in range(4):
        sign_up(campaign, store, *product_with_skus(store))
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert merchant_client.get("/seller/promotions/campaigns/").status_code == 200


def test_the_menu_links_the_campaigns(store, merchant_client):
    html = merchant_client.get("/seller/promotions/campaigns/").content.decode()
    assert 'href="/seller/promotions/campaigns/" class="active" aria-current="page"' in html


# --- reviewers' admin -------------------------------------------------------------------
def _admin_times(start):
    local = timezone.localtime(start)
    end = local + timedelta(days=2)
    return {"starts_at_0": local.strftime("%Y-%m-%d"), "starts_at_1": local.strftime("%H:%M:%S"),
            "ends_at_0": end.strftime("%Y-%m-%d"), "ends_at_1": end.strftime("%H:%M:%S")}


# the timeline inline's (empty) management form, as the admin page sends it
EVENTS_MANAGEMENT = {"events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0",
                     "events-MIN_NUM_FORMS": "0", "events-MAX_NUM_FORMS": "1000"}


def test_a_reviewer_creates_a_campaign_in_the_admin(reviewer_client, reviewer):
    cat = leaf_category(code="t_root.mid.food", name="年货")
    response = reviewer_client.post("/admin/promotions/campaign/add/", {
        "name": "快手年货节", "description": "契合传统促销节点", "banner": png("banner.png"),
        **_admin_times(soon()), "categories": [cat.pk], "min_dsr": "4.5",
        "max_price_percent": "90", "require_no_restriction": "on",
        "require_deposit_paid": "on", **EVENTS_MANAGEMENT,
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign = Campaign.objects.get()
    assert campaign.created_by == reviewer and list(campaign.categories.all()) == [cat]
    assert campaign.banner.name.startswith("public/campaigns/")
    assert campaign.events.get().reason_code == "promotions.campaign_created"


def test_the_admin_refuses_a_bad_banner_and_bad_dates(reviewer_client):
    start = soon()
    times = _admin_times(start)
    times["ends_at_0"], times["ends_at_1"] = times["starts_at_0"], times["starts_at_1"]
    response = reviewer_client.post("/admin/promotions/campaign/add/", {
        "name": "国货品牌日",
        "banner": SimpleUploadedFile("b.png", b"<svg onload=alert(1)></svg>"), **times,
        **EVENTS_MANAGEMENT})
    assert response.status_code == 200
    assert not Campaign.objects.exists()
    errors = response.context["adminform"].form.errors
    assert "banner" in errors and "ends_at" in errors


def test_reviewers_accept_in_bulk_after_a_confirmation(campaign, store, reviewer_client):
    entries = [sign_up(campaign, store, *product_with_skus(store)) for _ in range(2)]
    ids = [e.pk for e in entries]
    url = "/admin/promotions/campaignentry/"
    page = reviewer_client.post(url, {"action": "accept_selected", "_selected_action": ids})
    assert page.status_code == 200 and 'name="confirm" value="yes"' in page.content.decode()
    assert set(CampaignEntry.objects.values_list("status", flat=True)) == {"pending"}
    done = reviewer_client.post(url, {"action": "accept_selected", "_selected_action": ids,
                                      "confirm": "yes"})
    assert done.status_code == 302
    assert set(CampaignEntry.objects.values_list("status", flat=True)) == {"accepted"}


def test_reviewers_reject_in_bulk_with_a_reason_code(campaign, store, reviewer_client):
    entries = [sign_up(campaign, store, *product_with_skus(store)) for _ in range(2)]
    ids = [e.pk for e in entries]
    url = "/admin/promotions/campaignentry/"
    page = reviewer_client.post(url, {"action": "reject_selected", "_selected_action": ids})
    assert page.status_code == 200 and "campaign_reject_price" in page.content.decode()
    missing = reviewer_client.post(url, {"action": "reject_selected", "_selected_action": ids,
                                         "apply": "1"})
    assert missing.status_code == 200  # no reason chosen: asked again
    assert set(CampaignEntry.objects.values_list("status", flat=True)) == {"pending"}
    reviewer_client.post(url, {"action": "reject_selected", "_selected_action": ids,
                               "apply": "1", "code": "campaign_reject_price",
                               "text": "比日常价高"})
    for entry in entries:
        entry.refresh_from_db()
        event = entry.events.get(to_status="rejected")
        assert entry.status == "rejected"
        assert (event.reason_code, event.reason) == ("promotions.campaign_reject_price",
                                                      "比日常价高")


def test_the_review_queue_and_campaign_pages_render(campaign, store, reviewer_client):
    entry = sign_up(campaign, store, *product_with_skus(store))
    assert reviewer_client.get("/admin/promotions/campaignentry/").status_code == 200
    assert reviewer_client.get(
        f"/admin/promotions/campaignentry/{entry.pk}/change/").status_code == 200
    assert reviewer_client.get("/admin/promotions/campaign/").status_code == 200
    assert reviewer_client.get(
        f"/admin/promotions/campaign/{campaign.pk}/change/").status_code == 200


def test_a_reviewer_changes_a_campaign_until_it_starts(campaign, reviewer_client):
    from promotions.services.campaigns import campaign_start

    url = f"/admin/promotions/campaign/{campaign.pk}/change/"
    response = reviewer_client.post(url, {
        "name": "11.6购物狂欢节（延期）", **_admin_times(campaign.starts_at), "min_dsr": "",
        "max_price_percent": "80", "require_deposit_paid": "on", **EVENTS_MANAGEMENT})
    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign.refresh_from_db()
    assert campaign.name == "11.6购物狂欢节（延期）" and campaign.max_price_percent == 80
    assert campaign.min_dsr is None and not campaign.require_no_restriction
    assert campaign.banner.name.startswith("public/campaigns/")  # kept
    campaign_start(campaign=campaign, now=campaign.starts_at)
    page = reviewer_client.get(url).content.decode()
    assert 'name="name"' not in page  # read-only once running
