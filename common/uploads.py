"""Validation of merchant uploads: licences, qualification documents and images.

The decision about what a file *is* is made from its content, never from its name or the
browser-supplied content type, both of which the uploader controls. Images are additionally
re-encoded so that what we store and serve is pixels we produced ourselves: metadata (EXIF
with GPS positions, XMP, ICC, text chunks) and anything appended after the image data are
gone.

Every refusal is a ValidationError with a lazy, translated message and a stable ``code``:

========================= ==================================================================
code                      meaning
========================= ==================================================================
upload_missing            no file object was given
upload_empty              zero bytes
upload_too_large          over ``max_bytes`` (decided from the size before reading content)
upload_executable         ELF, PE (MZ), Mach-O or a script with a #! line
upload_markup             HTML, SVG, XML or other markup (also when renamed .jpg/.png/.pdf)
upload_type_not_allowed   sniffed type unknown or not in the caller's allow-list
upload_pdf_invalid        looks like a PDF but does not start with "%PDF-"
upload_image_too_large    more pixels than the cap (decompression-bomb guard)
upload_image_corrupt      truncated, damaged or not the image format it claims to be
========================= ==================================================================

Limitations: PDFs are checked by signature only. They are stored as received and must be
served with ``Content-Type: application/pdf``, ``X-Content-Type-Options: nosniff`` and
preferably ``Content-Disposition: attachment``; active content inside a PDF (JavaScript,
launch actions) is not inspected here.
"""

from __future__ import annotations

import dataclasses
import re
import secrets
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from io import BytesIO
from typing import IO, Any

import filetype
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.http import FileResponse
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "SUPPORTED_KINDS",
    "SniffedImageField",
    "UploadInfo",
    "private_file_response",
    "reencode_image",
    "sanitize_filename",
    "validate_image_upload",
    "validate_upload",
]

# kind -> (MIME type, extension). Deliberately short: every kind added here must also be
# safe to serve back to reviewers' browsers.
SUPPORTED_KINDS: dict[str, tuple[str, str]] = {
    "pdf": ("application/pdf", ".pdf"),
    "jpg": ("image/jpeg", ".jpg"),
    "png": ("image/png", ".png"),
}
# filetype reports animated PNGs separately; they are still PNGs and re-encode to one frame.
_FILETYPE_TO_KIND = {"pdf": "pdf", "jpg": "jpg", "png": "png", "apng": "png"}
_PIL_FORMATS = {"jpg": "JPEG", "png": "PNG"}

# 40 megapixels covers an A4 scan at 600 dpi (about 35 MP) and full-resolution phone photos,
# while bounding the decoded size to roughly 160 MB (RGBA) per image.
DEFAULT_MAX_PIXELS = 40_000_000

# filetype itself never looks further than this, so there is no point reading more.
_SNIFF_BYTES = 8192
_READ_CHUNK = 64 * 1024
_MIB = 1024 * 1024

_EXECUTABLE_MAGIC = (
    b"\x7fELF",  # Linux/BSD
    b"MZ",  # DOS/Windows PE
    b"\xfe\xed\xfa\xce",  # Mach-O 32-bit, big endian
    b"\xfe\xed\xfa\xcf",  # Mach-O 64-bit, big endian
    b"\xce\xfa\xed\xfe",  # Mach-O 32-bit, little endian
    b"\xcf\xfa\xed\xfe",  # Mach-O 64-bit, little endian
    b"\xca\xfe\xba\xbe",  # Mach-O universal binary (and Java class files)
    b"#!",  # shell/Python/... scripts
)
_MARKUP_MARKERS = (b"<svg", b"<html", b"<script", b"<!doctype", b"<iframe", b"<body")
_MARKUP_SCAN_BYTES = 512
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")

# Names Windows refuses or treats as devices, whatever the extension.
_WINDOWS_RESERVED = re.compile(r"(?i)^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?$")
_UNSAFE_NAME_CHARS = re.compile(r'[<>:"|?*\x00-\x1f\x7f]')


