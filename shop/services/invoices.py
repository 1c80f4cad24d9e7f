"""Invoices (发票): a buyer's request waits for the merchant once the order is paid; the
merchant issues it for the amount actually paid (the e-invoice PDF, or its number); a
refund afterwards flags it for a red-letter correction (红冲), after which it is issued
again for what is still paid, or closed when nothing is.

Every move goes through `invoice_transition` (`shop.rules.invoices.INVOICE_TRANSITIONS`)
and writes an InvoiceEvent. The order's row is locked before the invoice's, here as in
the refund path (`order_refund` calls `invoice_order_refunded` with the order locked), so
an invoice is never issued for an amount a concurrent refund has just changed."""

from datetime import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.reasons import reason_fields
from common.uploads import sanitize_filename, validate_upload
from common.workflows import transition_apply
from shop.models import Invoice, InvoiceEvent, Order
from shop.reasons import R
from shop.rules.invoices import (
    INVOICE_NUMBER_RE,
    INVOICE_TRANSITIONS,
    invoice_after_correction,
    invoice_after_refund,
    invoice_amount,
)


def invoice_transition(*, invoice: Invoice, to: str, actor, reason="",
                       now: datetime | None = None, fields: dict | None = None,
                       data: dict | None = None) -> Invoice:
    """The one writer of an invoice's status: moves a locked invoice inside the caller's
    transaction and appends an InvoiceEvent. An illegal move raises ApplicationError
    (``bad_state``) and writes nothing."""
    now = now or timezone.now()
    state = dict(fields or {})
    if to == Invoice.Status.CORRECTION_NEEDED:
        state["correction_needed_at"] = now
    transition_apply(invoice, table=INVOICE_TRANSITIONS, to=to, actor=actor, reason=reason,
                     now=now, event_model=InvoiceEvent, event_fk="invoice", fields=state,
                     data=data)
    return invoice


def _lock(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().select_related("store").get(pk=invoice.pk)


def _lock_order(order_id) -> None:
    # The order first, as the refund path does (`order_refund` holds it when it calls
    # `invoice_order_refunded`).
    Order.objects.select_for_update().only("pk").get(pk=order_id)


def _amount_now(order_id):
    paid, refunded = Order.objects.values_list("paid_amount", "refunded_amount").get(pk=order_id)
    return invoice_amount(paid, refunded)


def invoice_request(*, order: Order, now: datetime | None = None) -> Invoice | None:
    """The buyer's request of a paid order (its title and taxpayer number), waiting for the
    merchant. Once per order; None when the buyer asked for no invoice."""
    now = now or timezone.now()
    if not order.invoice_title:
        return None
    with transaction.atomic():
        invoice, created = Invoice.objects.get_or_create(
            order=order, defaults={"store_id": order.store_id, "buyer_id": order.buyer_id,
                                   "title": order.invoice_title,
                                   "tax_number": order.invoice_tax_number,
                                   "requested_at": now})
        if created:
            InvoiceEvent.objects.create(invoice=invoice, from_status="",
                                        to_status=invoice.status, actor=None, at=now,
                                        **reason_fields(R("invoice_requested")))
    return invoice


def _prepared_document(*, number: str, file) -> tuple[str, tuple | None]:
    """The invoice number as typed and the e-invoice PDF, checked before any transaction
    opens. At least one of them."""
    number = (number or "").strip()
    if number and not INVOICE_NUMBER_RE.match(number):
        raise ApplicationError(_("An invoice number is 8 to 20 digits."),
                               code="invalid_invoice_number", field="number")
    document = None
    if file:
        try:
            info = validate_upload(file, allowed=("pdf",), max_bytes=settings.UPLOAD_MAX_BYTES)
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0], code=exc.code or "invalid_file",
                                   field="file")
        document = (info, File(file, name=info.safe_name),
                    sanitize_filename(getattr(file, "name", "") or "invoice.pdf"))
    if not number and document is None:
        raise ApplicationError(_("Upload the e-invoice PDF or enter its number."),
                               code="invoice_document_missing", field="number")
    return number, document


def _document_fields(invoice: Invoice, *, number: str, document, amount, actor, now) -> dict:
    fields = {"number": number, "amount": amount, "issued_at": now, "issued_by": actor,
              "file": "", "content_type": "", "original_name": ""}
    if document is not None:
        info, content, name = document
        invoice.file.save(info.safe_name, content, save=False)
        fields.update(file=invoice.file.name, content_type=info.mime, original_name=name)
    return fields


