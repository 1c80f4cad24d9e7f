"""Merchant pages for invoices (发票): the list with what waits for the merchant first,
an invoice's page where it is issued (PDF or number) or corrected after a refund (红冲),
and its file, served only to the store's merchant."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _

from common.access import merchant_required
from common.errors import ApplicationError
from common.keyset import keyset_page
from common.uploads import private_file_response
from shop.models import Invoice
from shop.selectors.invoices import (
    INVOICE_KEYS,
    TO_DO,
    invoice_amount_due,
    invoice_for_merchant,
    merchant_invoice_to_do_count,
    merchant_invoices,
)
from shop.services.invoices import invoice_correct, invoice_issue

PAGE_SIZE = 20


class InvoiceFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False,
        choices=[(TO_DO, _("Waiting for me")), ("", _("All"))] + list(Invoice.Status.choices))
    q = forms.CharField(label=_("Order or invoice number"), required=False, max_length=32)


class InvoiceIssueForm(forms.Form):
    file = forms.FileField(label=_("E-invoice (PDF)"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}),
                           help_text=_("The PDF your invoicing system produced."))
    number = forms.CharField(label=_("Invoice number"), required=False, max_length=20,
                             help_text=_("Or only its number (8 to 20 digits)."))


class InvoiceCorrectForm(InvoiceIssueForm):
    red_letter_number = forms.CharField(
        label=_("Red-letter invoice number"), max_length=20,
        help_text=_("The number of the red-letter invoice (红字发票) that cancels the issued one."))

    field_order = ["red_letter_number", "file", "number"]


@merchant_required
def invoice_list(request):
    data = request.GET if "status" in request.GET else {**request.GET.dict(), "status": TO_DO}
    form = InvoiceFilterForm(data)
    filters = form.cleaned_data if form.is_valid() else {"status": TO_DO}
    qs = merchant_invoices(request.user, status=filters.get("status", ""),
                           q=filters.get("q", ""))
    page = keyset_page(qs, keys=INVOICE_KEYS, size=PAGE_SIZE,
                       after=request.GET.get("after", ""), before=request.GET.get("before", ""))
    return render(request, "seller/invoices/list.html", {
        "form": form, "page": page, "to_do": merchant_invoice_to_do_count(request.user),
        "filtered": filters.get("status") != TO_DO or bool(filters.get("q")),
        "query": {k: v for k, v in data.items() if k not in ("after", "before")},
    })


def _invoice_or_404(request, pk) -> Invoice:
    try:
        return invoice_for_merchant(request.user, pk)
    except Invoice.DoesNotExist:
        raise Http404


def _detail(request, invoice, *, issue_form=None, correct_form=None):
    return render(request, "seller/invoices/detail.html", {
        "invoice": invoice, "amount_due": invoice_amount_due(invoice),
        "issue_form": issue_form or InvoiceIssueForm(),
        "correct_form": correct_form or InvoiceCorrectForm(),
    })


@merchant_required
def invoice_detail(request, pk):
    invoice = _invoice_or_404(request, pk)
    if request.method != "POST":
        return _detail(request, invoice)
    correcting = invoice.status == Invoice.Status.CORRECTION_NEEDED
    form = (InvoiceCorrectForm if correcting else InvoiceIssueForm)(request.POST, request.FILES)
    if form.is_valid():
        try:
            if correcting:
                invoice_correct(invoice=invoice, actor=request.user, **form.cleaned_data)
            else:
                invoice_issue(invoice=invoice, actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Invoice saved."))
            return redirect("seller:invoices_detail", pk=invoice.pk)
    invoice = _invoice_or_404(request, pk)
    return _detail(request, invoice, **{"correct_form" if correcting else "issue_form": form})


@merchant_required
def invoice_file(request, pk):
    invoice = _invoice_or_404(request, pk)
    if not invoice.file:
        raise Http404
    try:
        handle = invoice.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return private_file_response(handle, content_type=invoice.content_type,
                                 filename=invoice.original_name or f"invoice-{invoice.pk}.pdf")


urlpatterns = [
    path("invoices/", invoice_list, name="invoices"),
    path("invoices/<int:pk>/", invoice_detail, name="invoices_detail"),
    path("invoices/<int:pk>/file/", invoice_file, name="invoices_file"),
]
