"""Qualification files are private: served to their merchant and reviewers as downloads,
never inline (a PDF opened inline runs in the site's origin), never sniffed."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from compliance.models import Qualification
from tests.compliance.test_qualifications import UPLOAD_URL, _form
from tests.factories import PDF_BYTES

pytestmark = pytest.mark.django_db


def _png():
    buffer = BytesIO()
    Image.new("RGB", (20, 10), "red").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,content,content_type",
    [("licence.pdf", PDF_BYTES, "application/pdf"), ("licence.png", _png(), "image/png")],
)
def test_qualification_files_are_served_as_attachments(
    tree, qtype, store, merchant_client, reviewer_client, name, content, content_type
):
    response = merchant_client.post(UPLOAD_URL, _form(qtype, SimpleUploadedFile(name, content)))
    assert response.status_code == 302, getattr(response, "context", None)
    stored = Qualification.objects.get(store=store).files.get()
    url = reverse("seller_compliance:qualification_file", args=[stored.pk])
    for client in (merchant_client, reviewer_client):
        served = client.get(url)
        assert served.status_code == 200
        assert served["Content-Type"] == content_type
        assert served["Content-Disposition"].startswith("attachment")
        assert served["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in served["Cache-Control"]