def _merchant_or_raise(invoice: Invoice, actor) -> None:
    if actor is None or invoice.store.merchant_id != actor.pk:
        raise ApplicationError(_("This invoice is not from your store."), code="not_yours")


def invoice_issue(*, invoice: Invoice, actor, number: str = "", file=None,
                  now: datetime | None = None) -> Invoice:
    """The merchant issues a requested invoice for the amount actually paid (after
    refunds), with its e-invoice PDF or its number."""
    now = now or timezone.now()
    number, document = _prepared_document(number=number, file=file)
    with transaction.atomic():
        _lock_order(invoice.order_id)
        invoice = _lock(invoice)
        _merchant_or_raise(invoice, actor)
        if invoice.status != Invoice.Status.REQUESTED:
            raise ApplicationError(_("This invoice is not waiting to be issued."),
                                   code="bad_state")
        amount = _amount_now(invoice.order_id)
        if amount <= 0:
            raise ApplicationError(_("Nothing was paid for this order: there is nothing to "
                                     "invoice."), code="nothing_to_invoice")
        fields = _document_fields(invoice, number=number, document=document, amount=amount,
                                  actor=actor, now=now)
        invoice_transition(invoice=invoice, to=Invoice.Status.ISSUED, actor=actor, now=now,
                           fields=fields, data={"amount": str(amount), "number": number,
                                                "file": bool(document)})
    return invoice


def invoice_correct(*, invoice: Invoice, actor, red_letter_number: str, number: str = "",
                    file=None, now: datetime | None = None) -> Invoice:
    """After a refund the merchant records the red-letter invoice (红字发票) that cancels
    the issued one and, when something is still paid, the new invoice for that amount."""
    now = now or timezone.now()
    red_letter_number = (red_letter_number or "").strip()
    if not INVOICE_NUMBER_RE.match(red_letter_number):
        raise ApplicationError(_("Enter the red-letter invoice's number (8 to 20 digits)."),
                               code="invalid_invoice_number", field="red_letter_number")
    amount_hint = _amount_now(invoice.order_id)
    document = None
    if invoice_after_correction(amount_hint) == Invoice.Status.REISSUED:
        number, document = _prepared_document(number=number, file=file)
    with transaction.atomic():
        _lock_order(invoice.order_id)
        invoice = _lock(invoice)
        _merchant_or_raise(invoice, actor)
        if invoice.status != Invoice.Status.CORRECTION_NEEDED:
            raise ApplicationError(_("This invoice needs no correction."), code="bad_state")
        amount = _amount_now(invoice.order_id)
        to = invoice_after_correction(amount)
        if to != invoice_after_correction(amount_hint):
            raise ApplicationError(_("The order's refunds changed meanwhile; look again."),
                                   code="changed")
        data = {"red_letter_number": red_letter_number, "cancelled_number": invoice.number,
                "cancelled_amount": str(invoice.amount), "amount": str(amount)}
        if to == Invoice.Status.REISSUED:
            fields = _document_fields(invoice, number=number, document=document,
                                      amount=amount, actor=actor, now=now)
            data.update(number=number, file=bool(document))
        else:
            fields = {"amount": amount}
        fields["red_letter_number"] = red_letter_number
        invoice_transition(invoice=invoice, to=to, actor=actor, now=now, fields=fields,
                           data=data)
    return invoice


def invoice_order_refunded(*, order_id, actor, now: datetime) -> Invoice | None:
    """An order was refunded (part or all; called by `order_refund` with the order locked,
    in its transaction): a request for an order refunded in full is not needed; an issued
    invoice now for more than was paid is flagged for a red-letter correction."""
    invoice = Invoice.objects.select_for_update().filter(order_id=order_id).first()
    if invoice is None:
        return None
    amount = _amount_now(order_id)
    to = invoice_after_refund(invoice.status, invoice.amount, amount)
    if to is None:
        return invoice
    reason = (R("invoice_refunded_in_full") if to == Invoice.Status.NOT_NEEDED
              else R("invoice_refund_after_issue", issued=str(invoice.amount),
                     amount=str(amount)))
    return invoice_transition(invoice=invoice, to=to, actor=actor, reason=reason, now=now,
                              data={"amount": str(amount)})
