"""The merchant's lightning purchase pages (the conditions and the switch, the quick
listing of a live session, the sales record), their isolation between merchants, and
the reviewers' spot-check screen."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compliance.screening.runtime import forget_compiled
from promotions.models import LightningListing, LightningStore, LiveCartItem
from shop.models import Product
from tests.promotions.lightning_factories import (
    CLOTHING,
    JADE,
    category,
    eligible_store,
    lightning_session,
    load_reference_data,
    quick_listing,
)
from tests.promotions.live_factories import deposit_shortfall, png
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    pay,
    place,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _reference_data(db):
    load_reference_data()
    yield
    forget_compiled()


@pytest.fixture
def store(merchant):
    return eligible_store(merchant)


# --- conditions and the switch ----------------------------------------------------------
def test_the_page_lists_each_condition_with_its_state_and_value(store, merchant_client):
    from django.utils import timezone

    deposit_shortfall(store, since=timezone.now())
    html = merchant_client.get(reverse("seller_promotions:lightning")).content.decode()
    states = dict(re.findall(r'data-condition="(\w+)" data-met="(\w+)"', html))
    assert states == {"store_open": "yes", "deposit_paid": "no", "cart_not_restricted": "yes",
                      "credit_score": "yes", "store_age": "yes"}
    assert "100" in html  # the shortfall's amount
    response = merchant_client.post(reverse("seller_promotions:lightning_switch"),
                                    {"enabled": "on"}, follow=True)
    assert not LightningStore.objects.filter(store=store, status="on").exists()
    messages = [str(m) for m in response.context["messages"]]
    assert any("100" in m for m in messages)


def test_turning_it_on_and_off_from_the_page(store, merchant_client):
    url = reverse("seller_promotions:lightning_switch")
    merchant_client.post(url, {"enabled": "on"})
    assert LightningStore.objects.get(store=store).status == "on"
    html = merchant_client.get(reverse("seller_promotions:lightning")).content.decode()
    assert 'value="off"' in html
    merchant_client.post(url, {"enabled": "off"})
    assert LightningStore.objects.get(store=store).status == "off"


# --- the quick listing ------------------------------------------------------------------
def test_a_quick_listing_from_the_session_page(store, merchant_client):
    session = lightning_session(store)
    url = reverse("seller_promotions:lightning_session", args=[session.pk])
    page = merchant_client.get(url).content.decode()
    assert f'value="{category(CLOTHING).pk}"' in page
    assert f'value="{category(JADE).pk}"' not in page  # jadeite-base merchants only
    response = merchant_client.post(url, {
        "photo": png("photo.png"), "title": "现场连衣裙", "category": category(CLOTHING).pk,
        "price": "59.00", "stock": "3"})
    assert response.status_code == 302
    listing = LightningListing.objects.get(session=session)
    assert Product.objects.get(pk=listing.product_id).status == Product.Status.LISTED
    assert "现场连衣裙" in merchant_client.get(url).content.decode()


def test_a_category_not_offered_is_refused_by_the_form(store, merchant_client):
    session = lightning_session(store)
    url = reverse("seller_promotions:lightning_session", args=[session.pk])
    response = merchant_client.post(url, {
        "photo": png("photo.png"), "title": "和田玉", "category": category(JADE).pk,
        "price": "59.00", "stock": "3"})
    assert response.status_code == 200 and response.context["form"].errors["category"]
    assert not Product.objects.exists()


def test_ending_from_the_page_needs_a_confirmation(store, merchant_client):
    listing = quick_listing(lightning_session(store))
    url = reverse("seller_promotions:lightning_end", args=[listing.pk])
    merchant_client.post(url, {})
    assert LightningListing.objects.get(pk=listing.pk).status == "active"
    merchant_client.post(url, {"confirm": "yes"})
    assert LightningListing.objects.get(pk=listing.pk).status == "ended"
    assert not LiveCartItem.objects.filter(product_id=listing.product_id).exists()


# --- isolation --------------------------------------------------------------------------
def test_another_merchant_gets_404_for_my_session_and_listing(store, other_merchant,
                                                              other_merchant_client):
    eligible_store(other_merchant)
    listing = quick_listing(lightning_session(store))
    assert other_merchant_client.get(reverse(
        "seller_promotions:lightning_session", args=[listing.session_id])).status_code == 404
    assert other_merchant_client.post(reverse(
        "seller_promotions:lightning_session", args=[listing.session_id]),
        {"title": "x"}).status_code == 404
    assert other_merchant_client.post(reverse(
        "seller_promotions:lightning_end", args=[listing.pk]),
        {"confirm": "yes"}).status_code == 404
    assert LightningListing.objects.get(pk=listing.pk).status == "active"
    html = other_merchant_client.get(reverse("seller_promotions:lightning_sales")).content.decode()
    assert f'data-listing="{listing.pk}"' not in html


# --- the sales record -------------------------------------------------------------------
def test_the_sales_record_shows_what_each_listing_sold(store, merchant_client, buyer):
    session = lightning_session(store)
    sold, unsold = quick_listing(session, price="39.90", stock=5), quick_listing(session)
    pay(place(buyer, sold.sku, quantity=2))
    place(buyer, sold.sku, quantity=1)  # not paid: not counted
    html = merchant_client.get(reverse("seller_promotions:lightning_sales")).content.decode()
    rows = dict(re.findall(r'data-listing="(\d+)">(.*?)</tr>', html, re.S))
    assert set(rows) == {str(sold.pk), str(unsold.pk)}
    cells = re.findall(r"<td>(.*?)</td>", rows[str(sold.pk)], re.S)
    assert cells[4] == "2" and "79.80" in cells[5]
    assert re.findall(r"<td>(.*?)</td>", rows[str(unsold.pk)], re.S)[4] == "0"


def test_the_sales_record_is_paginated_with_a_fixed_number_of_queries(store, merchant_client,
                                                                      buyer):
    session = lightning_session(store)
    for i in range(3):
        pay(place(buyer, quick_listing(session, title=f"T恤{i}").sku))
    url = reverse("seller_promotions:lightning_sales")
    with CaptureQueriesContext(connection) as few:
        merchant_client.get(url)
    for i in range(22):
        quick_listing(session, title=f"更多T恤{i}")
    with CaptureQueriesContext(connection) as many:
        first = merchant_client.get(url).content.decode()
    assert len(many) == len(few)
    assert first.count("data-listing=") == 20
    second = merchant_client.get(url + "?page=2").content.decode()
    assert second.count("data-listing=") == 5


# --- reviewers --------------------------------------------------------------------------
def test_reviewers_filter_and_spot_check_from_the_admin(store, reviewer, reviewer_client):
    session = lightning_session(store)
    checked, taken = quick_listing(session), quick_listing(session, title="另一件")
    changelist = reverse("admin:promotions_lightninglisting_changelist")
    assert reviewer_client.get(changelist + "?checked=no").status_code == 200
    reviewer_client.post(changelist, {"action": "spot_check_passed",
                                      "_selected_action": [checked.pk]})
    assert LightningListing.objects.get(pk=checked.pk).spot_checked_by == reviewer
    page = reviewer_client.get(changelist + "?checked=no").content.decode()
    assert f'value="{taken.pk}"' in page and f'value="{checked.pk}"' not in page
    response = reviewer_client.post(changelist, {"action": "take_down_selected",
                                                 "_selected_action": [taken.pk]})
    assert response.status_code == 200  # asks for the reason first
    reviewer_client.post(changelist, {"action": "take_down_selected", "apply": "1",
                                      "_selected_action": [taken.pk], "text": "实物不符"})
    taken.refresh_from_db()
    assert taken.status == "taken_down"
    assert Product.objects.get(pk=taken.product_id).status == Product.Status.DELISTED
    assert reviewer_client.get(reverse("admin:promotions_lightninglisting_change",
                                       args=[taken.pk])).status_code == 200


def test_the_menu_has_lightning_purchase(store, merchant_client):
    html = merchant_client.get(reverse("seller_promotions:lightning_sales")).content.decode()
    current = re.findall(r'<a href="([^"]+)" class="active" aria-current="page">', html)
    assert current == [reverse("seller_promotions:lightning")]


# --- demo data --------------------------------------------------------------------------
def test_the_demo_has_an_eligible_store_with_a_lightning_listing_in_a_live_session(settings):
    from django.core.management import call_command

    from promotions.selectors.lightning import lightning_conditions

    settings.DEBUG = True
    settings.PAYMENT_SANDBOX_ENABLED = True
    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    listing = LightningListing.objects.get(store__merchant__username="merchant_a")
    assert all(c.met for c in lightning_conditions(listing.store))
    assert LightningStore.objects.get(store=listing.store).status == "on"
    assert listing.session.status == "live" and listing.session.cart_enabled
    assert Product.objects.get(pk=listing.product_id).status == Product.Status.LISTED
    assert LiveCartItem.objects.filter(session=listing.session,
                                       product_id=listing.product_id).exists()
