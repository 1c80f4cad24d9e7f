"""The reviewers' product and qualification queues in the admin, the category tree admin,
and the merchant's review status page: real URLs, real templates, fixed query counts."""

from datetime import date

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from common import review_queues
from compliance.models import Qualification
from shop.models import Product, ProductRevision, RejectionReasonTemplate
from shop.services.products import product_submit, product_update
from tests.factories import PDF_BYTES, ProductFactory, SkuFactory, StoreFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("admin:compliance_productreview_changelist")


@pytest.fixture(autouse=True)
def _seeded(rules_seeded):
    pass


def _in_review(store, category, title="纯棉T恤", **kwargs):
    product = ProductFactory(
        store=store, category=category, status=Product.Status.DRAFT, title=title, **kwargs
    )
    SkuFactory(product=product)
    return product_submit(product=product, actor=store.merchant)


def _change(store, category, merchant, title):
    product = ProductFactory(store=store, category=category, title="纯棉T恤 基础款")
    SkuFactory(product=product)
    product_update(
        product=product, actor=merchant,
        data={"title": title, "category_id": category.pk, "description": "舒适透气"},
        skus=[{"attributes": {"颜色": "白"}, "price": "59", "stock": 5}],
    )
    return product_submit(product=product, actor=merchant)


def _many(tree, n):
    category = tree["apparel.womens.dresses"]
    for i in range(n):
        store = StoreFactory()
        _in_review(store, category, title=f"连衣裙{i} 全网第一" if i % 2 else f"连衣裙{i}")


def test_queue_changelist_has_a_fixed_number_of_queries(
    tree, reviewer_client, django_assert_max_num_queries
):
    _many(tree, 3)
    with django_assert_max_num_queries(20) as small:
        assert reviewer_client.get(QUEUE).status_code == 200
    _many(tree, 12)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = reviewer_client.get(QUEUE)
    assert response.status_code == 200
    assert response.content.decode().count('name="_selected_action"') == 15


def test_queue_is_oldest_first_and_filters(tree, store, merchant, reviewer_client):
    dresses = tree["apparel.womens.dresses"]
    first = _in_review(store, dresses, title="连衣裙 A")
    second = _in_review(StoreFactory(), dresses, title="连衣裙 B 加我微信")
    change = _change(StoreFactory(), dresses, merchant=None, title="连衣裙 C")
    body = reviewer_client.get(QUEUE).content.decode()
    assert body.index("连衣裙 A") < body.index("连衣裙 B") < body.index("连衣裙 C")

    def ids(query):
        page = reviewer_client.get(QUEUE + query)
        return {obj.pk for obj in page.context["cl"].result_list}

    assert ids("?hits=yes") == {second.pk}
    assert ids("?hits=no") == {first.pk, change.pk}
    assert ids("?change=change") == {change.pk}
    assert ids("?change=new") == {first.pk, second.pk}
    assert ids(f"?category={tree['apparel'].pk}") == {first.pk, second.pk, change.pk}
    assert ids(f"?category={tree['food'].pk}") == set()
    assert ids(f"?q={store.name}") == {first.pk}


def test_review_page_highlights_hits_and_shows_requirements_and_diff(
    tree, store, merchant, reviewer_client, django_assert_max_num_queries
):
    revision = _change(store, tree["apparel.womens.dresses"], merchant, "连衣裙 加我ｖｘ 全网第一")
    url = reverse("admin:compliance_productreview_change", args=[revision.pk])
    with django_assert_max_num_queries(25):
        response = reviewer_client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<mark class="hit" title="引导私下交易/站外联系">加我ｖｘ</mark>' in body
    assert '<mark class="hit" title="广告法极限词">全网第一</mark>' in body
    assert "纯棉T恤 基础款" in body  # the listed title, in the diff
    assert gettext("No qualification required.") in body


def test_review_page_shows_missing_store_qualifications(tree, qtype, store, reviewer_client):
    revision = _in_review(store, tree["apparel.womens.dresses"])
    ProductRevision.objects.filter(pk=revision.pk).update(
        payload={**revision.payload, "category_id": tree["food.snacks.nuts"].pk}
    )
    Qualification.objects.create(
        store=store, type=qtype("food_business_licence"), number="JY9",
        valid_from=date(2025, 1, 1), status=Qualification.Status.PENDING,
    )
    body = reviewer_client.get(
        reverse("admin:compliance_productreview_change", args=[revision.pk])
    ).content.decode()
    assert "食品经营许可证" in body
    assert 'class="status-bad"' in body


def test_review_page_asks_the_one_qualification_check(
    tree, qtype, store, reviewer_client, approved_qualification, monkeypatch
):
    """Whether a store's qualification counts is decided in one place
    (`selectors.qualification_missing_types`); the review page shows its answer."""
    from compliance import selectors
    from compliance.models import QualificationType

    approved_qualification(store, qtype("food_business_licence"))
    from compliance.rules import FOOD_LABEL_FIELDS

    revision = _in_review(
        store, tree["food.snacks.nuts"], food_label={key: "x" for key in FOOD_LABEL_FIELDS}
    )
    url = reverse("admin:compliance_productreview_change", args=[revision.pk])
    calls = []
    real = selectors.qualification_missing_types

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(selectors, "qualification_missing_types", spy)
    body = reviewer_client.get(url).content.decode()
    assert [c["store"] for c in calls] == [store]
    assert '食品经营许可证: <span class="status-ok">' in body

    monkeypatch.setattr(
        selectors, "qualification_missing_types",
        lambda **kw: list(QualificationType.objects.filter(pk__in=kw["type_ids"])),
    )
    body = reviewer_client.get(url).content.decode()
    assert '食品经营许可证: <span class="status-bad">' in body


