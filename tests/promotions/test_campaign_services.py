"""Platform campaigns: creating them, signing products up (each requirement refused on its
own, with its name), bad input, and reviewers accepting or rejecting."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from common.errors import ApplicationError
from compliance.enforcement.models import Restriction
from promotions.models import Campaign, CampaignEntry, CampaignEntryEvent, CampaignEvent
from promotions.reasons import R
from promotions.services.campaigns import (
    campaign_cancel,
    campaign_create,
    campaign_end,
    campaign_entry_accept,
    campaign_entry_reject,
    campaign_entry_withdraw,
    campaign_start,
)
from shop.models import DepositAccount, Product, Store
from tests.factories import CategoryFactory, leaf_category
from tests.promotions.campaign_factories import (
    eligible_store,
    make_campaign,
    product_with_skus,
    rate_store,
    sign_up,
    soon,
)
from tests.promotions.live_factories import png
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def store(merchant):
    return eligible_store(merchant)


@pytest.fixture
def campaign(reviewer):
    return make_campaign(reviewer, min_dsr=D("4.50"), max_price_percent=90)


def refusal(campaign, store, product, skus, prices=None):
    with pytest.raises(ApplicationError) as exc:
        sign_up(campaign, store, product, skus, prices)
    assert not CampaignEntry.objects.exists()
    return exc.value


# --- creating ---------------------------------------------------------------------------
def test_a_reviewer_creates_a_scheduled_campaign_with_its_banner_and_event(reviewer):
    cat = leaf_category(code="t_root.mid.shoes", name="鞋")
    start = soon()
    campaign = campaign_create(actor=reviewer, name=" 靠谱好货节 ", banner=png("b.png"),
                               starts_at=start, ends_at=start + timedelta(days=3),
                               categories=[cat], min_dsr="4.6", max_price_percent=85)
    campaign.refresh_from_db()
    assert campaign.name == "靠谱好货节" and campaign.status == "scheduled"
    assert campaign.banner.name.startswith("public/campaigns/")
    assert campaign.banner.name.endswith(".png")
    assert list(campaign.categories.all()) == [cat]
    assert campaign.min_dsr == D("4.60") and campaign.max_price_percent == 85
    event = CampaignEvent.objects.get(campaign=campaign)
    assert (event.to_status, event.actor, event.reason_code) == (
        "scheduled", reviewer, "promotions.campaign_created")


@pytest.mark.parametrize(("change", "field"), [
    ({"name": "  "}, "name"),
    ({"starts_at": timezone.now() - timedelta(hours=1)}, "starts_at"),
    ({"ends_at": soon() - timedelta(hours=1)}, "ends_at"),
    ({"ends_at": soon() + timedelta(days=40)}, "ends_at"),
    ({"min_dsr": "5.5"}, "min_dsr"),
    ({"min_dsr": "abc"}, "min_dsr"),
    ({"max_price_percent": 100}, "max_price_percent"),
    ({"max_price_percent": 0}, "max_price_percent"),
    ({"banner": None}, "banner"),
    ({"banner": SimpleUploadedFile("b.png", b"<svg onload=alert(1)></svg>")}, "banner"),
])
def test_bad_campaign_input_is_refused_with_its_field_and_nothing_written(reviewer, change,
                                                                         field):
    start = soon()
    kwargs = {"name": "国货品牌日", "banner": png("b.png"), "starts_at": start,
              "ends_at": start + timedelta(days=1), **change}
    with pytest.raises(ApplicationError) as exc:
        campaign_create(actor=reviewer, **kwargs)
    assert exc.value.field == field
    assert not Campaign.objects.exists() and not CampaignEvent.objects.exists()


# --- signing up -------------------------------------------------------------------------
def test_a_merchant_signs_a_product_up_with_a_campaign_price_per_sku(campaign, store):
    product, (a, b) = product_with_skus(store)
    entry = sign_up(campaign, store, product, [a, b], ["90.00", ""])  # b left out
    assert entry.status == "pending" and entry.store == store
    items = list(entry.items.all())
    assert [(i.sku_id, i.campaign_price, i.regular_price) for i in items] == [
        (a.pk, D("90.00"), D("100.00"))]
    event = CampaignEntryEvent.objects.get(entry=entry)
    assert event.actor == store.merchant and event.reason_params == {"skus": 1}


def test_refused_for_a_product_outside_the_eligible_categories(reviewer, store):
    shoes = CategoryFactory(code="t_shoes", name="鞋靴", status="open")
    campaign = make_campaign(reviewer, categories=[shoes])
    product, skus = product_with_skus(store)
    exc = refusal(campaign, store, product, skus)
    assert exc.code == "requirements_not_met" and exc.extra["failed"] == ["category"]
    assert "鞋靴" in str(exc.message)


def test_a_product_below_an_eligible_category_may_sign_up(reviewer, store):
    product, skus = product_with_skus(store)  # in t_root / mid / leaf
    root = product.category.ancestors_and_self()[0]
    campaign = make_campaign(reviewer, categories=[root])
    assert sign_up(campaign, store, product, skus).status == "pending"


def test_refused_when_the_dsr_is_below_the_minimum(campaign, merchant):
    store = eligible_store(merchant, rated=False)
    rate_store(store, scores=(5, 4, 5))
    product, skus = product_with_skus(store)
    exc = refusal(campaign, store, product, skus)
    assert exc.extra["failed"] == ["min_dsr"]
    assert "4.50" in str(exc.message)


def test_refused_when_the_store_has_no_dsr_yet(campaign, merchant):
    store = eligible_store(merchant, rated=False)
    product, skus = product_with_skus(store)
    assert refusal(campaign, store, product, skus).extra["failed"] == ["min_dsr"]


def test_refused_when_a_campaign_price_is_above_the_discount_limit(campaign, store):
    product, (a, b) = product_with_skus(store)
    # 90% of 100 is 90.00 (allowed); 90% of 200 is 180.00: 180.01 is too high
    exc = refusal(campaign, store, product, [a, b], ["90.00", "180.01"])
    assert exc.extra["failed"] == ["discount"]
    assert list(exc.extra["fields"]) == [f"sku-{b.pk}-price"]
    assert "180.00" in exc.extra["fields"][f"sku-{b.pk}-price"]
    assert sign_up(campaign, store, product, [a, b], ["90.00", "180.00"]).status == "pending"


def test_refused_under_a_campaign_restriction_from_the_credit_score(campaign, store):
    Restriction.objects.create(store=store, kind="campaign", node_score=60,
                               starts_at=timezone.now() - timedelta(days=1),
                               ends_at=timezone.now() + timedelta(days=20))
    Restriction.objects.create(store=store, kind="publish", node_score=60,  # another kind
                               starts_at=timezone.now() - timedelta(days=1))
    product, skus = product_with_skus(store)
    exc = refusal(campaign, store, product, skus)
    assert exc.extra["failed"] == ["campaign_restriction"]


def test_a_restriction_that_ended_does_not_refuse(campaign, store):
    Restriction.objects.create(store=store, kind="campaign", node_score=60,
                               starts_at=timezone.now() - timedelta(days=30),
                               ends_at=timezone.now() - timedelta(days=1))
    product, skus = product_with_skus(store)
    assert sign_up(campaign, store, product, skus).status == "pending"


def test_refused_when_the_deposit_is_short(campaign, store):
    DepositAccount.objects.filter(store=store).update(balance=D("300"), shortfall=D("200"))
    product, skus = product_with_skus(store)
    exc = refusal(campaign, store, product, skus)
    assert exc.extra["failed"] == ["deposit"]
    assert "200" in str(exc.message)


def test_refused_when_no_deposit_was_ever_paid(campaign, store):
    DepositAccount.objects.filter(store=store).delete()
    product, skus = product_with_skus(store)
    assert refusal(campaign, store, product, skus).extra["failed"] == ["deposit"]


def test_requirements_the_campaign_does_not_set_are_not_checked(reviewer, merchant):
    campaign = make_campaign(reviewer, require_no_restriction=False,
                             require_deposit_paid=False)
    store = eligible_store(merchant, rated=False)
    DepositAccount.objects.filter(store=store).delete()
    Restriction.objects.create(store=store, kind="campaign", node_score=60,
                               starts_at=timezone.now() - timedelta(days=1))
    product, skus = product_with_skus(store)
    assert sign_up(campaign, store, product, skus).status == "pending"


def test_every_failing_requirement_is_named_together(campaign, merchant):
    store = eligible_store(merchant, rated=False)
    DepositAccount.objects.filter(store=store).update(shortfall=D("1"))
    product, (a, b) = product_with_skus(store)
    exc = refusal(campaign, store, product, [a, b], ["99.00", "100.00"])
    assert exc.extra["failed"] == ["min_dsr", "discount", "deposit"]
    assert len(exc.extra["messages"]) == 3


def test_a_closed_store_is_refused(campaign, store):
    Store.objects.filter(pk=store.pk).update(status=Store.Status.CLOSED)
    store.refresh_from_db()
    product, skus = product_with_skus(store)
    assert "store_open" in refusal(campaign, store, product, skus).extra["failed"]


@pytest.mark.parametrize(("prices", "code"), [
    (["abc", ""], "invalid_items"),
    (["NaN", ""], "invalid_items"),
    (["0", ""], "invalid_items"),
    (["-5", ""], "invalid_items"),
    (["100.00", ""], "invalid_items"),  # not below the regular price
    (["", ""], "no_items"),
])
def test_bad_prices_are_refused_per_cell(campaign, store, prices, code):
    product, skus = product_with_skus(store)
    exc = refusal(campaign, store, product, skus, prices)
    assert exc.code == code


def test_a_sku_of_another_product_is_refused(campaign, store):
    product, skus = product_with_skus(store)
    _other, other_skus = product_with_skus(store)
    with pytest.raises(ApplicationError) as exc:
        sign_up(campaign, store, product, [other_skus[0]], ["50.00"])
    assert exc.value.code == "unknown_sku"


def test_another_merchants_product_or_an_unlisted_one_is_refused(campaign, store,
                                                                 other_merchant):
    theirs, their_skus = product_with_skus(eligible_store(other_merchant, rated=False))
    with pytest.raises(ApplicationError) as exc:
        sign_up(campaign, store, theirs, their_skus)
    assert exc.value.code == "not_yours"
    mine, skus = product_with_skus(store, status=Product.Status.DELISTED)
    with pytest.raises(ApplicationError) as exc:
        sign_up(campaign, store, mine, skus)
    assert exc.value.code == "not_listed"
    assert not CampaignEntry.objects.exists()


def test_a_product_signs_up_once_but_again_after_a_rejection(campaign, store, reviewer):
    product, skus = product_with_skus(store)
    entry = sign_up(campaign, store, product, skus)
    with pytest.raises(ApplicationError) as exc:
        sign_up(campaign, store, product, skus)
    assert exc.value.code == "already_signed_up"
    campaign_entry_reject(entry=entry, actor=reviewer, reason=R("campaign_reject_price"))
    assert sign_up(campaign, store, product, skus).status == "pending"


def test_sign_ups_close_when_the_campaign_starts(campaign, store):
    product, skus = product_with_skus(store)
    with pytest.raises(ApplicationError) as exc:
        sign_up(campaign, store, product, skus, now=campaign.starts_at)
    assert exc.value.code == "signup_closed"


# --- deciding ---------------------------------------------------------------------------
def test_a_reviewer_accepts_a_sign_up(campaign, store, reviewer):
    product, skus = product_with_skus(store)
    entry = campaign_entry_accept(entry=sign_up(campaign, store, product, skus),
                                  actor=reviewer)
    entry.refresh_from_db()
    assert entry.status == "accepted" and entry.decided_by == reviewer
    event = entry.events.get(to_status="accepted")
    assert event.actor == reviewer and event.reason_code == "promotions.campaign_entry_accepted"
    with pytest.raises(ApplicationError):
        campaign_entry_accept(entry=entry, actor=reviewer)  # once


def test_a_reviewer_rejects_with_a_reason_code_and_words(campaign, store, reviewer):
    product, skus = product_with_skus(store)
    entry = sign_up(campaign, store, product, skus)
    campaign_entry_reject(entry=entry, actor=reviewer,
                          reason=R("campaign_reject_stock").noting("库存只有5件"))
    entry.refresh_from_db()
    event = entry.events.get(to_status="rejected")
    assert entry.status == "rejected"
    assert event.reason_code == "promotions.campaign_reject_stock"
    assert event.reason == "库存只有5件"


def test_a_reason_that_is_not_a_rejection_code_is_refused(campaign, store, reviewer):
    product, skus = product_with_skus(store)
    entry = sign_up(campaign, store, product, skus)
    with pytest.raises(ApplicationError) as exc:
        campaign_entry_reject(entry=entry, actor=reviewer, reason=R("campaign_started"))
    assert exc.value.code == "invalid_reason"
    assert CampaignEntry.objects.get(pk=entry.pk).status == "pending"


def test_sign_ups_of_an_ended_campaign_cannot_be_decided_and_waiting_ones_expire(
        campaign, store, reviewer):
    product, skus = product_with_skus(store)
    entry = sign_up(campaign, store, product, skus)
    campaign_start(campaign=campaign, now=campaign.starts_at)
    campaign_end(campaign=campaign, now=campaign.ends_at)
    entry.refresh_from_db()
    assert entry.status == "expired"
    assert entry.events.get(to_status="expired").actor is None
    with pytest.raises(ApplicationError) as exc:
        campaign_entry_accept(entry=entry, actor=reviewer)
    assert exc.value.code == "campaign_over"


def test_cancelling_a_campaign_expires_waiting_sign_ups(campaign, store, reviewer):
    product, skus = product_with_skus(store)
    entry = sign_up(campaign, store, product, skus)
    campaign_cancel(campaign=campaign, actor=reviewer, reason="主办方调整")
    campaign.refresh_from_db()
    assert campaign.status == "cancelled"
    assert campaign.events.get(to_status="cancelled").reason == "主办方调整"
    assert CampaignEntry.objects.get(pk=entry.pk).status == "expired"
    with pytest.raises(ApplicationError):
        campaign_cancel(campaign=campaign, actor=reviewer)


def test_the_merchant_withdraws_before_the_start_only(campaign, store, reviewer,
                                                      other_merchant):
    product, skus = product_with_skus(store)
    entry = campaign_entry_accept(entry=sign_up(campaign, store, product, skus),
                                  actor=reviewer)
    with pytest.raises(ApplicationError) as exc:
        campaign_entry_withdraw(entry=entry, actor=other_merchant)
    assert exc.value.code == "not_yours"
    campaign_start(campaign=campaign, now=campaign.starts_at)
    with pytest.raises(ApplicationError) as exc:
        campaign_entry_withdraw(entry=entry, actor=store.merchant)
    assert exc.value.code == "bad_state"
    assert CampaignEntry.objects.get(pk=entry.pk).status == "accepted"
