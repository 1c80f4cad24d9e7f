"""Hostile uploads through a real endpoint (the buyer's after-sale evidence, which takes
JPEG, PNG and PDF), and how stored files are served. common.uploads has the unit tests of
each refusal (tests/common/test_uploads.py); these show the endpoint refuses with a clear
400 and keeps nothing, and that stored files only leave through permission-checked views."""

import struct
import zlib
from io import BytesIO
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.urls import reverse
from PIL import Image
from rest_framework.test import APIClient

from disputes.models import AfterSaleAttachment, AfterSaleEvidence
from tests.factories import PDF_BYTES
from tests.security.tenants import World
from tests.shop.order_factories import _fast_password_hashing  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _png():
    buffer = BytesIO()
    Image.new("RGB", (16, 16), "blue").save(buffer, format="PNG")
    return buffer.getvalue()


def _png_with_html_chunk():
    """A valid PNG with HTML in a text chunk and after the IEND: a polyglot a browser that
    sniffs might render as a page."""
    png = _png()
    payload = b"<html><script>alert(1)</script></html>"
    chunk = struct.pack(">I", len(payload)) + b"tEXt" + payload
    chunk += struct.pack(">I", zlib.crc32(b"tEXt" + payload) & 0xFFFFFFFF)
    iend = png.rindex(b"IEND") - 4
    return png[:iend] + chunk + png[iend:] + payload


ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 200
PE = b"MZ\x90\x00" + b"\x00" * 200
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg">'
       b"<script>alert(1)</script></svg>")
HTML_THEN_PNG = b"<html><script>alert(1)</script></html>" + _png()


@pytest.fixture
def world(merchant, other_merchant, buyer, other_buyer, reviewer, agent):
    return World(merchant, other_merchant, buyer, other_buyer, reviewer, agent)


@pytest.fixture
def buyer_api_a(world):
    client = APIClient()
    client.force_authenticate(world.buyer)
    return client


def _evidence(client, request, name, content, content_type="application/octet-stream"):
    return client.post(
        reverse("buyer-aftersale-evidence", args=[request.pk]),
        {"kind": "photo", "note": "", "files": [SimpleUploadedFile(name, content,
                                                                   content_type=content_type)]},
        format="multipart", HTTP_ACCEPT_LANGUAGE="en")


def _stored_files(settings):
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("name,content,content_type", [
    ("invoice.pdf", ELF, "application/pdf"),
    ("invoice.pdf", PE, "application/pdf"),
    ("photo.jpg", b"#!/bin/sh\nrm -rf /\n", "image/jpeg"),
    ("invoice.pdf", HTML, "application/pdf"),
    ("photo.png", SVG, "image/png"),
    ("photo.svg", SVG, "image/svg+xml"),
    ("page.html", HTML, "text/html"),
    ("photo.png", HTML_THEN_PNG, "image/png"),
    ("photo.png", b"", "image/png"),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"),  # a header, no image
], ids=["elf-as-pdf", "exe-as-pdf", "script-as-jpg", "html-as-pdf", "svg-as-png", "svg",
        "html", "html-then-png", "empty", "truncated-png"])
def test_hostile_files_are_refused_and_nothing_is_kept(world, buyer_api_a, settings, name,
                                                       content, content_type):
    request = world.a_after_sale
    before = _stored_files(settings)
    response = _evidence(buyer_api_a, request, name, content, content_type)
    assert response.status_code == 400, response.content
    assert response.json()  # a message saying why
    assert not AfterSaleEvidence.objects.filter(request=request).exists()
    assert not AfterSaleAttachment.objects.filter(request=request).exists()
    assert _stored_files(settings) == before


def test_one_byte_over_the_cap_is_refused_and_the_cap_itself_accepted(world, buyer_api_a,
                                                                      settings):
    request = world.a_after_sale
    pdf = PDF_BYTES + b"%" * 2000
    settings.UPLOAD_MAX_BYTES = len(pdf) - 1
    over = _evidence(buyer_api_a, request, "invoice.pdf", pdf, "application/pdf")
    assert over.status_code == 400
    assert not AfterSaleAttachment.objects.filter(request=request).exists()
    settings.UPLOAD_MAX_BYTES = len(pdf)
    exact = _evidence(buyer_api_a, request, "invoice.pdf", pdf, "application/pdf")
    assert exact.status_code in (200, 201), exact.content


