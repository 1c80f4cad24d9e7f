"""A reviewer's acceptance checks the campaign's requirements again: what the store and the
product met at sign-up may have changed (a deposit fell short, the product left sale, its
price moved), and such a sign-up is refused with the failing requirement named."""

from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib.messages import get_messages

from common.errors import ApplicationError
from promotions.models import CampaignEntry
from promotions.services.campaigns import campaign_entry_accept
from shop.models import DepositAccount, Product, Sku
from tests.promotions.campaign_factories import (
    eligible_store,
    make_campaign,
    product_with_skus,
    sign_up,
)
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def store(merchant):
    return eligible_store(merchant)


@pytest.fixture
def campaign(reviewer):
    return make_campaign(reviewer, min_dsr=D("4.50"), max_price_percent=90)


def _refused(entry, reviewer):
    with pytest.raises(ApplicationError) as info:
        campaign_entry_accept(entry=entry, actor=reviewer)
    entry.refresh_from_db()
    assert entry.status == "pending" and not entry.events.filter(to_status="accepted").exists()
    assert info.value.code == "requirements_not_met"
    return info.value


def test_a_deposit_short_since_the_sign_up_is_refused(campaign, store, reviewer):
    entry = sign_up(campaign, store, *product_with_skus(store))
    DepositAccount.objects.filter(store=store, kind="store").update(balance=D("100.00"))
    error = _refused(entry, reviewer)
    assert error.extra["failed"] == ["deposit"]
    assert "¥400.00" in str(error.message)  # what the deposit lacks, named


def test_a_product_off_sale_since_the_sign_up_is_refused(campaign, store, reviewer):
    product, skus = product_with_skus(store)
    entry = sign_up(campaign, store, product, skus)
    Product.objects.filter(pk=product.pk).update(status=Product.Status.DELISTED)
    assert _refused(entry, reviewer).extra["failed"] == ["not_listed"]


def test_a_price_lowered_below_the_discount_since_the_sign_up_is_refused(campaign, store,
                                                                         reviewer):
    product, skus = product_with_skus(store)
    entry = sign_up(campaign, store, product, skus)  # 80% of 100 and of 200
    Sku.objects.filter(pk=skus[0].pk).update(price=D("85.00"))  # 80 is 94% of 85
    assert _refused(entry, reviewer).extra["failed"] == ["discount"]


def test_the_admin_shows_the_failing_requirement(campaign, store, reviewer_client):
    good = sign_up(campaign, store, *product_with_skus(store))
    product, skus = product_with_skus(store)
    bad = sign_up(campaign, store, product, skus)
    Product.objects.filter(pk=product.pk).update(status=Product.Status.DELISTED)
    reviewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    done = reviewer_client.post("/admin/promotions/campaignentry/", {
        "action": "accept_selected", "_selected_action": [good.pk, bad.pk], "confirm": "yes"})
    shown = [str(m) for m in get_messages(done.wsgi_request)]
    assert any("no longer listed" in m for m in shown)
    assert dict(CampaignEntry.objects.values_list("pk", "status")) == {
        good.pk: "accepted", bad.pk: "pending"}