@dataclass(frozen=True, slots=True)
class UploadInfo:
    """What validate_upload found out about a file.

    ``kind`` is the allow-list key ("pdf", "jpg", "png"); ``extension`` the matching file
    extension with its dot (".pdf"); ``size`` in bytes; ``safe_name`` a random storage name
    ending in that extension, unrelated to anything the uploader chose.
    """

    kind: str
    mime: str
    extension: str
    size: int
    safe_name: str


def _allowed_label(allowed: tuple[str, ...]) -> str:
    return ", ".join(kind.upper() for kind in allowed)


def _format_mb(num_bytes: int) -> str:
    megabytes = num_bytes / _MIB
    text = f"{megabytes:.2f}".rstrip("0").rstrip(".")
    return text if text != "0" else f"{megabytes:.3g}"


def _random_name(extension: str) -> str:
    return secrets.token_hex(16) + extension


def sanitize_filename(name: object, *, max_length: int = 100) -> str:
    """Return a harmless display version of an uploader-supplied file name.

    Directories (either slash), drive letters, NUL and control characters, leading dots
    and Windows device names are removed, so the result can be shown to reviewers or used
    in a Content-Disposition header. Storage should still use ``UploadInfo.safe_name``.
    """
    text = unicodedata.normalize("NFC", "" if name is None else str(name))
    # Everything up to the last separator is a directory, whichever OS produced it; a NUL
    # byte ends the name for C-based tools, so what follows it is not trusted either.
    text = text.split("\x00", 1)[0].replace("\\", "/").rsplit("/", 1)[-1]
    text = _UNSAFE_NAME_CHARS.sub("", text)
    text = " ".join(text.split()).lstrip(". ").rstrip(". ")
    if _WINDOWS_RESERVED.match(text):
        text = "_" + text
    if len(text) > max_length:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10 and stem:
            text = stem[: max_length - len(ext) - 1] + "." + ext
        else:
            text = text[:max_length]
    return text or "file"


