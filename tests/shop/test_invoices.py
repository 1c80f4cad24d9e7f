"""Invoices (发票): requested with a paid order, issued by the merchant for the amount
actually paid (PDF or number), flagged for a red-letter correction (红冲) by a refund
after issue, and downloaded by the buyer through the API."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from common.errors import ApplicationError
from shop.models import Invoice
from shop.reasons import R
from shop.rules.invoices import (
    INVOICE_STATUSES,
    INVOICE_TRANSITIONS,
    invoice_after_correction,
    invoice_after_refund,
    invoice_amount,
)
from shop.selectors.invoices import merchant_invoice_to_do_count
from shop.services.invoices import invoice_correct, invoice_issue
from shop.services.order_payments import order_refund
from tests.shop.order_factories import (  # noqa: F401 (fixture)
    _fast_password_hashing,
    listed_sku,
    pay,
    place,
    store_for,
)

pytestmark = pytest.mark.django_db
D = Decimal

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06"
       b"\x00\x00\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00"
       b"\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82")


@pytest.fixture
def store(merchant):
    return store_for(merchant)


@pytest.fixture
def sku(store):
    return listed_sku(store, price="100.00", stock=100)


def _invoiced_order(buyer, sku, quantity=1):
    return pay(place(buyer, sku, quantity, invoice_title="杭州某某科技有限公司",
                     invoice_tax_number="91330106MA2B3C4D5E"))


def _refund(order, amount, key):
    return order_refund(order=order, amount=D(amount), idempotency_key=key, actor=None,
                        reason=R("late_payment_refunded"))


def _pdf(name="发票.pdf", data=PDF):
    return SimpleUploadedFile(name, data, "application/pdf")


# --- rules -------------------------------------------------------------------------------
def test_the_transition_table_allows_exactly_the_workflow():
    allowed = {(a, b) for a, targets in INVOICE_TRANSITIONS.items() for b in targets}
    assert allowed == {("requested", "issued"), ("requested", "not_needed"),
                       ("issued", "correction_needed"), ("correction_needed", "corrected"),
                       ("correction_needed", "reissued"), ("reissued", "correction_needed")}
    assert set(INVOICE_STATUSES) == set(Invoice.Status.values)


def test_amount_and_moves_after_refunds():
    assert invoice_amount(D("100"), D("30")) == D("70.00")
    assert invoice_amount(D("100"), D("100")) == D("0.00")
    assert invoice_after_refund("requested", D("0"), D("70")) is None
    assert invoice_after_refund("requested", D("0"), D("0")) == "not_needed"
    assert invoice_after_refund("issued", D("100"), D("70")) == "correction_needed"
    assert invoice_after_refund("reissued", D("70"), D("70")) is None
    assert invoice_after_refund("correction_needed", D("100"), D("50")) is None
    assert invoice_after_correction(D("50")) == "reissued"
    assert invoice_after_correction(D("0")) == "corrected"


# --- requests and issuing ---------------------------------------------------------------
def test_a_paid_order_with_a_title_waits_as_a_requested_invoice(merchant, merchant_client,
                                                                buyer, sku):
    without = pay(place(buyer, sku))
    order = _invoiced_order(buyer, sku)
    invoice = Invoice.objects.get()
    assert invoice.order == order and invoice.status == "requested"
    assert invoice.title == "杭州某某科技有限公司" and invoice.buyer == buyer
    assert not Invoice.objects.filter(order=without).exists()
    assert merchant_invoice_to_do_count(merchant) == 1
    assert list(invoice.events.values_list("to_status", "reason_code")) == [
        ("requested", "shop.invoice_requested")]
    html = merchant_client.get("/seller/invoices/").content.decode()
    assert order.number in html and "杭州某某科技有限公司" in html
    assert f"/seller/invoices/{invoice.pk}/" in html
    html = merchant_client.get(f"/seller/orders/{order.number}/").content.decode()
    assert f'href="/seller/invoices/{invoice.pk}/" data-invoice' in html


def test_merchant_issues_with_the_pdf_and_downloads_it(merchant_client, buyer, sku):
    order = _invoiced_order(buyer, sku)
    invoice = Invoice.objects.get()
    res = merchant_client.post(f"/seller/invoices/{invoice.pk}/", {"file": _pdf()})
    assert res.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "issued" and invoice.amount == order.paid_amount == D("100.00")
    assert invoice.file.name.startswith("private/invoices/")
    assert invoice.content_type == "application/pdf" and invoice.original_name == "发票.pdf"
    res = merchant_client.get(f"/seller/invoices/{invoice.pk}/file/")
    assert res.status_code == 200 and b"".join(res.streaming_content) == PDF
    assert res["Content-Disposition"].startswith("attachment")
    assert res["X-Content-Type-Options"] == "nosniff"


def test_merchant_issues_with_a_number_only(merchant, buyer, sku):
    _invoiced_order(buyer, sku)
    invoice = invoice_issue(invoice=Invoice.objects.get(), actor=merchant,
                            number="24332000000012345678")
    assert invoice.status == "issued" and invoice.number == "24332000000012345678"
    assert not invoice.file
    assert merchant_invoice_to_do_count(merchant) == 0
    event = invoice.events.last()
    assert (event.from_status, event.to_status, event.actor) == ("requested", "issued",
                                                                  merchant)


@pytest.mark.parametrize("upload", [
    SimpleUploadedFile("fake.pdf", PNG, "application/pdf"),  # a PNG named .pdf
    SimpleUploadedFile("x.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
    SimpleUploadedFile("x.pdf", b"just text, not a PDF", "application/pdf"),
])
def test_a_file_that_is_not_a_pdf_is_refused_and_nothing_is_written(merchant_client, buyer,
                                                                    sku, upload):
    _invoiced_order(buyer, sku)
    invoice = Invoice.objects.get()
    res = merchant_client.post(f"/seller/invoices/{invoice.pk}/", {"file": upload})
    assert res.status_code == 200
    assert "has-error" in res.content.decode()
    invoice.refresh_from_db()
    assert invoice.status == "requested" and not invoice.file and invoice.amount == 0
    assert invoice.events.count() == 1


def test_issuing_needs_a_pdf_or_a_valid_number(merchant, buyer, sku):
    _invoiced_order(buyer, sku)
    invoice = Invoice.objects.get()
    for number in ("", "12AB"):
        with pytest.raises(ApplicationError):
            invoice_issue(invoice=invoice, actor=merchant, number=number)
    assert Invoice.objects.get().status == "requested"


def test_the_amount_is_what_was_paid_after_a_partial_refund(merchant, buyer, sku):
    order = _invoiced_order(buyer, sku, 2)
    _refund(order, "30", "r1")
    invoice = invoice_issue(invoice=Invoice.objects.get(), actor=merchant, number="12345678")
    assert invoice.amount == D("170.00")
    assert invoice.status == "issued"


def test_a_request_refunded_in_full_before_issue_is_not_needed(merchant, buyer, sku):
    order = _invoiced_order(buyer, sku)
    _refund(order, "100", "all")
    invoice = Invoice.objects.get()
    assert invoice.status == "not_needed"
    assert merchant_invoice_to_do_count(merchant) == 0
    with pytest.raises(ApplicationError):
        invoice_issue(invoice=invoice, actor=merchant, number="12345678")


# --- red-letter correction ---------------------------------------------------------------
def test_a_refund_after_issue_flags_a_red_letter_correction_then_reissue(merchant,
                                                                         merchant_client,
                                                                         buyer, sku):
    order = _invoiced_order(buyer, sku)
    invoice = invoice_issue(invoice=Invoice.objects.get(), actor=merchant, number="11111111")
    _refund(order, "40", "r1")
    invoice.refresh_from_db()
    assert invoice.status == "correction_needed" and invoice.correction_needed_at
    event = invoice.events.last()
    assert event.reason_code == "shop.invoice_refund_after_issue"
    assert event.reason_params == {"issued": "100.00", "amount": "60.00"}
    assert merchant_invoice_to_do_count(merchant) == 1
    html = merchant_client.get(f"/seller/invoices/{invoice.pk}/").content.decode()
    assert "data-correction" in html and "60.00" in html
    with pytest.raises(ApplicationError):  # the red-letter number is required
        invoice_correct(invoice=invoice, actor=merchant, red_letter_number="", number="22222222")
    res = merchant_client.post(f"/seller/invoices/{invoice.pk}/",
                               {"red_letter_number": "99999999", "file": _pdf("new.pdf")})
    assert res.status_code == 302
    invoice.refresh_from_db()
    assert invoice.status == "reissued" and invoice.amount == D("60.00")
    assert invoice.red_letter_number == "99999999" and invoice.file
    assert invoice.events.last().data["cancelled_number"] == "11111111"
    # another refund flags it again; refunded in full, the correction closes it
    _refund(order, "60", "r2")
    invoice.refresh_from_db()
    assert invoice.status == "correction_needed"
    invoice = invoice_correct(invoice=invoice, actor=merchant, red_letter_number="88888888")
    assert invoice.status == "corrected" and invoice.amount == D("0.00")


# --- access -------------------------------------------------------------------------------
def test_another_merchant_sees_nothing_and_changes_nothing(other_merchant,
                                                           other_merchant_client,
                                                           merchant_client, buyer, sku):
    order = _invoiced_order(buyer, sku)
    invoice = Invoice.objects.get()
    merchant_client.post(f"/seller/invoices/{invoice.pk}/", {"file": _pdf()})
    assert order.number not in other_merchant_client.get(
        "/seller/invoices/?status=").content.decode()
    for url in (f"/seller/invoices/{invoice.pk}/", f"/seller/invoices/{invoice.pk}/file/"):
        assert other_merchant_client.get(url).status_code == 404
    assert other_merchant_client.post(f"/seller/invoices/{invoice.pk}/",
                                      {"number": "12345678"}).status_code == 404
    with pytest.raises(ApplicationError):
        invoice_issue(invoice=invoice, actor=other_merchant, number="12345678")
    assert merchant_invoice_to_do_count(other_merchant) == 0


def test_invoice_pages_need_a_merchant(buyer_client, client, buyer, sku):
    _invoiced_order(buyer, sku)
    invoice = Invoice.objects.get()
    assert buyer_client.get("/seller/invoices/").status_code == 403
    assert buyer_client.get(f"/seller/invoices/{invoice.pk}/file/").status_code == 403
    assert client.get("/seller/invoices/").status_code == 302


def test_the_list_runs_a_fixed_number_of_queries(merchant_client, buyer, sku):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert merchant_client.get("/seller/invoices/?status=").status_code == 200
        return len(captured)

    _invoiced_order(buyer, sku)
    few = queries()
    for _ in range(4):
        _invoiced_order(buyer, sku)
    assert queries() == few


# --- buyer API ------------------------------------------------------------------------------
def test_buyer_lists_and_downloads_only_their_own_invoices(merchant, buyer, other_buyer, sku):
    _invoiced_order(buyer, sku)
    theirs = _invoiced_order(other_buyer, sku)
    invoice = Invoice.objects.get(buyer=buyer)
    invoice_issue(invoice=invoice, actor=merchant, number="12345678", file=_pdf())
    api = APIClient()
    api.force_authenticate(buyer)
    res = api.get("/api/buyer/invoices/")
    assert res.status_code == 200
    results = res.json()["results"]
    assert [r["id"] for r in results] == [invoice.pk]
    assert results[0]["status"] == "issued" and results[0]["amount"] == "100.00"
    assert results[0]["file_url"].endswith(f"/api/buyer/invoices/{invoice.pk}/file/")
    assert api.get(f"/api/buyer/invoices/{invoice.pk}/").json()["number"] == "12345678"
    res = api.get(f"/api/buyer/invoices/{invoice.pk}/file/")
    assert res.status_code == 200 and res["Content-Type"] == "application/pdf"
    assert b"".join(res.streaming_content) == PDF
    other = Invoice.objects.get(order=theirs)
    assert api.get(f"/api/buyer/invoices/{other.pk}/").status_code == 404
    assert api.get(f"/api/buyer/invoices/{other.pk}/file/").status_code == 404
    other_api = APIClient()
    other_api.force_authenticate(other_buyer)
    assert other_api.get(f"/api/buyer/invoices/{invoice.pk}/file/").status_code == 404
    assert other_api.get(f"/api/buyer/invoices/{other.pk}/file/").status_code == 404  # no file
    anonymous = APIClient()
    assert anonymous.get("/api/buyer/invoices/").status_code in (401, 403)
    assert anonymous.get(f"/api/buyer/invoices/{invoice.pk}/file/").status_code in (401, 403)
    merchant_api = APIClient()
    merchant_api.force_authenticate(merchant)
    assert merchant_api.get(f"/api/buyer/invoices/{invoice.pk}/").status_code == 403
