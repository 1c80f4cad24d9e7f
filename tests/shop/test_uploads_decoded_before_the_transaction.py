"""Uploads are decoded and re-encoded before a service opens its write transaction: on
SQLite the transaction holds the database's one write lock, and every other writer waited
while Pillow decoded a product image, a licence or a logo inside it."""

from contextlib import contextmanager
from io import BytesIO
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from common.errors import ApplicationError
from shop.models import MerchantApplication, Product, ProductRevision
from shop.services import onboarding, stores
from shop.services import products as svc
from tests.factories import MerchantApplicationFactory, StoreFactory, leaf_category

pytestmark = pytest.mark.django_db

SKUS = [{"attributes": {"颜色": "白"}, "price": "59.00", "stock": 10, "code": "W"}]


def _png(name="a.png"):
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@contextmanager
def decoded_at_depth():
    """The number of open atomic blocks each time Pillow opens an upload."""
    depths = []
    real_open = Image.open

    def spy(*args, **kwargs):
        depths.append(len(connection.atomic_blocks))
        return real_open(*args, **kwargs)

    with mock.patch("PIL.Image.open", side_effect=spy):
        yield depths


@pytest.fixture
def store(merchant):
    return StoreFactory(merchant=merchant)


@pytest.fixture
def leaf():
    return leaf_category(code="t_root.mid.tee", name="T恤")


def _data(leaf, title="纯棉T恤"):
    return {"title": title, "category_id": leaf.pk}


def test_a_new_products_image_is_decoded_before_its_transaction(store, leaf):
    outside = len(connection.atomic_blocks)
    with decoded_at_depth() as depths:
        product = svc.product_create(
            store=store, actor=store.merchant, kind="own", data=_data(leaf), skus=SKUS,
            image=_png(),
        )
    assert depths == [outside]
    assert Product.objects.get(pk=product.pk).image.name


def test_an_edited_products_image_is_decoded_before_its_transaction(store, leaf):
    product = svc.product_create(store=store, actor=store.merchant, kind="own",
                                 data=_data(leaf), skus=SKUS)
    outside = len(connection.atomic_blocks)
    with decoded_at_depth() as depths:
        svc.product_update(product=product, actor=store.merchant, data=_data(leaf, "新图"),
                           skus=SKUS, image=_png())
    assert depths == [outside]
    product.refresh_from_db()
    assert product.image.name and product.title == "新图"


def test_a_listed_products_new_image_is_decoded_before_its_transaction(store, leaf, reviewer):
    product = svc.product_create(store=store, actor=store.merchant, kind="own",
                                 data=_data(leaf), skus=SKUS)
    svc.product_revision_approve(
        revision=svc.product_submit(product=product, actor=store.merchant), actor=reviewer
    )
    outside = len(connection.atomic_blocks)
    with decoded_at_depth() as depths:
        svc.product_update(product=product, actor=store.merchant, data=_data(leaf, "新图"),
                           skus=SKUS, image=_png())
    assert depths == [outside]
    revision = ProductRevision.objects.get(product=product, status="draft")
    assert revision.payload["pending_image"].startswith("private/")


def test_a_broken_image_is_refused_as_before(store, leaf):
    with pytest.raises(ApplicationError) as refused:
        svc.product_create(store=store, actor=store.merchant, kind="own", data=_data(leaf),
                           skus=SKUS, image=SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\nbroken"))
    assert refused.value.code == "image_invalid"
    assert not Product.objects.exists()


def _application_data(**over):
    from datetime import date

    from shop.identity import make_credit_code, make_resident_id

    return {
        "real_name": "李雷",
        "id_number": make_resident_id(date(1990, 1, 2)),
        "entity_type": "enterprise",
        "credit_code": make_credit_code("91310115MA1K2L3M4"),
        "registered_name": "上海李雷贸易有限公司",
        "business_scope": "日用百货销售",
        "contact_phone": "13700137000",
        "store_name": "李雷小店",
        **over,
    }


def test_a_licence_photo_is_decoded_before_the_applications_transaction(merchant):
    outside = len(connection.atomic_blocks)
    with decoded_at_depth() as depths:
        application = onboarding.application_submit(
            applicant=merchant, data=_application_data(), licence_file=_png("licence.png")
        )
    assert depths == [outside]
    assert application.licence_content_type == "image/png"


def test_a_resubmitted_licence_photo_is_decoded_before_the_transaction(merchant):
    application = MerchantApplicationFactory(applicant=merchant, status="rejected")
    outside = len(connection.atomic_blocks)
    with decoded_at_depth() as depths:
        onboarding.application_resubmit(
            application=application, actor=merchant, data=_application_data(),
            licence_file=_png("licence.png"),
        )
    assert depths == [outside]
    application.refresh_from_db()
    assert application.status == MerchantApplication.Status.PENDING
    assert application.licence_content_type == "image/png"


def test_a_second_application_is_still_refused_before_anything_is_decoded(merchant):
    onboarding.application_submit(applicant=merchant, data=_application_data(),
                                  licence_file=_png("licence.png"))
    with decoded_at_depth() as depths, pytest.raises(ApplicationError) as refused:
        onboarding.application_submit(applicant=merchant, data=_application_data(),
                                      licence_file=_png("licence.png"))
    assert refused.value.code == "duplicate"
    assert depths == []


def test_someone_elses_application_is_refused_before_anything_is_decoded(merchant, other_merchant):
    application = MerchantApplicationFactory(applicant=other_merchant, status="rejected")
    with decoded_at_depth() as depths, pytest.raises(ApplicationError) as refused:
        onboarding.application_resubmit(application=application, actor=merchant,
                                        data=_application_data(), licence_file=_png())
    assert refused.value.code == "forbidden"
    assert depths == []


def test_a_store_logo_is_decoded_before_the_transaction(store):
    outside = len(connection.atomic_blocks)
    with decoded_at_depth() as depths:
        stores.store_profile_update(store=store, actor=store.merchant, name=store.name,
                                    introduction="新简介", profile_url="",
                                    logo=_png("logo.png"))
    assert depths == [outside]
    store.refresh_from_db()
    assert store.logo.name and store.introduction == "新简介"
