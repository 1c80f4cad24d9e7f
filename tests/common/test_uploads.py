"""Upload validation and image re-encoding for merchant documents."""

import io
import os
import re
import struct
import zlib

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, PngImagePlugin

from common.uploads import (
    DEFAULT_MAX_PIXELS,
    UploadInfo,
    reencode_image,
    sanitize_filename,
    validate_image_upload,
    validate_upload,
)

MIB = 1024 * 1024
CAP = 5 * MIB
SAFE_NAME = re.compile(r"^[0-9a-f]{32}\.(pdf|jpg|png)$")
GPS_IFD = 0x8825
SECRET = b"SECRET-PAYLOAD-9f3c"


@pytest.fixture
def english():
    """Render lazy messages in English, with pytest-django's settings or without any."""
    if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
        settings.configure(USE_I18N=False)
    with translation.override("en"):
        yield


# ------------------------------------------------------------------------- file makers


def _noise_image(size=(64, 48), mode="RGB"):
    # Noise keeps JPEG scan data long, so truncating it really cuts into pixel data.
    image = Image.effect_noise(size, 80).convert(mode)
    return image


def make_jpeg(size=(64, 48), *, exif=False, orientation=None, mode="RGB", **save):
    options = dict(save)
    if exif or orientation:
        tags = Image.Exif()
        if exif:
            tags[0x010E] = "licence photo " + SECRET.decode()  # ImageDescription
            tags[0x010F] = "PhoneMaker"  # Make
            tags.get_ifd(GPS_IFD)[2] = (30.0, 16.0, 40.0)  # GPSLatitude
        if orientation:
            tags[0x0112] = orientation
        options["exif"] = tags.tobytes()
    buffer = io.BytesIO()
    _noise_image(size, mode).save(buffer, "JPEG", quality=85, **options)
    return buffer.getvalue()


def make_png(size=(40, 30), *, mode="RGB", text=False, icc=False, transparency=None):
    options = {}
    if text:
        info = PngImagePlugin.PngInfo()
        info.add_text("Comment", SECRET.decode())
        info.add_itxt("Author", "张三 " + SECRET.decode())
        options["pnginfo"] = info
    if icc:
        options["icc_profile"] = b"fake-icc-" + SECRET
    if transparency is not None:
        options["transparency"] = transparency
    buffer = io.BytesIO()
    image = _noise_image(size, "RGB").convert(mode)
    image.save(buffer, "PNG", **options)
    return buffer.getvalue()


def make_pdf():
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PDF")
    return buffer.getvalue()


MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def make_gif():
    buffer = io.BytesIO()
    Image.new("P", (4, 4)).save(buffer, "GIF")
    return buffer.getvalue()


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def make_png_bomb(width, height):
    """A PNG header announcing width x height pixels with almost no data behind it."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" * 64)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", idat)
        + png_chunk(b"IEND", b"")
    )


def upload(content, name="file.bin", content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def refusal(func, *args, **kwargs):
    with pytest.raises(ValidationError) as caught:
        func(*args, **kwargs)
    return caught.value


# ------------------------------------------------------------------------- accepted files


@pytest.mark.parametrize(
    ("content", "name", "kind", "mime", "extension"),
    [
        (make_pdf(), "营业执照.pdf", "pdf", "application/pdf", ".pdf"),
        (MINIMAL_PDF, "licence.pdf", "pdf", "application/pdf", ".pdf"),
        (make_jpeg(), "photo.jpg", "jpg", "image/jpeg", ".jpg"),
        (make_jpeg(exif=True), "IMG_0001.JPEG", "jpg", "image/jpeg", ".jpg"),
        (make_png(), "scan.png", "png", "image/png", ".png"),
        (make_png(mode="RGBA"), "logo.png", "png", "image/png", ".png"),
        # The name's extension never decides the type.
        (make_png(), "photo.jpg", "png", "image/png", ".png"),
        (make_jpeg(), "document.pdf", "jpg", "image/jpeg", ".jpg"),
        (make_pdf(), "licence.exe", "pdf", "application/pdf", ".pdf"),
        (make_jpeg(), "no-extension", "jpg", "image/jpeg", ".jpg"),
    ],
)
def test_valid_files_are_accepted(content, name, kind, mime, extension):
    uploaded = upload(content, name, content_type="text/html")  # client's type is ignored
    info = validate_upload(uploaded, max_bytes=CAP)
    assert info.kind == kind
    assert info.mime == mime
    assert info.extension == extension
    assert info.size == len(content)
    assert SAFE_NAME.match(info.safe_name)
    assert info.safe_name.endswith(extension)
    assert uploaded.tell() == 0  # left rewound for whoever saves it next


@pytest.mark.parametrize(
    ("content", "allowed"),
    [
        (make_pdf(), ("pdf",)),
        (make_jpeg(), ("jpg",)),
        (make_png(), ("png", "jpg")),
    ],
)
def test_narrower_allow_lists_accept_their_types(content, allowed):
    assert validate_upload(upload(content), allowed=allowed, max_bytes=CAP).kind in allowed


def test_safe_names_are_random():
    names = {validate_upload(upload(make_png()), max_bytes=CAP).safe_name for _ in range(20)}
    assert len(names) == 20


# ------------------------------------------------------------------------- refused files

ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
PE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 50 + b"PE\x00\x00"


@pytest.mark.parametrize(
    "content",
    [
        ELF,
        PE,
        b"\xfe\xed\xfa\xce" + b"\x00" * 28,
        b"\xfe\xed\xfa\xcf" + b"\x00" * 28,
        b"\xce\xfa\xed\xfe" + b"\x00" * 28,
        b"\xcf\xfa\xed\xfe" + b"\x00" * 28,
        b"\xca\xfe\xba\xbe" + b"\x00" * 28,
        b"#!/bin/sh\nrm -rf /\n",
        b"#!/usr/bin/env python3\nprint(1)\n",
        ELF + b"%PDF-1.4\n",
    ],
)
@pytest.mark.parametrize("name", ["licence.pdf", "photo.jpg", "scan.png"])
def test_executables_are_refused_whatever_their_name(english, content, name):
    error = refusal(validate_upload, upload(content, name, "application/pdf"), max_bytes=CAP)
    assert error.code == "upload_executable"
    assert "PDF, JPG, PNG" in error.messages[0]


@pytest.mark.parametrize(
    "content",
    [
        b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>",
        b"<html><img src=x onerror=alert(1)></html>",
        b"  \r\n\t<script>alert(document.cookie)</script>",
        b"\xef\xbb\xbf<html></html>",
        "<html><script>alert(1)</script></html>".encode("utf-16"),
        "<svg onload=alert(1)>".encode("utf-16-le"),
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b"<!-- comment --><svg/>",
        # A JPEG or PNG signature followed by markup: a polyglot aimed at content sniffing.
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00<html><script>alert(1)</script>",
        b"\x89PNG\r\n\x1a\n<svg onload=alert(1)>",
        b"%PDF-1.4\n<iframe src=javascript:alert(1)>",
    ],
)
@pytest.mark.parametrize("name", ["photo.jpg", "scan.png", "licence.pdf"])
def test_html_and_svg_are_refused_whatever_their_name(content, name):
    error = refusal(validate_upload, upload(content, name, "image/jpeg"), max_bytes=CAP)
    assert error.code == "upload_markup"


@pytest.mark.parametrize(
    ("content", "allowed"),
    [
        (b"just some text, renamed to .jpg", ("pdf", "jpg", "png")),
        (b"name,amount\n\xe5\xbc\xa0\xe4\xb8\x89,100\n", ("pdf", "jpg", "png")),  # CSV
        (make_gif(), ("pdf", "jpg", "png")),
        (b"PK\x03\x04" + b"\x00" * 40, ("pdf", "jpg", "png")),  # zip / docx / apk
        (b"junk before %PDF-1.4\n", ("pdf",)),
        (b"\x00" * 100, ("pdf", "jpg", "png")),
        (make_png(), ("pdf",)),
        (make_jpeg(), ("png",)),
        (make_pdf(), ("jpg", "png")),
    ],
)
def test_unknown_and_disallowed_types_are_refused(english, content, allowed):
    error = refusal(validate_upload, upload(content, "licence.pdf"), allowed=allowed, max_bytes=CAP)
    assert error.code == "upload_type_not_allowed"
    assert ", ".join(kind.upper() for kind in allowed) in error.messages[0]


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF1.4\n%%EOF\n",  # no dash after %PDF
        b"%PDF",
        b"\xef\xbb\xbf%PDF-1.4\n%%EOF\n",  # filetype skips a BOM; readers disagree about it
    ],
)
def test_pdfs_must_start_with_the_pdf_header(content):
    assert refusal(validate_upload, upload(content, "a.pdf"), max_bytes=CAP).code == (
        "upload_pdf_invalid"
    )


@pytest.mark.parametrize("content", [b""])
def test_empty_files_are_refused(content):
    assert refusal(validate_upload, upload(content, "a.pdf"), max_bytes=CAP).code == (
        "upload_empty"
    )


def test_missing_file_is_refused():
    assert refusal(validate_upload, None, max_bytes=CAP).code == "upload_missing"


# ------------------------------------------------------------------------------ size cap


def _padded_png(total_size):
    content = make_png()
    return content + b"\x00" * (total_size - len(content))


@pytest.mark.parametrize(
    ("cap", "shown"),
    [(2 * MIB, "2 MB"), (5 * MIB, "5 MB"), (int(2.5 * MIB), "2.5 MB"), (MIB // 4, "0.25 MB")],
)
def test_one_byte_over_the_cap_is_refused_and_the_message_gives_the_cap(english, cap, shown):
    error = refusal(validate_upload, upload(_padded_png(cap + 1), "a.png"), max_bytes=cap)
    assert error.code == "upload_too_large"
    assert shown in error.messages[0]


@pytest.mark.parametrize("cap", [MIB, 3 * MIB])
def test_exactly_the_cap_is_accepted(cap):
    info = validate_upload(upload(_padded_png(cap), "a.png"), max_bytes=cap)
    assert (info.kind, info.size) == ("png", cap)


class _NoReading:
    """An upload that knows its size but must not be read."""

    def __init__(self, size):
        self.size = size
        self.name = "huge.pdf"

    def read(self, *args):
        raise AssertionError("content was read before the size check")

    def seek(self, *args):
        raise AssertionError("content was touched before the size check")


@pytest.mark.parametrize("size", [CAP + 1, 10 * 1024**3])
def test_size_is_checked_before_any_reading(size):
    assert refusal(validate_upload, _NoReading(size), max_bytes=CAP).code == "upload_too_large"


class _CountingStream(io.BytesIO):
    """A plain file object without a size attribute, counting the bytes read from it."""

    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk


def test_streams_without_size_are_counted_up_to_one_byte_past_the_cap():
    stream = _CountingStream(_padded_png(10 * 64 * 1024))
    cap = 64 * 1024
    assert refusal(validate_upload, stream, max_bytes=cap).code == "upload_too_large"
    assert stream.bytes_read == cap + 1


def test_streams_without_size_within_the_cap_are_accepted():
    content = make_jpeg()
    info = validate_upload(_CountingStream(content), max_bytes=CAP)
    assert (info.kind, info.size) == ("jpg", len(content))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_bytes": 0},
        {"max_bytes": -1},
        {"max_bytes": 1.5},
        {"max_bytes": True},
        {"max_bytes": CAP, "allowed": ()},
        {"max_bytes": CAP, "allowed": ("pdf", "svg")},
        {"max_bytes": CAP, "allowed": ("exe",)},
    ],
)
def test_programming_errors_raise_value_error(kwargs):
    with pytest.raises(ValueError):
        validate_upload(upload(make_png()), **kwargs)


# ------------------------------------------------------------------------------- names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\win.ini", "win.ini"),
        ("/etc/passwd", "passwd"),
        ("C:\\Windows\\System32\\evil.pdf", "evil.pdf"),
        ("C:evil.pdf", "Cevil.pdf"),
        ("evil.pdf\x00.jpg", "evil.pdf"),
        ("licence\r\n.pdf", "licence.pdf"),
        ("....pdf", "pdf"),
        ("..", "file"),
        ("", "file"),
        (None, "file"),
        (".htaccess", "htaccess"),
        ("CON.pdf", "_CON.pdf"),
        ("nul", "_nul"),
        ('a<b>:"c|d?*.pdf', "abcd.pdf"),
        ("  营业执照 扫描件 .pdf  ", "营业执照 扫描件 .pdf"),
        ("x" * 300 + ".pdf", "x" * 96 + ".pdf"),
        ("x" * 300, "x" * 100),
    ],
)
def test_sanitize_filename(name, expected):
    assert sanitize_filename(name) == expected


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "..\\..\\win.ini",
        "/etc/passwd.pdf",
        "C:\\Windows\\win.ini",
        "evil.php\x00.pdf",
        "<script>.pdf",
    ],
)
def test_safe_name_never_contains_the_uploaded_name(name):
    # SimpleUploadedFile already strips "/" directories, so also try a raw file object.
    for uploaded in (upload(MINIMAL_PDF, name), _named_stream(MINIMAL_PDF, name)):
        info = validate_upload(uploaded, max_bytes=CAP)
        assert SAFE_NAME.match(info.safe_name)
        assert info.safe_name.endswith(".pdf")
        for fragment in ("..", "/", "\\", "\x00", "passwd", "win", "evil", "<"):
            assert fragment not in info.safe_name


def _named_stream(content, name):
    stream = io.BytesIO(content)
    stream.name = name
    return stream


# ---------------------------------------------------------------------------- re-encoding


def _metadata_free(data: bytes):
    assert SECRET not in data
    assert b"Exif" not in data
    assert b"PhoneMaker" not in data


def test_jpeg_reencode_strips_exif_and_trailing_payload():
    original = make_jpeg(exif=True) + b"PK\x03\x04" + SECRET + b"<script>alert(1)</script>"
    result = reencode_image(upload(original, "photo.jpg"), "jpg")
    assert isinstance(result, ContentFile)
    assert SAFE_NAME.match(result.name) and result.name.endswith(".jpg")
    data = result.read()
    _metadata_free(data)
    assert b"<script>" not in data
    assert data.endswith(b"\xff\xd9")  # nothing after the end-of-image marker
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == "JPEG"
        assert image.size == (64, 48)
        assert dict(image.getexif()) == {}
        assert "icc_profile" not in image.info


def test_jpeg_reencode_applies_orientation_before_dropping_it():
    original = make_jpeg(size=(64, 48), orientation=6)  # "rotate 90° clockwise to view"
    data = reencode_image(upload(original), "jpg").read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.size == (48, 64)
        assert dict(image.getexif()) == {}


def test_jpeg_reencode_drops_icc_profiles():
    original = make_jpeg(icc_profile=b"fake-icc-" + SECRET)
    assert SECRET in original
    _metadata_free(reencode_image(upload(original), "jpg").read())


def test_cmyk_jpeg_becomes_rgb():
    data = reencode_image(upload(make_jpeg(mode="CMYK")), "jpg").read()
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "RGB"


def test_png_reencode_strips_text_icc_and_trailing_bytes_but_keeps_pixels():
    original = make_png(text=True, icc=True) + SECRET + b"<html></html>"
    data = reencode_image(upload(original, "scan.png"), "png").read()
    _metadata_free(data)
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"iCCP", b"eXIf"):
        assert chunk not in data
    assert data.endswith(png_chunk(b"IEND", b""))
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(data)) as after:
        assert after.size == before.size
        assert after.convert("RGB").tobytes() == before.convert("RGB").tobytes()


@pytest.mark.parametrize(
    ("mode", "transparency"),
    [("RGBA", None), ("P", 0), ("L", 7), ("LA", None), ("1", None), ("RGB", (1, 2, 3))],
)
def test_png_modes_and_transparency_survive(mode, transparency):
    original = make_png(mode=mode, transparency=transparency)
    data = reencode_image(upload(original), "png").read()
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(data)) as after:
        assert after.convert("RGBA").tobytes() == before.convert("RGBA").tobytes()


def _truncated(data, keep):
    return data[: int(len(data) * keep)]


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        (_truncated(make_jpeg(size=(200, 150)), 0.5), "jpg"),
        (_truncated(make_jpeg(size=(200, 150)), 0.05), "jpg"),
        (_truncated(make_png(size=(200, 150)), 0.5), "png"),
        (_truncated(make_png(size=(200, 150)), 0.02), "png"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 200, "jpg"),
        (b"\x89PNG\r\n\x1a\n" + b"garbage" * 30, "png"),
        (make_png()[:33] + b"\x00" * 12 + make_png()[45:], "png"),  # damaged chunk data
        (make_jpeg(), "png"),  # not the format it was validated as
        (make_png(), "jpg"),
        (make_gif(), "png"),
        (b"", "jpg"),
    ],
)
def test_corrupt_images_are_refused(english, content, kind):
    error = refusal(reencode_image, upload(content), kind)
    assert error.code == "upload_image_corrupt"
    assert "damaged" in error.messages[0]


def test_pixel_cap_refuses_large_images(english):
    error = refusal(reencode_image, upload(make_png(size=(100, 60))), "png", max_pixels=5_000)
    assert error.code == "upload_image_too_large"
    assert "0.005 megapixels" in error.messages[0]


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (1, 2**31 - 1)])
def test_decompression_bombs_are_refused_without_decoding(width, height):
    bomb = make_png_bomb(width, height)
    assert len(bomb) < 200
    assert refusal(reencode_image, upload(bomb), "png").code == "upload_image_too_large"


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("pixels", [1_500, 5_000])
def test_max_image_pixels_is_honoured(monkeypatch, pixels):
    # 1 500 triggers Pillow's warning band, 5 000 its hard error (over twice the limit).
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1_000)
    content = make_png(size=(pixels // 10, 10))
    error = refusal(reencode_image, upload(content), "png", max_pixels=DEFAULT_MAX_PIXELS)
    assert error.code == "upload_image_too_large"


def test_reencode_rejects_unknown_kinds():
    with pytest.raises(ValueError):
        reencode_image(upload(MINIMAL_PDF), "pdf")


# -------------------------------------------------------------------- validate_image_upload


@pytest.mark.parametrize(
    ("content", "kind"),
    [(make_jpeg(exif=True) + SECRET, "jpg"), (make_png(text=True) + SECRET, "png")],
)
def test_validate_image_upload_returns_clean_content(content, kind):
    info, clean = validate_image_upload(upload(content, "../../x.png"), max_bytes=CAP)
    assert isinstance(info, UploadInfo)
    assert info.kind == kind
    assert clean.name == info.safe_name
    assert info.size == clean.size
    _metadata_free(clean.read())


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (make_pdf(), "upload_type_not_allowed"),
        (b"<svg/>", "upload_markup"),
        (ELF, "upload_executable"),
        (b"", "upload_empty"),
        (_truncated(make_jpeg(size=(200, 150)), 0.5), "upload_image_corrupt"),
        (make_png_bomb(100_000, 100_000), "upload_image_too_large"),
    ],
)
def test_validate_image_upload_refusals(content, code):
    assert refusal(validate_image_upload, upload(content), max_bytes=CAP).code == code


def test_validate_image_upload_applies_size_cap():
    content = make_jpeg()
    error = refusal(validate_image_upload, upload(content), max_bytes=len(content) - 1)
    assert error.code == "upload_too_large"
