"""Delivery results of paid promotion: a signed, idempotent ingestion (a wrong signature
or a body that is not understood changes nothing; the same batch twice counts once; the
spend never passes the budget), through the real URL too, and the sandbox delivery feed
that posts plausible results through the same signed path while sandbox mode is on."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from common.errors import ApplicationError
from promotions import tasks
from promotions.models import PromotionOrder, PromotionResult, PromotionResultBatch
from promotions.selectors.ads import promotion_figures
from promotions.services import ads as services
from tests.promotions.ad_factories import fund, ingest, results_body, row, submit
from tests.promotions.live_factories import video
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    store_for,
)

D = Decimal
pytestmark = pytest.mark.django_db


@pytest.fixture
def running(merchant, reviewer):
    store = store_for(merchant)
    fund(store, "1000.00", reviewer)
    order = submit(store, video(store, listed_sku(store).product), budget="100.00")
    return services.promotion_order_approve(order=order, actor=reviewer)


def fresh(order) -> PromotionOrder:
    return PromotionOrder.objects.get(pk=order.pk)


def test_results_add_up_and_the_rates_follow(running):
    ingest("b1", row(running, exposures=1000, plays=120, new_fans=4, clicks=9, spend="20.00"))
    ingest("b2", row(running, exposures=500, plays=30, new_fans=1, clicks=1, spend="5.00"))
    order = fresh(running)
    assert (order.exposures, order.plays, order.new_fans, order.clicks) == (1500, 150, 5, 10)
    assert order.spent == D("25.00")
    figures = promotion_figures(order)
    assert figures.cost_per_fan == D("5.00") and figures.cover_click_rate == D("10.00")


def test_zero_exposures_and_zero_fans_have_no_rate(running):
    figures = promotion_figures(fresh(running))
    assert figures.cost_per_fan is None and figures.cover_click_rate is None
    ingest("b0", row(running, spend="3.00"))
    figures = promotion_figures(fresh(running))
    assert figures.spent == D("3.00") and figures.cost_per_fan is None
    assert figures.cover_click_rate is None


def test_the_same_batch_twice_counts_once(running):
    batch, created = ingest("same", row(running, exposures=100, plays=10, spend="10.00"))
    again, created_again = ingest("same", row(running, exposures=100, plays=10, spend="10.00"))
    assert created and not created_again and again.pk == batch.pk
    order = fresh(running)
    assert order.exposures == 100 and order.spent == D("10.00")
    assert PromotionResult.objects.count() == 1


def test_a_wrong_signature_is_refused_and_changes_nothing(running):
    body = results_body("sig", row(running, exposures=100, spend="10.00"))
    for signature in ("", "00" * 32, services.ad_delivery_sign(body + b" ")):
        with pytest.raises(ApplicationError) as info:
            services.promotion_results_ingest(body=body, signature=signature)
        assert info.value.code == "bad_signature"
    assert not PromotionResultBatch.objects.exists() and fresh(running).exposures == 0


@pytest.mark.parametrize("payload", [
    {"batch_id": "", "results": [{"order": 1}]},
    {"batch_id": "x", "results": []},
    {"batch_id": "x", "results": [{"order": "1"}]},
    {"batch_id": "x", "results": [{"order": 1, "exposures": -1}]},
    {"batch_id": "x", "results": [{"order": 1, "plays": 1.5}]},
    {"batch_id": "x", "results": [{"order": 1, "spend": "-1"}]},
    {"batch_id": "x", "results": [{"order": 1, "spend": "1.005"}]},
    {"batch_id": "x", "results": [{"order": 1, "spend": "NaN"}]},
    {"batch_id": "x", "results": [{"order": 1}, {"order": 1}]},
    {"batch_id": "x", "results": [{"order": 2**64}]},
    {"batch_id": "x", "results": [{"order": 1, "exposures": 10**13}]},
    {"batch_id": "x", "results": [{"order": 1, "spend": "100000000000.00"}]},
    {"batch_id": "x" * 65, "results": [{"order": 1}]},
    ["x"],
    {"results": [{"order": 1}]},
])
def test_a_body_that_is_not_understood_is_refused(running, payload):
    for entry in payload.get("results", []) if isinstance(payload, dict) else ():
        entry["order"] = running.pk if entry["order"] == 1 else entry["order"]
    body = json.dumps(payload).encode()
    with pytest.raises(ApplicationError) as info:
        services.promotion_results_ingest(body=body, signature=services.ad_delivery_sign(body))
    assert info.value.code == "bad_results"
    assert not PromotionResultBatch.objects.exists()


def test_a_batch_naming_an_order_not_running_writes_nothing(running, merchant):
    pending = submit(running.store, running.video, budget="50.00")
    with pytest.raises(ApplicationError) as info:
        ingest("mixed", row(running, exposures=10, spend="1.00"), row(pending, exposures=5))
    assert info.value.code == "unknown_order"
    with pytest.raises(ApplicationError):
        ingest("ghost", {"order": 999999, "exposures": 1})
    assert not PromotionResultBatch.objects.exists() and fresh(running).exposures == 0


def test_spend_is_capped_at_the_budget(running):
    ingest("c1", row(running, spend="70.00"))
    ingest("c2", row(running, exposures=50, spend="45.00"))
    order = fresh(running)
    assert order.spent == D("100.00") and order.exposures == 50
    last = PromotionResult.objects.get(batch__batch_id="c2")
    assert last.spend == D("45.00") and last.spend_counted == D("30.00")
    ingest("c3", row(running, spend="1.00"))
    assert fresh(running).spent == D("100.00")


def test_results_after_the_end_count_their_figures_but_no_spend(running):
    services.promotion_order_end(order=running, now=running.ends_at)
    ingest("late", row(running, exposures=20, plays=2, spend="5.00"))
    order = fresh(running)
    assert order.status == "ended" and order.exposures == 20 and order.spent == 0
    assert order.refunded == D("100.00")


def test_the_api_takes_a_signed_batch_once(running, client):
    url = reverse("webhook-ad-delivery")
    body = results_body("api-1", row(running, exposures=300, plays=30, new_fans=2,
                                     spend="12.00"))
    bad = client.post(url, body, content_type="application/json", HTTP_X_SIGNATURE="00" * 32)
    assert bad.status_code == 400 and bad.json()["code"] == "bad_signature"
    sig = services.ad_delivery_sign(body)
    first = client.post(url, body, content_type="application/json", HTTP_X_SIGNATURE=sig)
    second = client.post(url, body, content_type="application/json", HTTP_X_SIGNATURE=sig)
    assert first.status_code == 200 and first.json() == {"ok": True, "changed": True,
                                                         "batch_id": "api-1"}
    assert second.status_code == 200 and second.json()["changed"] is False
    assert fresh(running).exposures == 300 and fresh(running).spent == D("12.00")


def test_the_sandbox_feed_posts_plausible_results_through_the_signed_path(running, settings,
                                                                         monkeypatch):
    settings.AD_DELIVERY_SANDBOX_ENABLED = True
    signed = []
    real = services.promotion_results_ingest

    def spy(*, body, signature, now=None):
        assert signature == services.ad_delivery_sign(body)
        signed.append(body)
        return real(body=body, signature=signature, now=now)

    monkeypatch.setattr(services, "promotion_results_ingest", spy)
    now = timezone.now()
    batch = services.ad_sandbox_feed_run(now=now)
    assert batch is not None and batch.sandbox and len(signed) == 1
    order = fresh(running)
    assert D("0") < order.spent <= D("5.00")  # at most 5 % of the budget per run
    assert order.exposures > 0 and order.plays <= order.exposures
    # the same minute again counts once; the next run adds more
    services.ad_sandbox_feed_run(now=now)
    assert fresh(running).spent == order.spent
    services.ad_sandbox_feed_run(now=now + timedelta(minutes=3))
    assert fresh(running).spent > order.spent
    assert PromotionResultBatch.objects.filter(sandbox=True).count() == 2


def test_the_sandbox_task_does_nothing_when_sandbox_mode_is_off(running, settings):
    settings.AD_DELIVERY_SANDBOX_ENABLED = False
    assert tasks.ad_sandbox_feed() == {"enabled": False}
    assert not PromotionResultBatch.objects.exists()
    settings.AD_DELIVERY_SANDBOX_ENABLED = True
    assert tasks.ad_sandbox_feed()["batch"]
    assert fresh(running).spent > 0


def test_the_sandbox_feed_is_scheduled():
    from common.schedules import SCHEDULES

    spec = next(s for s in SCHEDULES if s["name"] == "ad_sandbox_feed")
    assert spec["func"] == "promotions.tasks.ad_sandbox_feed"
