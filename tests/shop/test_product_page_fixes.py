"""Merchant product pages: a failed submission does not leave a second product behind, and
the main image shows on the merchant's detail page and the reviewer's review page."""

import re
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from shop.models import Product
from shop.services import products as svc
from tests.factories import StoreFactory, leaf_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant)


@pytest.fixture
def leaf():
    return leaf_category(code="t_root.mid.tee", name="T恤")


def _png():
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("cover.png", buffer.getvalue(), content_type="image/png")


def _form(leaf, *, with_sku, **extra):
    data = {
        "title": "一次创建的T恤", "category": leaf.pk, "free_shipping": "on",
        "supports_seven_day_return": "on", "attr_name_1": "颜色", "attr_name_2": "尺码",
        "sku-0-a1": "", "sku-0-a2": "", "sku-0-price": "", "sku-0-stock": "", "sku-0-code": "",
        "submit": "1", **extra,
    }
    if with_sku:
        data.update({"sku-0-a1": "白", "sku-0-a2": "M", "sku-0-price": "59", "sku-0-stock": "3"})
    return data


def _form_action(html: str, default: str) -> str:
    match = re.search(r'<form method="post" enctype="multipart/form-data"(?: action="([^"]*)")?', html)
    assert match, "the product form is on the page"
    return match.group(1) or default


def test_an_invalid_then_valid_submission_creates_one_product(merchant_client, store, leaf):
    # Submitting without a SKU is refused by the submission check, after the draft exists.
    response = merchant_client.post("/seller/products/new/", _form(leaf, with_sku=False))
    assert Product.objects.count() == 1
    draft = Product.objects.get()
    edit_url = f"/seller/products/{draft.pk}/edit/"
    assert response.status_code == 302 and response["Location"] == edit_url
    page = merchant_client.get(edit_url)
    html = page.content.decode()
    assert page.status_code == 200
    assert "Add at least one SKU" in html or "SKU" in html  # the reason is on the page
    assert any("not submitted" in str(m) or "SKU" in str(m) for m in page.context["messages"])
    # The merchant fixes the grid and submits the form on that page again.
    response = merchant_client.post(_form_action(html, edit_url), _form(leaf, with_sku=True))
    assert response.status_code == 302
    assert Product.objects.count() == 1
    draft.refresh_from_db()
    assert draft.status == Product.Status.IN_REVIEW and draft.skus.count() == 1


def test_a_form_error_creates_nothing_and_the_fixed_form_creates_one(merchant_client, store, leaf):
    response = merchant_client.post("/seller/products/new/", _form(leaf, with_sku=True, title=""))
    assert response.status_code == 200 and Product.objects.count() == 0
    merchant_client.post("/seller/products/new/", _form(leaf, with_sku=True))
    assert Product.objects.count() == 1


def _product_with_image(store, leaf):
    return svc.product_create(
        store=store, actor=store.merchant, kind=Product.Kind.OWN,
        data={"title": "有主图的T恤", "category_id": leaf.pk, "image_caption": "夏季新款 纯棉"},
        skus=[{"attributes": {"颜色": "白"}, "price": "59.00", "stock": 3}], image=_png(),
    )


def test_the_merchant_detail_page_shows_the_main_image(merchant_client, client, store, leaf):
    product = _product_with_image(store, leaf)
    html = merchant_client.get(f"/seller/products/{product.pk}/").content.decode()
    src = f"/media/{product.image.name}"
    assert f'src="{src}"' in html and 'alt="夏季新款 纯棉"' in html
    assert merchant_client.get(src).status_code == 200


def test_the_review_page_shows_the_main_image(reviewer_client, store, leaf):
    product = _product_with_image(store, leaf)
    revision = svc.product_submit(product=product, actor=store.merchant)
    url = reverse("admin:compliance_productreview_change", args=[revision.pk])
    response = reviewer_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'src="/media/{product.image.name}"' in html and 'alt="夏季新款 纯棉"' in html
