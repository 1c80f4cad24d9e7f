"""The demo shows enforcement: merchant_c has a recorded violation whose points reach the
first credit node (with its restrictions) and a failed sampling inspection waiting for its
appeal; merchant_a stays clean. seed_demo twice adds nothing."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from compliance.enforcement.models import (
    CreditScore,
    Measure,
    Restriction,
    SamplingInspection,
    Violation,
)
from compliance.enforcement.selectors import restrictions_for

pytestmark = pytest.mark.django_db


def snapshot():
    return {model.__name__: model.objects.count()
            for model in (Violation, Restriction, SamplingInspection, CreditScore, Measure)}


def test_the_demo_shows_enforcement_on_merchant_c_only(settings):
    settings.DEBUG = True
    settings.PAYMENT_SANDBOX_ENABLED = True
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    violations = Violation.objects.filter(store__merchant__username="merchant_c")
    assert {v.type.code for v in violations} == {"sampling_failure", "private_trade"}
    assert all(v.status == "in_force" for v in violations)
    store = violations.first().store
    score = CreditScore.objects.get(store=store)
    assert score.score == 100 - sum(v.points for v in violations) <= 80
    running = Restriction.objects.filter(store=store, status="active")
    assert {(r.kind, r.node_score) for r in running} == {
        (kind, 80) for kind in ("warning", "publish", "campaign", "cart")}
    assert restrictions_for(store, "cart", timezone.now())
    inspection = SamplingInspection.objects.get(store=store)
    assert inspection.status == "failed" and inspection.appeal_by > timezone.now()
    assert inspection.sample_order.buyer.username == "buyer_b"
    assert inspection.product.status == "delisted"
    assert inspection.violation in violations
    assert not Violation.objects.filter(store__merchant__username="merchant_a").exists()
    assert not Restriction.objects.filter(store__merchant__username="merchant_a").exists()
    assert not SamplingInspection.objects.filter(
        store__merchant__username="merchant_a").exists()

    call_command("seed_demo", verbosity=0)
    assert snapshot() == first
