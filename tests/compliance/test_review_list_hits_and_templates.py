"""The product review queue: the screening-hits column reads as a warning with a count for
revisions with hits and as nothing alarming for clean ones; the review page offers the
product-scope reason templates."""

import pytest
from django.urls import reverse

from shop.models import RejectionReasonTemplate
from tests.compliance.test_review_queue import _in_review
from tests.factories import StoreFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("admin:compliance_productreview_changelist")


@pytest.fixture(autouse=True)
def _seeded(rules_seeded):
    pass


def _row(html, title):
    start = html.index(title)
    return html[start:html.index("</tr>", start)]


def test_hits_column_shows_a_warning_count_for_hits_and_nothing_for_clean(
    tree, reviewer_client
):
    dresses = tree["apparel.womens.dresses"]
    _in_review(StoreFactory(), dresses, title="连衣裙甲 全网第一 加我微信")
    _in_review(StoreFactory(), dresses, title="连衣裙乙")
    html = reviewer_client.get(QUEUE).content.decode()
    hit_row, clean_row = _row(html, "连衣裙甲"), _row(html, "连衣裙乙")
    # no boolean icons: ✓ read as "fine" for a revision with hits
    assert "icon-yes" not in hit_row and "icon-no" not in clean_row
    assert "icon-yes" not in clean_row and "icon-no" not in hit_row
    assert "⚠ 2" in hit_row and "screening-hits" in hit_row
    assert "screening-hits" not in clean_row and "⚠" not in clean_row


def test_review_page_offers_the_product_reason_templates(tree, reviewer_client):
    # the seeded product templates (compliance 0006); a transactional test elsewhere may
    # have flushed them, so make sure one is there
    template, _ = RejectionReasonTemplate.objects.get_or_create(
        scope="product", text="商品属于禁售商品或平台未开放类目，不能发布。"
    )
    RejectionReasonTemplate.objects.create(scope="application", text="证件照片模糊")
    revision = _in_review(StoreFactory(), tree["apparel.womens.dresses"], title="连衣裙")
    html = reviewer_client.get(
        reverse("admin:compliance_productreview_change", args=[revision.pk])
    ).content.decode()
    assert template.text in html
    assert "证件照片模糊" not in html


def test_product_reason_templates_are_seeded():
    from importlib import import_module

    migration = import_module("compliance.migrations.0006_screening_virtual_and_not_open_goods")
    RejectionReasonTemplate.objects.filter(scope="product").delete()
    from django.apps import apps

    migration.add_product_reason_templates(apps, None)
    texts = set(
        RejectionReasonTemplate.objects.filter(scope="product").values_list("text", flat=True)
    )
    assert texts == set(migration.PRODUCT_REASON_TEMPLATES)
    # the reviewers' own templates are left alone
    RejectionReasonTemplate.objects.filter(scope="product").exclude(
        text=migration.PRODUCT_REASON_TEMPLATES[0]
    ).delete()
    migration.add_product_reason_templates(apps, None)
    assert RejectionReasonTemplate.objects.filter(scope="product").count() == 1