def test_review_page_labels_hit_fields_and_food_label_fields(
    tree, qtype, store, reviewer_client, approved_qualification
):
    from compliance.presentation import FOOD_LABEL_LABELS, field_label

    approved_qualification(store, qtype("food_business_licence"))
    label = {key: "x" for key in FOOD_LABEL_LABELS}
    product = ProductFactory(
        store=store, category=tree["food.snacks.nuts"], status=Product.Status.DRAFT,
        title="坚果", food_label=label,
    )
    SkuFactory(product=product, attributes={"备注": "加我微信"})
    revision = product_submit(product=product, actor=store.merchant)
    body = reviewer_client.get(
        reverse("admin:compliance_productreview_change", args=[revision.pk])
    ).content.decode()
    hits_table = body[body.index('<mark class="hit">'):]
    assert f"<td>{field_label('skus.0.attributes.备注')}</td>" in body
    assert "<td>skus.0.attributes.备注</td>" not in hits_table
    assert f'<th scope="row">{FOOD_LABEL_LABELS["ingredients"]}</th>' in body
    assert '<th scope="row">ingredients</th>' not in body


def test_approve_and_reject_from_the_review_page(tree, store, reviewer, reviewer_client):
    dresses = tree["apparel.womens.dresses"]
    approved = _in_review(store, dresses, title="连衣裙 全网第一")
    url = reverse("admin:compliance_productreview_change", args=[approved.pk])
    assert reviewer_client.post(url, {"_approve": "1"}).status_code == 302
    approved.refresh_from_db()
    assert approved.status == ProductRevision.Status.APPROVED and approved.reviewer == reviewer
    assert approved.product.status == Product.Status.LISTED

    template = RejectionReasonTemplate.objects.create(scope="product", text="标题含极限词")
    rejected = _in_review(StoreFactory(), dresses, title="最好的连衣裙")
    url = reverse("admin:compliance_productreview_change", args=[rejected.pk])
    response = reviewer_client.post(url, {"_reject": "1"})  # no reason: refused, page again
    assert response.status_code == 200
    rejected.refresh_from_db()
    assert rejected.status == ProductRevision.Status.IN_REVIEW
    reviewer_client.post(url, {"_reject": "1", "templates": [template.pk], "text": "请修改"})
    rejected.refresh_from_db()
    assert rejected.status == ProductRevision.Status.REJECTED
    assert rejected.decision_reason == "标题含极限词；请修改"
    assert rejected.reviewer == reviewer


def test_bulk_approve_skips_revisions_with_hits(tree, reviewer, reviewer_client):
    dresses = tree["apparel.womens.dresses"]
    clean = _in_review(StoreFactory(), dresses, title="连衣裙")
    dirty = _in_review(StoreFactory(), dresses, title="连衣裙 好评返现")
    selection = {"action": "approve_without_hits", "_selected_action": [clean.pk, dirty.pk]}
    # First the confirmation: what will be approved, and what is left for its own review.
    response = reviewer_client.post(QUEUE, selection)
    assert response.status_code == 200
    body = response.content.decode()
    with translation.override(settings.LANGUAGE_CODE):
        left = translation.gettext("Left alone")
        why = translation.gettext("Has screening hits: review it on its own page.")
    assert left in body and why in body
    clean.refresh_from_db()
    assert clean.status == ProductRevision.Status.IN_REVIEW
    response = reviewer_client.post(QUEUE, {**selection, "apply": "1"})
    assert response.status_code == 302
    clean.refresh_from_db()
    dirty.refresh_from_db()
    assert (clean.status, clean.reviewer) == (ProductRevision.Status.APPROVED, reviewer)
    assert dirty.status == ProductRevision.Status.IN_REVIEW


def test_bulk_reject_goes_through_a_reason_page(tree, reviewer, reviewer_client):
    dresses = tree["apparel.womens.dresses"]
    a = _in_review(StoreFactory(), dresses, title="连衣裙 A")
    b = _in_review(StoreFactory(), dresses, title="连衣裙 B")
    data = {"action": "reject_selected", "_selected_action": [a.pk, b.pk]}
    page = reviewer_client.post(QUEUE, data)
    assert page.status_code == 200 and "连衣裙 A" in page.content.decode()
    a.refresh_from_db()
    assert a.status == ProductRevision.Status.IN_REVIEW
    reviewer_client.post(QUEUE, {**data, "apply": "1", "text": "图片不清晰"})
    for revision in (a, b):
        revision.refresh_from_db()
        assert revision.status == ProductRevision.Status.REJECTED
        assert revision.decision_reason == "图片不清晰" and revision.reviewer == reviewer


