"""Working through the admin review queues: each list by its clock with the waiting time,
"next item" after a decision (the oldest item still waiting), keyboard-friendly decision
forms with the reason templates, bulk approval behind a confirmation that lists what will
change, and previews of product images and licences only through permission-checked views."""

import io
from datetime import date, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from compliance import selectors
from compliance.models import ProductReview, Qualification
from shop.models import Product, ProductRevision, RejectionReasonTemplate
from shop.services.products import product_submit, product_update
from tests.factories import ProductFactory, SkuFactory, StoreFactory

pytestmark = pytest.mark.django_db
QUEUE = reverse("admin:compliance_productreview_changelist")
NEXT = reverse("admin:compliance_productreview_next")


@pytest.fixture(autouse=True)
def _seeded(rules_seeded):
    pass


@pytest.fixture(autouse=True)
def _in_english(reviewer_client, settings):
    # Text is asserted in English (the msgids).
    reviewer_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def _in_review(category, title, *, at):
    with time_machine.travel(at, tick=False):
        store = StoreFactory()
        product = ProductFactory(store=store, category=category, status=Product.Status.DRAFT,
                                 title=title)
        SkuFactory(product=product)
        return product_submit(product=product, actor=store.merchant)


@pytest.fixture
def three(tree):
    """Three revisions in review, submitted an hour apart (not in creation order)."""
    dresses = tree["apparel.womens.dresses"]
    now = timezone.now()
    middle = _in_review(dresses, "连衣裙 中", at=now - timedelta(hours=2))
    oldest = _in_review(dresses, "连衣裙 早", at=now - timedelta(hours=3))
    newest = _in_review(dresses, "连衣裙 晚", at=now - timedelta(hours=1))
    return oldest, middle, newest


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("a.png", buffer.getvalue(), content_type="image/png")


def test_next_item_selector_is_the_oldest_still_waiting(three):
    oldest, middle, newest = three
    waiting = selectors.product_review_queue()
    assert selectors.review_queue_next(waiting, clock="submitted_at") == oldest
    assert selectors.review_queue_next(waiting, clock="submitted_at", after=oldest) == middle
    assert selectors.review_queue_next(waiting, clock="submitted_at", after=oldest.pk) == middle
    ProductRevision.objects.filter(pk__in=[oldest.pk, middle.pk, newest.pk]).update(
        status=ProductRevision.Status.APPROVED)
    assert selectors.review_queue_next(selectors.product_review_queue(),
                                       clock="submitted_at") is None


def test_the_list_is_by_clock_and_shows_the_waiting_time(three, reviewer_client):
    oldest, middle, newest = three
    body = reviewer_client.get(QUEUE).content.decode()
    assert body.index("连衣裙 早") < body.index("连衣裙 中") < body.index("连衣裙 晚")
    assert body.count('class="queue-waiting"') == 3
    assert "3\xa0hours" in body


def test_after_a_decision_the_next_item_button_opens_the_oldest_waiting(three, reviewer,
                                                                        reviewer_client):
    oldest, middle, newest = three
    page = reviewer_client.get(reverse("admin:compliance_productreview_change",
                                       args=[middle.pk]))
    body = page.content.decode()
    assert 'aria-keyshortcuts="a"' in body and "js/admin-review.js" in body
    response = reviewer_client.post(
        reverse("admin:compliance_productreview_change", args=[middle.pk]), {"_approve": "1"})
    # Back on the decided revision, which offers the next item.
    assert response.url == reverse("admin:compliance_productreview_change", args=[middle.pk])
    body = reviewer_client.get(response.url).content.decode()
    assert f"{NEXT}?after={middle.pk}" in body and 'id="review-next"' in body
    response = reviewer_client.get(f"{NEXT}?after={middle.pk}")
    assert response.url == reverse("admin:compliance_productreview_change", args=[oldest.pk])
    for revision in (oldest, newest):
        reviewer_client.post(reverse("admin:compliance_productreview_change",
                                     args=[revision.pk]), {"_approve": "1"})
    assert reviewer_client.get(NEXT).url == QUEUE  # nothing is waiting


def test_reason_templates_are_offered_on_the_review_page(three, reviewer_client):
    oldest = three[0]
    template = RejectionReasonTemplate.objects.create(scope="product", text="主图不清晰")
    url = reverse("admin:compliance_productreview_change", args=[oldest.pk])
    body = reviewer_client.get(url).content.decode()
    assert "主图不清晰" in body and 'class="review-reasons"' in body
    reviewer_client.post(url, {"_reject": "1", "templates": [template.pk], "text": "请重拍"})
    oldest.refresh_from_db()
    assert oldest.status == ProductRevision.Status.REJECTED
    assert oldest.decision_reason == "主图不清晰；请重拍"


