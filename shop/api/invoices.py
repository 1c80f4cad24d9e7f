"""Buyer API of invoices (发票): the buyer's own invoices and their e-invoice files.
Anyone else's invoice is a 404."""

from django.http import Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers
from rest_framework.views import APIView

from common.api import IsBuyer
from common.uploads import private_file_response
from shop.models import Invoice
from shop.selectors.invoices import invoice_for_buyer, invoices_for_buyer


class InvoiceOut(serializers.ModelSerializer):
    order = serializers.CharField(source="order.number", read_only=True)
    store_name = serializers.CharField(source="store.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    file_url = serializers.SerializerMethodField(
        help_text="Where to download the e-invoice PDF; null when the merchant entered only "
                  "its number or has not issued it yet.")

    class Meta:
        model = Invoice
        fields = ["id", "order", "store_name", "title", "tax_number", "status",
                  "status_display", "requested_at", "amount", "number", "issued_at",
                  "red_letter_number", "file_url"]
        read_only_fields = fields

    def get_file_url(self, obj) -> str | None:
        if not obj.file:
            return None
        path = reverse("buyer-invoice-file", kwargs={"pk": obj.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class InvoiceListView(generics.ListAPIView):
    """The buyer's invoices, newest request first: requested when an order with an invoice
    title is paid, issued by the merchant for the amount actually paid after refunds."""

    permission_classes = [IsBuyer]
    serializer_class = InvoiceOut

    def get_queryset(self):
        return invoices_for_buyer(self.request.user)


def _own(request, pk) -> Invoice:
    try:
        return invoice_for_buyer(request.user, pk)
    except Invoice.DoesNotExist:
        raise Http404


class InvoiceDetailView(generics.RetrieveAPIView):
    permission_classes = [IsBuyer]
    serializer_class = InvoiceOut

    def get_object(self):
        return _own(self.request, self.kwargs["pk"])


class InvoiceFileView(APIView):
    """The e-invoice PDF, as a download (404 when there is none)."""

    permission_classes = [IsBuyer]

    @extend_schema(responses={
        (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY,
                                                  description="The e-invoice PDF."),
        404: OpenApiResponse(description="No such invoice of yours, or no file."),
    })
    def get(self, request, pk):
        invoice = _own(request, pk)
        if not invoice.file:
            raise Http404
        try:
            handle = invoice.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        return private_file_response(
            handle, content_type=invoice.content_type,
            filename=invoice.original_name or f"invoice-{invoice.pk}.pdf")