def test_a_polyglot_image_is_stored_as_pixels_only(world, buyer_api_a, settings):
    request = world.a_after_sale
    response = _evidence(buyer_api_a, request, "photo.png", _png_with_html_chunk(),
                         "image/png")
    # Either refused or re-encoded: what is kept holds no markup.
    if response.status_code == 400:
        assert not AfterSaleAttachment.objects.filter(request=request).exists()
        return
    assert response.status_code in (200, 201), response.content
    stored = AfterSaleAttachment.objects.get(request=request)
    data = Path(stored.file.path).read_bytes()
    assert data.startswith(b"\x89PNG")
    assert b"<script" not in data and b"<html" not in data


@pytest.mark.parametrize("name", ["../../../../etc/passwd.png", "..\\..\\boot.ini.png",
                                  "/etc/cron.d/x.png", "a/../../b.png", "photo.png\x00.html",
                                  "CON.png", "....//....//x.png"])
def test_path_traversal_names_never_choose_where_a_file_goes(world, buyer_api_a, settings,
                                                             name):
    request = world.a_after_sale
    response = _evidence(buyer_api_a, request, name, _png(), "image/png")
    media = Path(settings.MEDIA_ROOT).resolve()
    if response.status_code == 400:  # refused is fine too; nothing may be written
        assert _stored_files(settings) == []
        return
    assert response.status_code in (200, 201), response.content
    stored = AfterSaleAttachment.objects.get(request=request)
    path = Path(stored.file.path).resolve()
    assert media in path.parents
    assert path.relative_to(media).parts[:2] == ("private", "aftersales")
    assert ".." not in stored.file.name and "passwd" not in stored.file.name
    assert "/" not in stored.original_name and "\\" not in stored.original_name
    assert "\x00" not in stored.original_name
    assert all(media in p.resolve().parents for p in _stored_files(settings))


# --- serving ------------------------------------------------------------------------------
def test_uploads_are_stored_under_private_or_public_and_never_in_static(settings):
    """Every file field puts its files under private/ (served by permission-checked views)
    or public/ (re-encoded images, served by /media/public/); and the media folder is not
    one that static files are collected from or served out of."""
    wrong = []
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField):
                upload_to = field.upload_to if isinstance(field.upload_to, str) else ""
                if not upload_to.startswith(("private/", "public/")):
                    wrong.append(f"{model._meta.label}.{field.name}: {field.upload_to!r}")
    assert wrong == []
    from config import settings as project

    media = Path(project.MEDIA_ROOT).resolve()
    for static in [Path(project.STATIC_ROOT), *map(Path, project.STATICFILES_DIRS)]:
        static = static.resolve()
        assert media != static and media not in static.parents and static not in media.parents


def test_private_files_are_not_served_by_the_media_url(world, settings):
    attachment = world.a_attachment
    qualification_file = world.a_qualification_file
    violation_file = world.a_violation_file
    licence = world.a_application.licence_file
    owner = Client()
    owner.force_login(world.merchant)
    stranger = Client()
    stranger.force_login(world.other_merchant)
    for stored in (attachment.file, qualification_file.file, violation_file.file, licence):
        assert stored.name.startswith("private/")
        assert Path(stored.path).exists()
        for client in (Client(), stranger, owner):
            for url in (f"/media/{stored.name}", f"/media/public/../{stored.name}",
                        f"/media/public/%2e%2e/{stored.name}", f"/static/{stored.name}",
                        f"/static/../media/{stored.name}"):
                response = client.get(url)
                # A path that climbs out of its root is refused as suspicious (400) where
                # DEBUG serves static files, and is simply not found (404) elsewhere.
                refused = (400, 404) if ".." in url else (404,)
                assert response.status_code in refused, (url, response.status_code)


def test_private_files_go_only_to_those_allowed(world):
    attachment = world.a_attachment
    url = reverse("seller_aftersales:attachment", args=[attachment.pk])
    anonymous = Client().get(url)
    assert anonymous.status_code in (302, 403, 404)
    assert anonymous.status_code != 302 or "/login/" in anonymous["Location"]
    stranger = Client()
    stranger.force_login(world.other_merchant)
    assert stranger.get(url).status_code == 404
    owner = Client()
    owner.force_login(world.merchant)
    served = owner.get(url)
    assert served.status_code == 200
    assert served["X-Content-Type-Options"] == "nosniff"
    api = APIClient()
    api.force_authenticate(world.other_buyer)
    assert api.get(reverse("buyer-aftersale-attachment",
                           args=[world.a_after_sale.pk, attachment.pk])).status_code == 404


def test_public_images_are_served_and_only_from_public(world, settings):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    name = default_storage.save("public/products/x.png", ContentFile(_png()))
    response = Client().get(f"/media/{name}")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Client().get("/media/public/../" + name).status_code == 404
