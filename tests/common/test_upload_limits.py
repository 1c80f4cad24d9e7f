"""Upload limits: a request body over REQUEST_MAX_BYTES is refused with 413 before anything
reads it; the image form field checks the size before decoding anything and decides by
content, not by name; private files are served as downloads; the product description
has a length limit."""

from io import BytesIO
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from PIL import Image

from common import config
from common.middleware import RequestSizeLimitMiddleware
from common.uploads import SniffedImageField, private_file_response
from shop.forms import product_description_field, product_image_field

MIB = 1024 * 1024


def _png(size=(20, 10)):
    buffer = BytesIO()
    Image.new("RGB", size, "red").save(buffer, format="PNG")
    return buffer.getvalue()


# --- request body cap ---------------------------------------------------------------------
@pytest.mark.django_db
def test_a_request_over_the_cap_is_refused_with_413_before_the_body_is_read(client, settings):
    settings.UPLOAD_MAX_BYTES = 5 * MIB
    settings.REQUEST_MAX_BYTES = 6 * MIB
    response = client.generic(
        "POST", "/seller/products/new/", b"x" * 16, CONTENT_TYPE="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(50 * MIB),
    )
    assert response.status_code == 413
    api = client.generic(
        "POST", "/api/seller/products/", b"{}", CONTENT_TYPE="application/json",
        CONTENT_LENGTH=str(50 * MIB),
    )
    assert api.status_code == 413 and api.json()["status"] == 413


def test_the_middleware_lets_requests_under_the_cap_through(settings):
    settings.REQUEST_MAX_BYTES = 6 * MIB
    inner = mock.Mock(return_value="ok")
    middleware = RequestSizeLimitMiddleware(inner)
    request = RequestFactory().post("/x/", data=b"a" * 100, content_type="text/plain")
    assert middleware(request) == "ok"
    request = RequestFactory().post("/x/", data=b"a" * 100, content_type="text/plain")
    request.META["CONTENT_LENGTH"] = "not a number"
    assert middleware(request) == "ok"


def test_the_default_cap_leaves_room_for_a_full_multi_file_form():
    from django.conf import settings

    assert settings.REQUEST_MAX_BYTES > settings.UPLOAD_MAX_BYTES * 10
    assert "common.middleware.RequestSizeLimitMiddleware" in settings.MIDDLEWARE


# --- image field --------------------------------------------------------------------------
def test_image_field_refuses_by_size_before_decoding(settings):
    settings.UPLOAD_MAX_BYTES = 1000
    big = SimpleUploadedFile("big.png", _png((400, 400)) + b"\0" * 2000)
    with mock.patch("PIL.Image.open", side_effect=AssertionError("decoded")):
        with pytest.raises(ValidationError) as info:
            SniffedImageField().clean(big)
    assert info.value.code == "upload_too_large"


def test_image_field_sniffs_content_not_the_name():
    png = product_image_field().clean(SimpleUploadedFile("photo.svg", _png()))
    assert png.content_type == "image/png"
    with pytest.raises(ValidationError) as info:
        product_image_field().clean(
            SimpleUploadedFile("photo.png", b'<svg xmlns="http://www.w3.org/2000/svg"/>')
        )
    assert info.value.code == "upload_markup"
    with pytest.raises(ValidationError):
        product_image_field().clean(SimpleUploadedFile("doc.png", b"%PDF-1.4\n%%EOF\n"))
    assert product_image_field().clean(None) is None


# --- description --------------------------------------------------------------------------
@pytest.mark.django_db
def test_description_has_a_length_limit():
    field = product_description_field()
    limit = config.get("product.description_max_length")
    assert field.clean("好" * limit)
    with pytest.raises(ValidationError):
        field.clean("好" * 700_000)


# --- private files ------------------------------------------------------------------------
def test_private_files_are_downloads_never_sniffed():
    response = private_file_response(
        BytesIO(b"%PDF-1.4\n"), content_type="application/pdf", filename="../营业执照.pdf"
    )
    assert response["Content-Disposition"].startswith("attachment")
    assert "/" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
