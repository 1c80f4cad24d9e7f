"""One reason → fault table in the rules, used by the workbench; user-facing text of the
after-sale screens goes through gettext (codes are never shown as they are stored)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.functional import Promise
from rest_framework.test import APIClient

from common.errors import ApplicationError
from disputes import rules, services, sweeps
from disputes.models import AfterSaleRequest
from tests.disputes.aftersale_factories import (
    RETURN_ADDRESS,
    START,
    fresh,
    open_request,
    signed_order,
)

REASONS = [value for value, _label in AfterSaleRequest.Reason.choices]


def page(client, url):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    res = client.get(url)
    assert res.status_code == 200, res.content[:500]
    return res.content.decode()


# --- 7. reason → fault, one table -------------------------------------------------------------
@pytest.mark.parametrize("reason, fault", [
    ("no_reason", None),
    ("quality", "merchant_quality"),
    ("not_received", None),
    ("wrong_or_missing", "merchant_wrong_item"),
    ("gift", None),
    ("other", None),
])
def test_the_fault_each_reason_implies(reason, fault):
    assert reason in REASONS
    assert rules.implied_fault(reason) == fault
    assert (reason in rules.MERCHANT_FAULT_REASONS) is (fault is not None)
    if fault:
        assert fault in rules.FAULTS and rules.fault_side(fault) == rules.MERCHANT


def test_the_table_covers_only_known_reasons_and_faults():
    assert set(rules.REASON_FAULT) <= set(REASONS)
    assert set(rules.REASON_FAULT.values()) <= set(rules.FAULTS)


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["quality", "wrong_or_missing", "other"])
def test_the_workbench_suggests_the_implied_fault_everywhere(travel, buyer, agent,
                                                             agent_client, sku, reason,
                                                             monkeypatch):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="refund_only", reason=reason)
    services.after_sale_request_escalate(request=request, actor=buyer, reason="协商不成")
    services.after_sale_case_take(request=request, actor=agent)
    seen = []
    real = services.fee_suggestion

    def spy(case, *, fault=None, **kw):
        seen.append(fault)
        return real(case, fault=fault, **kw)

    monkeypatch.setattr(services, "fee_suggestion", spy)
    html = page(agent_client, f"/support/cases/{request.pk}/")
    expected = rules.implied_fault(reason)
    assert seen == [expected]  # the fee suggestion on the page…
    selected = re.search(r'<option value="([a-z_]+)" selected>', html.split('name="fault"')[1])
    assert selected.group(1) == (expected or "none")  # …and the ruling form agree


# --- 8. text through gettext -----------------------------------------------------------------
@pytest.mark.django_db
def test_a_system_escalation_shows_why_in_words_not_its_code(travel, buyer, agent_client,
                                                             merchant_client, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku), kind="exchange", reason="quality")
    assert sweeps.auto_approve(START + timedelta(hours=72)) == 1  # no return address
    request = fresh(request)
    assert request.escalation_reason == "no_return_address"
    words = "the merchant has no return address: support will give one"
    for html in (page(merchant_client, f"/seller/after-sales/{request.pk}/"),
                 page(agent_client, f"/support/cases/{request.pk}/")):
        assert words in html and "no_return_address" not in html
    api = APIClient()
    api.force_authenticate(buyer)
    body = api.get(f"/api/buyer/after-sales/{request.pk}/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["escalation_reason"] == "no_return_address"
    assert words in body["escalation_reason_label"]


@pytest.mark.django_db
def test_a_person_s_escalation_reason_is_shown_as_written(travel, buyer, sku):
    travel(START)
    request = open_request(signed_order(buyer, sku))
    services.after_sale_request_escalate(request=request, actor=buyer, reason="no_return_address")
    assert fresh(request).escalation_reason_label == "no_return_address"


@pytest.mark.django_db
def test_an_incomplete_return_address_names_the_fields_in_words(merchant, store):
    from django.utils import translation

    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        services.merchant_return_address_set(store=store, actor=merchant,
                                             address=dict(RETURN_ADDRESS, name="", detail=""))
    assert refused.value.message == ("The return address is incomplete: recipient, "
                                     "street address.")


def test_every_disputes_model_field_has_a_translated_name():
    from django.apps import apps

    untranslated = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_app_config("disputes").get_models()
        for field in model._meta.get_fields()
        if field.concrete and not field.primary_key
        and not isinstance(field.verbose_name, Promise)
    ]
    assert untranslated == []


TEMPLATES = [
    *Path(settings.BASE_DIR, "templates", "support").rglob("*.html"),
    *Path(settings.BASE_DIR, "templates", "seller", "aftersales").rglob("*.html"),
    *Path(settings.BASE_DIR, "disputes", "templates").rglob("*.html"),
]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_templates_have_no_text_outside_translation_tags(path):
    text = path.read_text(encoding="utf-8")
    text = re.sub(r"{%\s*blocktranslate.*?{%\s*endblocktranslate\s*%}", "", text, flags=re.S)
    text = re.sub(r"{%.*?%}|{{.*?}}|{#.*?#}", "", text, flags=re.S)
    attrs = re.findall(r'(?:title|alt|placeholder|aria-label|value)="([^"{]*[A-Za-z][^"]*)"',
                       text)
    words = re.sub(r"<[^>]*>", " ", text)
    assert attrs == [] and re.findall(r"[A-Za-z\u4e00-\u9fff]{2,}", words) == []