def test_queues_are_on_the_admin_home(tree, store, reviewer_client, rf, reviewer):
    _in_review(store, tree["apparel.womens.dresses"])
    request = rf.get("/admin/")
    request.user = reviewer
    summaries = {str(s.label): s for s in review_queues.summaries(request)}
    product_queue = next(s for label, s in summaries.items() if "商品初审" in label)
    assert product_queue.count == 1 and product_queue.url == QUEUE
    assert reviewer_client.get("/admin/").status_code == 200


# --- qualification queue ---------------------------------------------------------------
def test_qualification_queue_decisions(
    tree, qtype, store, merchant_client, reviewer, reviewer_client, django_assert_max_num_queries
):
    for number in ("JY1", "JY2", "JY3"):
        merchant_client.post(
            reverse("seller_compliance:qualification_upload"),
            {"type": qtype("food_business_licence").pk, "number": number, "issuer": "局",
             "valid_from": "2025-01-01", "valid_until": "2099-01-01",
             "files": SimpleUploadedFile("a.pdf", PDF_BYTES)},
        )
    queue = reverse("admin:compliance_qualificationreview_changelist")
    with django_assert_max_num_queries(20):
        assert reviewer_client.get(queue).status_code == 200
    one, two, three = Qualification.objects.order_by("number")
    change = reverse("admin:compliance_qualificationreview_change", args=[one.pk])
    page = reviewer_client.get(change)
    assert page.status_code == 200 and "a.pdf" in page.content.decode()
    decide = reverse("admin:compliance_qualificationreview_decide", args=[one.pk])
    assert reviewer_client.post(decide, {"_approve": "1"}).status_code == 302
    one.refresh_from_db()
    assert (one.status, one.reviewed_by) == ("approved", reviewer)

    reviewer_client.post(queue, {"action": "reject_selected", "_selected_action": [two.pk],
                                 "apply": "1", "text": "证件过期"})
    two.refresh_from_db()
    assert (two.status, two.rejection_reason) == ("rejected", "证件过期")
    reviewer_client.post(queue, {"action": "approve_selected", "_selected_action": [three.pk],
                                 "apply": "1"})
    three.refresh_from_db()
    one.refresh_from_db()
    assert three.status == "approved" and one.status == "superseded"


def test_category_admin_tree(tree, reviewer_client, django_assert_max_num_queries):
    url = reverse("admin:compliance_category_changelist")
    with django_assert_max_num_queries(20):
        response = reviewer_client.get(url + "?level__exact=3")
    assert response.status_code == 200
    body = response.content.decode()
    assert "食品经营许可证" in body  # inherited requirement shown on leaves
    change = reverse("admin:compliance_category_change", args=[tree["food.snacks.nuts"].pk])
    body = reviewer_client.get(change).content.decode()
    assert "食品经营许可证" in body
    assert reviewer_client.get(url + "?status__exact=prohibited&q=文物").status_code == 200


# --- merchant pages ---------------------------------------------------------------------
def test_merchant_review_status_page(
    tree, store, merchant_client, other_store, django_assert_max_num_queries
):
    dresses = tree["apparel.womens.dresses"]
    _in_review(store, dresses, title="连衣裙 加我微信")
    _in_review(other_store, dresses, title="别人的连衣裙")
    url = reverse("seller_compliance:reviews")
    with django_assert_max_num_queries(15) as captured:
        response = merchant_client.get(url)
    body = response.content.decode()
    assert response.status_code == 200
    assert '<mark class="hit" title="引导私下交易/站外联系">加我微信</mark>' in body
    assert "别人的连衣裙" not in body
    for i in range(5):
        _in_review(store, dresses, title=f"连衣裙{i}")
    with django_assert_max_num_queries(len(captured.captured_queries)):
        assert merchant_client.get(url).status_code == 200


def test_qualification_center_lists_requirements(
    tree, qtype, store, merchant_client, approved_qualification
):
    ProductFactory(store=store, category=tree["food.snacks.nuts"], status=Product.Status.DRAFT)
    body = merchant_client.get(reverse("seller_compliance:center")).content.decode()
    assert "食品经营许可证" in body and "坚果炒货" in body
    assert 'badge badge-bad' in body
    approved_qualification(store, qtype("food_business_licence"))
    body = merchant_client.get(reverse("seller_compliance:center")).content.decode()
    assert 'badge badge-ok' in body


def test_listing_diff_shows_labels_not_keys_or_booleans():
    from compliance.presentation import FOOD_LABEL_LABELS, listing_diff

    rows = {
        row.field: row
        for row in listing_diff(
            {"food_label": {"ingredients": "花生"}, "free_shipping": True},
            {"food_label": {"ingredients": "花生、盐"}, "free_shipping": False},
            {},
        )
    }
    assert rows["food_label"].listed == f"{FOOD_LABEL_LABELS['ingredients']}: 花生"
    assert "ingredients" not in rows["food_label"].submitted
    assert (rows["free_shipping"].listed, rows["free_shipping"].submitted) == (
        gettext("yes"), gettext("no")
    )