def test_thumbnails_never_point_at_a_private_file_publicly(tree, store, merchant,
                                                           reviewer_client, client):
    dresses = tree["apparel.womens.dresses"]
    product = ProductFactory(store=store, category=dresses, title="连衣裙 新图")
    SkuFactory(product=product)
    product_update(product=product, actor=merchant,
                   data={"title": "连衣裙 新图", "category_id": dresses.pk},
                   skus=[{"attributes": {"颜色": "白"}, "price": "59", "stock": 5}],
                   image=_png())
    revision = product_submit(product=product, actor=merchant)
    pending = revision.payload["pending_image"]
    assert pending.startswith("private/")
    image_url = reverse("admin:compliance_productreview_pending_image", args=[revision.pk])
    body = reviewer_client.get(QUEUE).content.decode()
    assert f'src="{image_url}"' in body and pending not in body
    review = reviewer_client.get(reverse("admin:compliance_productreview_change",
                                         args=[revision.pk])).content.decode()
    assert f'src="{image_url}"' in review and pending not in review
    response = reviewer_client.get(image_url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    # Anyone else: to the admin login, never the file.
    assert client.get(image_url).status_code == 302
    merchant_client = client
    merchant_client.force_login(merchant)
    assert merchant_client.get(image_url).status_code == 302


def test_bulk_approve_of_qualifications_confirms_what_will_change(tree, qtype, store,
                                                                  reviewer_client):
    food = qtype("food_business_licence")
    dates = {"valid_from": date(2025, 1, 1), "valid_until": date(2030, 12, 31)}
    waiting = Qualification.objects.create(store=store, type=food, number="JY1", **dates)
    decided = Qualification.objects.create(store=StoreFactory(), type=food, number="JY2",
                                           status="rejected", **dates)
    url = reverse("admin:compliance_qualification_changelist")
    selection = {"action": "approve_selected", "_selected_action": [waiting.pk, decided.pk]}
    body = reviewer_client.post(url, selection).content.decode()
    assert "Pending review → approved" in body and "Left alone" in body
    assert "Not waiting for review" in body
    waiting.refresh_from_db()
    assert waiting.status == "pending"
    assert reviewer_client.post(url, {**selection, "apply": "1"}).status_code == 302
    waiting.refresh_from_db()
    decided.refresh_from_db()
    assert (waiting.status, decided.status) == ("approved", "rejected")


def test_qualification_queue_previews_documents_through_the_file_view(tree, qtype, store,
                                                                      merchant_client,
                                                                      reviewer_client):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format="JPEG")
    merchant_client.post(
        reverse("seller_compliance:qualification_upload"),
        {"type": qtype("food_business_licence").pk, "number": "JY9", "issuer": "局",
         "valid_from": "2025-01-01", "valid_until": "2099-01-01",
         "files": SimpleUploadedFile("licence.jpg", buffer.getvalue(),
                                     content_type="image/jpeg")},
    )
    qualification = Qualification.objects.get(number="JY9")
    row = qualification.files.get()
    file_url = reverse("seller_compliance:qualification_file", args=[row.pk])
    body = reviewer_client.get(
        reverse("admin:compliance_qualificationreview_changelist")).content.decode()
    assert f'src="{file_url}"' in body and row.file.name not in body
    assert 'class="queue-waiting"' in body
    page = reviewer_client.get(reverse("admin:compliance_qualificationreview_change",
                                       args=[qualification.pk])).content.decode()
    assert f'src="{file_url}"' in page and 'id="review-approve"' in page
    decide = reverse("admin:compliance_qualificationreview_decide", args=[qualification.pk])
    response = reviewer_client.post(decide, {"_approve": "1"})
    assert response.url == reverse("admin:compliance_qualification_change",
                                   args=[qualification.pk])
    body = reviewer_client.get(response.url).content.decode()
    assert reverse("admin:compliance_qualificationreview_next") in body


def test_review_pages_use_no_inline_script_or_style(three, reviewer_client):
    body = reviewer_client.get(reverse("admin:compliance_productreview_change",
                                       args=[three[0].pk])).content.decode()
    assert ' style="' not in body.split('id="content"', 1)[1]
    assert ProductReview.objects.count() == 3