def _check_arguments(allowed: tuple[str, ...], max_bytes: int) -> tuple[str, ...]:
    allowed = tuple(allowed)
    unknown = [kind for kind in allowed if kind not in SUPPORTED_KINDS]
    if unknown or not allowed:
        raise ValueError(f"allowed must be a non-empty subset of {sorted(SUPPORTED_KINDS)}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
        raise ValueError("max_bytes must be a positive integer")
    return allowed


def _rewind(uploaded_file: Any) -> None:
    seek = getattr(uploaded_file, "seek", None)
    if seek is not None:
        seek(0)


def _measure_size(uploaded_file: Any, max_bytes: int) -> int:
    """Return the file size without reading more than max_bytes + 1 bytes.

    Django's UploadedFile knows its size from the upload handlers, so normally nothing is read
    at all. Plain file-like objects are counted in chunks, stopping as soon as the cap is
    exceeded.
    """
    declared = getattr(uploaded_file, "size", None)
    if isinstance(declared, int) and not isinstance(declared, bool) and declared >= 0:
        return declared
    _rewind(uploaded_file)
    total = 0
    while total <= max_bytes:
        chunk = uploaded_file.read(min(_READ_CHUNK, max_bytes + 1 - total))
        if not chunk:
            break
        total += len(chunk)
    _rewind(uploaded_file)
    return total


def _read_head(uploaded_file: Any) -> bytes:
    _rewind(uploaded_file)
    head = uploaded_file.read(_SNIFF_BYTES) or b""
    _rewind(uploaded_file)
    return bytes(head)


def _is_markup(head: bytes) -> bool:
    text = head
    for bom in _BOMS:
        if text.startswith(bom):
            text = text[len(bom) :]
            break
    # UTF-16 markup interleaves NULs; dropping them lets one set of markers cover both.
    text = text.replace(b"\x00", b"").lstrip(b" \t\r\n\x0b\x0c")
    if text.startswith(b"<"):
        return True
    # Browsers that sniff content look for tags near the start only, so that is where a
    # polyglot has to put them; scanning further would refuse honest images whose compressed
    # data or trailing bytes happen to contain "<svg" (re-encoding removes those anyway).
    lowered = text[:_MARKUP_SCAN_BYTES].lower()
    return any(marker in lowered for marker in _MARKUP_MARKERS)


def validate_upload(
    uploaded_file: IO[bytes] | Any,
    *,
    allowed: tuple[str, ...] = ("pdf", "jpg", "png"),
    max_bytes: int,
) -> UploadInfo:
    """Check size and content type of an upload and return what it is.

    The file name and the client's content type are ignored for the decision. The file is
    left rewound to the start. Raises ValidationError (codes in the module docstring) and
    ValueError for programming errors in ``allowed`` / ``max_bytes``.
    """
    allowed = _check_arguments(allowed, max_bytes)
    allowed_label = _allowed_label(allowed)
    if uploaded_file is None:
        raise ValidationError(_("No file was submitted."), code="upload_missing")

    size = _measure_size(uploaded_file, max_bytes)
    if size > max_bytes:
        raise ValidationError(
            _("This file is too large. The maximum size is %(max_mb)s MB."),
            code="upload_too_large",
            params={"max_mb": _format_mb(max_bytes)},
        )
    head = _read_head(uploaded_file)
    if size == 0 or not head:
        raise ValidationError(_("The submitted file is empty."), code="upload_empty")

    if head.startswith(_EXECUTABLE_MAGIC):
        raise ValidationError(
            _("Programs and scripts cannot be uploaded. Allowed file types: %(allowed)s."),
            code="upload_executable",
            params={"allowed": allowed_label},
        )
    if _is_markup(head):
        raise ValidationError(
            _("Web pages and SVG files cannot be uploaded. Allowed file types: %(allowed)s."),
            code="upload_markup",
            params={"allowed": allowed_label},
        )

    guessed = filetype.guess(head)
    kind = _FILETYPE_TO_KIND.get(guessed.extension) if guessed is not None else None
    if kind is None or kind not in allowed:
        raise ValidationError(
            _("This file type is not allowed. Allowed file types: %(allowed)s."),
            code="upload_type_not_allowed",
            params={"allowed": allowed_label},
        )
    # filetype accepts "%PDF" after a UTF-8 BOM and without the version dash; PDF readers are
    # lenient in different ways, so insist on the exact header the specification requires.
    if kind == "pdf" and not head.startswith(b"%PDF-"):
        raise ValidationError(
            _("This PDF file is damaged or is not a real PDF."), code="upload_pdf_invalid"
        )

    mime, extension = SUPPORTED_KINDS[kind]
    return UploadInfo(
        kind=kind, mime=mime, extension=extension, size=size, safe_name=_random_name(extension)
    )


def _image_too_large(max_pixels: int) -> ValidationError:
    return ValidationError(
        _("The image dimensions are too large. The maximum is %(max_mp)s megapixels."),
        code="upload_image_too_large",
        params={"max_mp": f"{max_pixels / 1_000_000:g}"},
    )


def _prepare_for_save(image: Image.Image, kind: str) -> tuple[Image.Image, dict[str, Any]]:
    options: dict[str, Any] = {}
    if kind == "jpg":
        # CMYK and YCCK JPEGs render inconsistently in browsers; RGB (or L) is what we serve.
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        options.update(quality=90, optimize=True)
    else:
        transparency = image.info.get("transparency")
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            image = image.convert("RGBA")
        elif transparency is not None:
            # Transparency is pixel data, not metadata: pass it on explicitly because the
            # info dict (with everything else in it) is about to be emptied.
            options["transparency"] = transparency
    # Pillow falls back to im.info for some chunks (ICC profile, EXIF) when saving; an empty
    # dict guarantees none of the original metadata is written back.
    image.info = {}
    return image, options


def reencode_image(
    uploaded_file: IO[bytes] | Any, kind: str, *, max_pixels: int = DEFAULT_MAX_PIXELS
) -> ContentFile:
    """Decode a JPEG or PNG and encode it afresh, returning a ContentFile with a random name.

    EXIF orientation is applied to the pixels before the metadata is dropped, so phone photos
    of licences stay upright. Only the decoder for ``kind`` is allowed to run, so a file that
    is really another format cannot reach Pillow's less exercised decoders. The effective
    pixel cap is the smaller of ``max_pixels`` and ``PIL.Image.MAX_IMAGE_PIXELS``.

    Truncated files are refused as long as ``PIL.ImageFile.LOAD_TRUNCATED_IMAGES`` keeps its
    default (False); the project must not switch that global on.
    """
    if kind not in _PIL_FORMATS:
        raise ValueError(f"kind must be one of {sorted(_PIL_FORMATS)}")
    pixel_cap = max_pixels
    if Image.MAX_IMAGE_PIXELS:
        pixel_cap = min(pixel_cap, Image.MAX_IMAGE_PIXELS)

    _rewind(uploaded_file)
    buffer = BytesIO()
    try:
        with Image.open(uploaded_file, formats=[_PIL_FORMATS[kind]]) as image:
            width, height = image.size
            if width <= 0 or height <= 0 or width * height > pixel_cap:
                raise _image_too_large(pixel_cap)
            image.load()
            upright = ImageOps.exif_transpose(image)
            clean, options = _prepare_for_save(upright, kind)
            clean.save(buffer, format=_PIL_FORMATS[kind], **options)
    except Image.DecompressionBombError:
        raise _image_too_large(pixel_cap)
    except ValidationError:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, struct.error, zlib.error):
        # Pillow reports truncated and malformed data through all of these, depending on the
        # format and on where in the file the damage is.
        raise ValidationError(
            _("This image is damaged or incomplete and cannot be opened."),
            code="upload_image_corrupt",
        )
    finally:
        _rewind(uploaded_file)
    return ContentFile(buffer.getvalue(), name=_random_name(SUPPORTED_KINDS[kind][1]))


