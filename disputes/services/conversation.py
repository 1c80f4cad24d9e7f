"""Messages and evidence on an after-sale request."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common import config
from common.errors import ApplicationError
from common.reasons import Label
from common.uploads import reencode_image, sanitize_filename, validate_upload
from disputes import rules
from disputes.models import (
    AfterSaleAttachment,
    AfterSaleEvidence,
    AfterSaleMessage,
    AfterSaleRequest,
    Side,
)
from disputes.reasons import R
from disputes.services.transitions import (
    _note,
    _side_of,
    _text,
    after_sale_request_lock,
)

Kind = AfterSaleRequest.Kind



# --- messages and evidence -------------------------------------------------------------------
def _prepared_files(files, *, allowed: tuple[str, ...]) -> list:
    """Check every file and re-encode the images, before any transaction opens: nobody
    waits for the write lock while Pillow works."""
    files = [f for f in (files or []) if f]
    limit = config.get("aftersale.max_files_per_upload")
    if len(files) > limit:
        raise ApplicationError(_("At most %(n)d files at a time.") % {"n": limit},
                               code="too_many_files", field="files")
    from django.conf import settings
    from django.core.exceptions import ValidationError

    rows = []
    for upload in files:
        try:
            info = validate_upload(upload, allowed=allowed, max_bytes=settings.UPLOAD_MAX_BYTES)
            if info.kind in ("jpg", "png"):
                content = reencode_image(upload, info.kind)
                content.name = info.safe_name
            else:
                from django.core.files.base import File

                content = File(upload, name=info.safe_name)
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0], code=exc.code or "invalid_file",
                                   field="files")
        rows.append((info, content, sanitize_filename(getattr(upload, "name", ""))))
    return rows


def _store_files(request, rows, *, message=None, evidence=None):
    created = []
    for info, content, name in rows:
        attachment = AfterSaleAttachment(request=request, message=message, evidence=evidence,
                                         content_type=info.mime, original_name=name,
                                         size=getattr(content, "size", info.size) or info.size)
        attachment.file.save(info.safe_name, content, save=False)
        attachment.save()
        created.append(attachment)
    return created


def _may_talk(request, actor) -> str:
    side = _side_of(request, actor)
    if side == Side.AGENT:
        if request.escalated_at is None:
            raise ApplicationError(_("Support joins a request once it is escalated."),
                                   code="not_escalated")
        return side
    if side not in (Side.BUYER, Side.MERCHANT):
        raise ApplicationError(_("This after-sale request is not yours."), code="not_yours")
    table = rules.merchant_actions if side == Side.MERCHANT else rules.buyer_actions
    why = table(request.state)["message"]
    if why is not None:
        raise ApplicationError(rules.WHY[why], code=why)
    return side


def after_sale_message_post(*, request, actor, text: str = "", files=None,
                            now: datetime | None = None) -> AfterSaleMessage:
    """A message in the request's thread: text and images."""
    now = now or timezone.now()
    text = _text(text, "text", required=False)
    if not text and not files:
        raise ApplicationError(_("Write a message or add an image."), code="empty_message",
                               field="text")
    rows = _prepared_files(files, allowed=("jpg", "png"))
    with transaction.atomic():
        request = after_sale_request_lock(request)
        side = _may_talk(request, actor)
        message = AfterSaleMessage.objects.create(request=request, author=actor, side=side,
                                                  text=text, created_at=now)
        _store_files(request, rows, message=message)
        AfterSaleRequest.objects.filter(pk=request.pk).update(updated_at=now)
    return message


def after_sale_evidence_add(*, request, actor, kind: str, note: str = "", files=None,
                            now: datetime | None = None) -> AfterSaleEvidence:
    """Evidence from either side (photos, invoices, certificates, proofs), on the timeline."""
    now = now or timezone.now()
    if kind not in AfterSaleEvidence.Kind.values:
        raise ApplicationError(_("Choose what this evidence shows."), code="invalid_kind",
                               field="kind")
    note = _text(note, "note", required=False)
    if not note and not files:
        raise ApplicationError(_("Add a file or a note."), code="empty_evidence", field="files")
    rows = _prepared_files(files, allowed=("jpg", "png", "pdf"))
    with transaction.atomic():
        request = after_sale_request_lock(request)
        side = _may_talk(request, actor)
        evidence = AfterSaleEvidence.objects.create(request=request, author=actor, side=side,
                                                    kind=kind, note=note, created_at=now)
        _store_files(request, rows, evidence=evidence)
        _note(request, actor=actor, side=side, now=now,
              reason=R("evidence_added",
                       kind=Label("disputes.AfterSaleEvidence.kind", evidence.kind)),
              data={"evidence": evidence.pk})
    return evidence


