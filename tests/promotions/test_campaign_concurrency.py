"""At once on PostgreSQL: a product signed up from several tabs is in a campaign once; the
start and end clocks run in several workers move each campaign once; a reviewer's accept
racing the merchant's withdrawal leaves one of them."""

import pytest

from promotions.models import CampaignEntry, CampaignEvent
from promotions.services.campaigns import campaign_entry_accept, campaign_entry_withdraw
from promotions.sweeps import end_due_campaigns, start_due_campaigns
from tests.concurrency import postgres_only, run_threads
from tests.promotions.campaign_factories import (
    eligible_store,
    make_campaign,
    product_with_skus,
    sign_up,
)
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = [pytest.mark.django_db(transaction=True), postgres_only]


def test_eight_tabs_sign_the_same_product_up_once(reviewer, merchant):
    store = eligible_store(merchant)
    campaign = make_campaign(reviewer)
    product, skus = product_with_skus(store)

    entries, errors = run_threads(8, lambda i: sign_up(campaign, store, product, skus).pk)
    assert len(entries) == 1 and errors == ["already_signed_up"] * 7
    assert CampaignEntry.objects.filter(campaign=campaign, product=product).count() == 1


def test_clocks_in_several_workers_move_each_campaign_once(reviewer):
    campaigns = [make_campaign(reviewer, name=f"活动{i}") for i in range(3)]
    start, end = campaigns[0].starts_at, campaigns[0].ends_at

    started, _errors = run_threads(4, lambda i: start_due_campaigns(start))
    assert sum(started) == 3
    ended, _errors = run_threads(4, lambda i: end_due_campaigns(end))
    assert sum(ended) == 3
    for campaign in campaigns:
        assert list(CampaignEvent.objects.filter(campaign=campaign).order_by("at", "pk")
                    .values_list("to_status", flat=True)) == ["scheduled", "running", "ended"]


def test_accept_racing_a_withdrawal_leaves_one_outcome(reviewer, merchant):
    store = eligible_store(merchant)
    campaign = make_campaign(reviewer)
    entry = sign_up(campaign, store, *product_with_skus(store))

    def act(i):
        if i % 2:
            return campaign_entry_accept(entry=entry, actor=reviewer).status
        return campaign_entry_withdraw(entry=entry, actor=merchant).status

    done, errors = run_threads(2, act)
    entry.refresh_from_db()
    # withdrawing an accepted sign-up before the start is allowed, so both may succeed in
    # that order; never the other way round, and every move has its event
    moves = list(entry.events.order_by("at", "pk").values_list("to_status", flat=True))
    assert moves[0] == "pending" and len(moves) == 1 + len(done)
    assert entry.status == moves[-1]
    assert set(errors) <= {"bad_state"}
