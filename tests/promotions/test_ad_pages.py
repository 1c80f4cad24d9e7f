"""The merchant's paid-promotion pages through the real URLs and templates (list with
the derived rates, submit, detail, extend and cancel with confirmation, compare with SVG
charts), other merchants' orders as 404s, and the reviewers' approve / reject-with-reason
actions in the admin."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from promotions.models import PromotionExtension, PromotionOrder
from promotions.services import ads as services
from tests.promotions.ad_factories import balance, fund, ingest, row, submit
from tests.promotions.live_factories import video
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    store_for,
)

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant, reviewer):
    store = store_for(merchant)
    fund(store, "1000.00", reviewer)
    return store


@pytest.fixture
def clip(store):
    return video(store, listed_sku(store).product, title="我的开箱")


@pytest.fixture
def running(store, clip, reviewer):
    order = submit(store, clip, budget="200.00")
    return services.promotion_order_approve(order=order, actor=reviewer)


@pytest.fixture
def theirs(other_merchant, reviewer):
    other = store_for(other_merchant)
    fund(other, "500.00", reviewer)
    order = submit(other, video(other, title="别人的视频"), budget="100.00")
    return services.promotion_order_approve(order=order, actor=reviewer)


def url(name, *args):
    return reverse(f"seller_promotions:{name}", args=args)


def test_submit_an_order_from_the_page(merchant_client, store, clip):
    page = merchant_client.get(url("ads_new"))
    assert page.status_code == 200 and "我的开箱" in page.content.decode()
    data = {"subject": f"video:{clip.pk}", "kind": "shop_work", "goal": "plays",
            "budget": "150.00", "duration_hours": "24", "target_gender": "female",
            "target_ages": ["24-30"], "target_regions": ["浙江", "上海"]}
    refused = merchant_client.post(url("ads_new"), data)
    assert refused.status_code == 400 and not PromotionOrder.objects.exists()
    response = merchant_client.post(url("ads_new"), {**data, "confirm": "on"})
    order = PromotionOrder.objects.get()
    assert response.status_code == 302 and response.url == url("ads_detail", order.pk)
    assert order.target_regions == ["上海", "浙江"] and order.status == "pending"
    bad = merchant_client.post(url("ads_new"), {**data, "kind": "fans_headline",
                                                "confirm": "on"})
    assert bad.status_code == 400 and "小店作品推广" in bad.content.decode()
    assert PromotionOrder.objects.count() == 1


def test_another_stores_video_is_not_offered(merchant_client, store, theirs):
    data = {"subject": f"video:{theirs.video_id}", "kind": "fans_headline", "goal": "fans",
            "budget": "100", "duration_hours": "24", "target_gender": "any", "confirm": "on"}
    response = merchant_client.post(url("ads_new"), data)
    assert response.status_code == 400 and "别人的视频" not in response.content.decode()
    assert PromotionOrder.objects.count() == 1


def test_the_list_shows_figures_with_dashes_for_zero_denominators(merchant_client, running,
                                                                  theirs):
    html = merchant_client.get(url("ads")).content.decode()
    assert f"#{running.pk}" in html and f"#{theirs.pk}<" not in html
    assert html.count("—") >= 2
    ingest("p1", row(running, exposures=1000, plays=125, new_fans=8, spend="40.00"))
    html = merchant_client.get(url("ads")).content.decode()
    assert "¥5.00" in html and "12.50%" in html


def test_the_list_costs_the_same_queries_for_more_orders(merchant_client, store, clip):
    submit(store, clip)
    with CaptureQueriesContext(connection) as few:
        merchant_client.get(url("ads"))
    for _ in range(5):
        submit(store, clip)
    with CaptureQueriesContext(connection) as many:
        merchant_client.get(url("ads"))
    assert len(many) == len(few)


def test_detail_shows_results_and_timeline(merchant_client, running):
    ingest("d1", row(running, exposures=500, plays=50, new_fans=0, spend="10.00"))
    html = merchant_client.get(url("ads_detail", running.pk)).content.decode()
    assert 'data-figure="cost_per_fan">—' in html
    assert 'data-figure="cover_click_rate">10.00%' in html
    assert "追投" in html


def test_extend_from_the_page_needs_confirmation(merchant_client, running, store):
    page = merchant_client.get(url("ads_extend", running.pk))
    assert page.status_code == 200
    token = page.context["form"].initial["token"]
    data = {"added_budget": "50.00", "added_hours": "12", "token": token}
    assert merchant_client.post(url("ads_extend", running.pk), data).status_code == 400
    assert not PromotionExtension.objects.exists()
    response = merchant_client.post(url("ads_extend", running.pk), {**data, "confirm": "on"})
    assert response.status_code == 302
    merchant_client.post(url("ads_extend", running.pk), {**data, "confirm": "on"})
    order = PromotionOrder.objects.get(pk=running.pk)
    assert order.budget == D("250.00") and PromotionExtension.objects.count() == 1
    assert balance(store) == D("750.00")


def test_cancel_asks_first(merchant_client, store, clip):
    order = submit(store, clip)
    page = merchant_client.get(url("ads_cancel", order.pk))
    assert page.status_code == 200 and PromotionOrder.objects.get().status == "pending"
    merchant_client.post(url("ads_cancel", order.pk), {"confirm": "yes"})
    assert PromotionOrder.objects.get().status == "cancelled"


def test_compare_draws_one_chart_per_figure_for_my_orders_only(merchant_client, running,
                                                              store, clip, theirs, reviewer):
    second = services.promotion_order_approve(order=submit(store, clip), actor=reviewer)
    ingest("cmp", row(running, exposures=1000, plays=100, new_fans=10, spend="30.00"),
           row(second, exposures=400, plays=80, new_fans=0, spend="12.00"))
    response = merchant_client.get(url("ads_compare"),
                                   {"ids": [running.pk, second.pk, theirs.pk]})
    html = response.content.decode()
    assert [r["order"].pk for r in response.context["rows"]] == [running.pk, second.pk]
    assert html.count("<svg") == 7 and "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert f"#{theirs.pk}" not in html
    assert "¥3.00" in html and "20.00%" in html and "—" in html
    empty = merchant_client.get(url("ads_compare"), {"ids": [theirs.pk]})
    assert empty.status_code == 200 and "<svg" not in empty.content.decode()


def test_another_merchants_order_is_a_404_on_every_page(merchant_client, store, theirs):
    for name in ("ads_detail", "ads_extend", "ads_cancel"):
        assert merchant_client.get(url(name, theirs.pk)).status_code == 404
    assert merchant_client.post(url("ads_cancel", theirs.pk),
                                {"confirm": "yes"}).status_code == 404
    assert PromotionOrder.objects.get(pk=theirs.pk).status == "running"


def test_the_pages_are_for_merchants(buyer_client, client):
    for c in (buyer_client, client):
        assert c.get(url("ads")).status_code in (302, 403)


def test_reviewer_approves_in_the_admin(reviewer_client, store, clip):
    order = submit(store, clip, budget="300.00")
    changelist = reverse("admin:promotions_promotionorder_changelist")
    assert reviewer_client.get(changelist).status_code == 200
    reviewer_client.post(changelist, {"action": "approve_selected",
                                      "_selected_action": [order.pk]})
    order.refresh_from_db()
    assert order.status == "running" and balance(store) == D("700.00")
    assert reviewer_client.get(
        reverse("admin:promotions_promotionorder_change", args=[order.pk])).status_code == 200


def test_reviewer_rejects_with_a_reason_in_the_admin(reviewer_client, store, clip):
    order = submit(store, clip)
    changelist = reverse("admin:promotions_promotionorder_changelist")
    page = reviewer_client.post(changelist, {"action": "reject_selected",
                                             "_selected_action": [order.pk]})
    assert page.status_code == 200 and PromotionOrder.objects.get().status == "pending"
    reviewer_client.post(changelist, {"action": "reject_selected", "apply": "1",
                                      "_selected_action": [order.pk],
                                      "text": "推广素材含有夸大宣传"})
    order.refresh_from_db()
    assert order.status == "rejected" and order.rejection_reason == "推广素材含有夸大宣传"
    assert balance(store) == D("1000.00")


def test_an_insufficient_balance_is_reported_in_the_admin(reviewer_client, store, clip):
    order = submit(store, clip, budget="5000.00")
    changelist = reverse("admin:promotions_promotionorder_changelist")
    response = reviewer_client.post(changelist, {"action": "approve_selected",
                                                 "_selected_action": [order.pk]}, follow=True)
    assert "5,000.00" in response.content.decode() or "5000.00" in response.content.decode()
    assert PromotionOrder.objects.get().status == "pending" and balance(store) == D("1000.00")