def validate_image_upload(
    uploaded_file: IO[bytes] | Any, *, max_bytes: int, max_pixels: int = DEFAULT_MAX_PIXELS
) -> tuple[UploadInfo, ContentFile]:
    """Validate a JPEG/PNG upload and return it re-encoded, ready to save.

    The returned UploadInfo describes the re-encoded file (its size, not the upload's) and its
    ``safe_name`` is also the ContentFile's name. The re-encoded size is not checked against
    ``max_bytes`` again: the cap protects the upload path, and a re-encode may grow slightly.
    """
    info = validate_upload(uploaded_file, allowed=("jpg", "png"), max_bytes=max_bytes)
    content = reencode_image(uploaded_file, info.kind, max_pixels=max_pixels)
    content.name = info.safe_name
    return dataclasses.replace(info, size=content.size), content


class SniffedImageField(forms.FileField):
    """A JPEG/PNG form field that decides by content, like every other upload.

    Django's ``forms.ImageField`` refuses by file extension (a valid PNG named ``.svg``)
    and opens the whole upload with Pillow before any size check, so a 50 MB file was
    decoded before the service refused it. Here the size is checked first (``max_bytes``,
    default ``settings.UPLOAD_MAX_BYTES``), then the content is sniffed; nothing is
    decoded. Services re-encode the file (``validate_image_upload``) before storing it.
    The cleaned value is the upload itself, its ``content_type`` set to the sniffed type.
    """

    def __init__(self, *, max_bytes: int | None = None, **kwargs):
        self.max_bytes = max_bytes
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))
        super().__init__(**kwargs)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        max_bytes = self.max_bytes or settings.UPLOAD_MAX_BYTES
        info = validate_upload(upload, allowed=("jpg", "png"), max_bytes=max_bytes)
        if hasattr(upload, "content_type"):
            upload.content_type = info.mime
        return upload


def private_file_response(handle: Any, *, content_type: str, filename: str) -> FileResponse:
    """Serve a private upload (licence, qualification document, evidence) to someone the
    view has already checked: always as a download (``Content-Disposition: attachment``),
    never sniffed into another type, never cached by shared caches. A PDF opened inline
    runs in the site's origin; as a download it does not."""
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=True,
        filename=sanitize_filename(filename),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
