"""Where a rule bites, the merchant sees the lesson that explains it: the `lesson_link`
tag, and its uses on the deposit page, the closure checklist and a product's screening
hits."""

import pytest
from django.template import Context, Template
from django.test import RequestFactory

from academy.models import Lesson, LessonLink
from academy.services import lesson_unpublish
from shop.models import ProductRevision
from shop.selectors import deposits as deposit_selectors
from tests.factories import ProductFactory
from tests.shop.test_deposits_fixtures import opened_store

pytestmark = pytest.mark.django_db


def _render(source, with_request=True):
    context = {"request": RequestFactory().get("/")} if with_request else {}
    return Template("{% load academy %}" + source).render(Context(context))


@pytest.mark.parametrize("with_request", [True, False])
def test_the_tag_links_the_lesson_reviewers_chose(with_request, reviewer):
    html = _render('{% lesson_link "credit_node" 80 %}', with_request)
    assert 'href="/seller/academy/lessons/rules-violations/"' in html
    assert _render('{% lesson_link "credit_node" "79" %}', with_request).strip() == ""
    LessonLink.objects.create(kind="violation_type", key="late_shipment",
                              lesson=Lesson.objects.get(slug="dsr"))
    assert "/lessons/dsr/" in _render('{% lesson_link "violation_type" "late_shipment" %}',
                                      with_request)
    lesson_unpublish(lesson=Lesson.objects.get(slug="dsr"), actor=reviewer)
    assert _render('{% lesson_link "violation_type" "late_shipment" %}', with_request).strip() == ""


def test_many_links_on_one_page_cost_one_query(django_assert_num_queries):
    template = Template("{% load academy %}" + "".join(
        f'{{% lesson_link "aftersale_clock" "{name}" %}}'
        for name in ["contact_by", "review_by", "receive_by", "reship_by"]))
    with django_assert_num_queries(1):
        html = template.render(Context({"request": RequestFactory().get("/")}))
    assert html.count("/lessons/rules-consumer-protection/") == 4


def test_the_deposit_page_links_the_deposit_lesson(merchant_client, merchant, monkeypatch):
    monkeypatch.setattr(deposit_selectors, "OPEN_CASE_PROVIDERS", ())
    opened_store(merchant)
    page = merchant_client.get("/seller/deposit/").content.decode()
    assert 'href="/seller/academy/lessons/rules-deposits/"' in page
    closure = merchant_client.get("/seller/closure/").content.decode()
    row = closure.split('class="condition-quiet_period"', 1)[1].split("</tr>", 1)[0]
    assert 'href="/seller/academy/lessons/rules-deposits/"' in row


def test_a_screening_hit_links_the_lesson_about_its_rule(merchant_client, merchant):
    store = opened_store(merchant)
    product = ProductFactory(store=store)
    ProductRevision.objects.create(
        product=product, number=1, payload={}, status=ProductRevision.Status.REJECTED,
        screening_hits=[{"text": "全国第一", "rule": "absolute_terms", "rule_name": "极限词"}],
        has_hits=True)
    page = merchant_client.get(f"/seller/products/{product.pk}/").content.decode()
    hits = page.split('class="hits"', 1)[1].split("</ul>", 1)[0]
    assert "全国第一" in hits and 'href="/seller/academy/lessons/video-rules/"' in hits
