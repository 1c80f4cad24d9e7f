"""Evidence photos and message images are checked and re-encoded before the after-sale
request is locked: on SQLite the transaction holds the database's one write lock."""

from contextlib import contextmanager
from io import BytesIO
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from common.errors import ApplicationError
from disputes import services
from disputes.models import AfterSaleAttachment
from tests.disputes.aftersale_factories import open_request, signed_order

pytestmark = pytest.mark.django_db


def _png(name="photo.png"):
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "blue").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@contextmanager
def decoded_at_depth():
    depths = []
    real_open = Image.open

    def spy(*args, **kwargs):
        depths.append(len(connection.atomic_blocks))
        return real_open(*args, **kwargs)

    with mock.patch("PIL.Image.open", side_effect=spy):
        yield depths


def test_evidence_photos_are_decoded_before_the_request_is_locked(buyer, sku):
    request = open_request(signed_order(buyer, sku))
    outside = len(connection.atomic_blocks)
    with decoded_at_depth() as depths:
        services.after_sale_evidence_add(request=request, actor=buyer, kind="photo",
                                         note="破损", files=[_png(), _png("b.png")])
    assert depths == [outside, outside]
    assert AfterSaleAttachment.objects.filter(request=request, evidence__isnull=False).count() == 2


def test_message_images_are_decoded_before_the_request_is_locked(buyer, sku):
    request = open_request(signed_order(buyer, sku))
    outside = len(connection.atomic_blocks)
    with decoded_at_depth() as depths:
        services.after_sale_message_post(request=request, actor=buyer, text="看图",
                                         files=[_png()])
    assert depths == [outside]
    assert AfterSaleAttachment.objects.filter(request=request, message__isnull=False).count() == 1


def test_a_broken_photo_still_stores_nothing(buyer, sku):
    request = open_request(signed_order(buyer, sku))
    with pytest.raises(ApplicationError):
        services.after_sale_evidence_add(
            request=request, actor=buyer, kind="photo", note="破损",
            files=[_png(), SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\nbroken")],
        )
    assert not AfterSaleAttachment.objects.filter(request=request).exists()
