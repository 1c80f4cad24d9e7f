"""After-sale API for the buyer app (/api/buyer/after-sales/) and the merchant ERP
(/api/seller/after-sales/). Each endpoint: input serializer → one service → the request's
detail. Anyone else's request is a 404."""

from django.http import FileResponse, Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import IsBuyer, IsMerchant
from common.parsers import JSONParser
from common.serializers import ErrorOut
from disputes import selectors, services
from disputes.api import serializers as s
from disputes.models import AfterSaleAttachment, AfterSaleRequest
from shop.models import OrderLine

BUYER, MERCHANT = "buyer", "merchant"


class _Side:
    side = BUYER

    @property
    def attachment_url_name(self):
        return f"{self.side}-aftersale-attachment"

    def load(self, request, pk) -> AfterSaleRequest:
        loader = (selectors.request_detail_for_buyer if self.side == BUYER
                  else selectors.request_detail_for_merchant)
        try:
            return loader(request.user, pk)
        except AfterSaleRequest.DoesNotExist:
            raise Http404

    def detail(self, request, pk, code=status.HTTP_200_OK) -> Response:
        obj = self.load(request, pk)
        context = {"side": self.side, "attachment_url_name": self.attachment_url_name,
                   "request": request}
        return Response(s.RequestDetailOut(obj, context=context).data, status=code)


def _files(request, name):
    return request.FILES.getlist(name) if hasattr(request, "FILES") else []


# --- buyer ----------------------------------------------------------------------------------
class BuyerListCreateView(_Side, generics.ListAPIView):
    """My after-sale requests (open ones first, nearest deadline first); POST opens one on
    a paid line of one of my orders."""

    permission_classes = [IsBuyer]
    serializer_class = s.RequestOut
    parser_classes = [JSONParser]

    def get_queryset(self):
        return selectors.requests_for_buyer(self.request.user)

    # 404: the order or its line is not the caller's.
    @extend_schema(request=s.OpenIn, responses={201: s.RequestDetailOut, 404: ErrorOut})
    def post(self, request):
        data = s.OpenIn(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        try:
            line = selectors.order_line_for_buyer(request.user, order_number=v["order_number"],
                                                  line_id=v["line"])
        except OrderLine.DoesNotExist:
            raise Http404
        obj = services.after_sale_request_open(
            line=line, actor=request.user, kind=v["kind"], reason=v["reason"],
            amount=v.get("amount"), description=v.get("description", ""),
            goods_intact=v.get("goods_intact", False))
        return self.detail(request, obj.pk, status.HTTP_201_CREATED)


class BuyerDetailView(_Side, APIView):
    permission_classes = [IsBuyer]

    @extend_schema(responses=s.RequestDetailOut)
    def get(self, request, pk):
        return self.detail(request, pk)


class _Action(_Side, APIView):
    """POST: validate `input`, call `perform`, answer with the request's detail."""

    input = None
    # The depth-limited JSON parser of the whole API, plus forms for attachments.
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def perform(self, request, obj, data):  # pragma: no cover - every subclass overrides
        raise NotImplementedError

    def post(self, request, pk):
        obj = self.load(request, pk)
        data = {}
        if self.input is not None:
            ser = self.input(data=request.data)
            ser.is_valid(raise_exception=True)
            data = ser.validated_data
        self.perform(request, obj, data)
        return self.detail(request, pk)


# Actions that take files: JSON carries the text alone, multipart/form-data the files too
# (an urlencoded form can carry no file).
WITH_FILES = [JSONParser, MultiPartParser]


def _action(name, side, input_cls, perform, doc, *, request_schema=None, parsers=None):
    """Build one action endpoint with its schema."""
    permission = IsBuyer if side == BUYER else IsMerchant

    class View(_Action):
        permission_classes = [permission]
        input = input_cls
        parser_classes = parsers or _Action.parser_classes

        @extend_schema(request=request_schema or input_cls, responses=s.RequestDetailOut,
                       description=doc, operation_id=f"{side}_aftersale_{name}")
        def post(self, request, pk):
            return super().post(request, pk)

    View.side = side
    View.perform = lambda self, request, obj, data: perform(request, obj, data)
    View.__name__ = View.__qualname__ = f"{side.title()}{name.title().replace('_', '')}View"
    return View.as_view()


def _message(request, obj, data):
    services.after_sale_message_post(request=obj, actor=request.user, text=data.get("text", ""),
                                     files=_files(request, "images"))


def _evidence(request, obj, data):
    services.after_sale_evidence_add(request=obj, actor=request.user, kind=data["kind"],
                                     note=data.get("note", ""), files=_files(request, "files"))


def _escalate(request, obj, data):
    services.after_sale_request_escalate(request=obj, actor=request.user, reason=data["reason"])


buyer_waybill = _action(
    "waybill", BUYER, s.WaybillIn,
    lambda r, o, d: services.after_sale_request_ship_return(request=o, actor=r.user, **d),
    "Upload the return waybill: the merchant's receipt clock starts.")
MESSAGE_SCHEMA = {"application/json": s.MessageTextIn, "multipart/form-data": s.MessageIn}
EVIDENCE_SCHEMA = {"application/json": s.EvidenceNoteIn, "multipart/form-data": s.EvidenceIn}

buyer_message = _action("message", BUYER, s.MessageIn, _message,
                        "A message to the merchant (and support), with images.",
                        request_schema=MESSAGE_SCHEMA, parsers=WITH_FILES)
buyer_evidence = _action("evidence", BUYER, s.EvidenceIn, _evidence, "Add evidence.",
                         request_schema=EVIDENCE_SCHEMA, parsers=WITH_FILES)
buyer_escalate = _action("escalate", BUYER, s.ReasonIn, _escalate,
                         "Ask platform support to step in (客服介入).")
buyer_cancel = _action(
    "cancel", BUYER, s.OptionalReasonIn,
    lambda r, o, d: services.after_sale_request_cancel(request=o, actor=r.user,
                                                       reason=d.get("reason", "")),
    "Withdraw the request (also how the buyer accepts an offline solution).")


# --- merchant -------------------------------------------------------------------------------
class SellerListView(_Side, generics.ListAPIView):
    """The store's after-sale requests: open ones first by the nearest deadline."""

    side = MERCHANT
    permission_classes = [IsMerchant]
    serializer_class = s.RequestOut

    @extend_schema(parameters=[s.SellerListIn])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return AfterSaleRequest.objects.none()
        params = s.SellerListIn(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        v = params.validated_data
        return selectors.request_filter(
            selectors.requests_for_merchant(self.request.user), status=v.get("status", ""),
            kind=v.get("kind", ""),
            escalated={"true": True, "false": False}.get(v.get("escalated", "")),
            q=v.get("q", ""))


class SellerDetailView(_Side, APIView):
    side = MERCHANT
    permission_classes = [IsMerchant]

    @extend_schema(responses=s.RequestDetailOut)
    def get(self, request, pk):
        return self.detail(request, pk)


seller_contact = _action(
    "contact", MERCHANT, s.ContactIn,
    lambda r, o, d: services.after_sale_request_contact(request=o, actor=r.user,
                                                        message=d["message"]),
    "Mark the buyer contacted, with a message (within 36 h).")
seller_approve = _action(
    "approve", MERCHANT, s.ApproveIn,
    lambda r, o, d: services.after_sale_request_approve(
        request=o, actor=r.user, return_required=d["return_required"]),
    "Approve: with a return, or refund without return.")
seller_reject = _action(
    "reject", MERCHANT, s.ReasonIn,
    lambda r, o, d: services.after_sale_request_reject(request=o, actor=r.user,
                                                       reason=d["reason"]),
    "Reject with a reason (only after contacting the buyer).")
seller_receive = _action(
    "confirm_receipt", MERCHANT, None,
    lambda r, o, d: services.after_sale_request_confirm_receipt(request=o, actor=r.user),
    "Confirm the return arrived: refund, or reship an exchange.")
seller_reship = _action(
    "reship", MERCHANT, s.WaybillIn,
    lambda r, o, d: services.after_sale_request_reship(request=o, actor=r.user, **d),
    "Ship the exchange's replacement (within 48 h of receipt).")
seller_offline = _action(
    "propose_offline", MERCHANT, s.ShortReasonIn,
    lambda r, o, d: services.after_sale_request_propose_offline(request=o, actor=r.user,
                                                                reason=d["reason"]),
    "Record an agreement to settle offline (repair or exchange); the buyer cancels to agree.")
seller_accept_ruling = _action(
    "accept_ruling", MERCHANT, None,
    lambda r, o, d: services.after_sale_request_accept_ruling(request=o, actor=r.user),
    "Review a quality ruling in time: the buyer returns to your address.")
seller_escalate = _action("escalate", MERCHANT, s.ReasonIn, _escalate,
                          "Ask platform support to step in (客服介入).")
seller_message = _action("message", MERCHANT, s.MessageIn, _message,
                         "A message to the buyer (and support), with images.",
                         request_schema=MESSAGE_SCHEMA, parsers=WITH_FILES)
seller_evidence = _action("evidence", MERCHANT, s.EvidenceIn, _evidence,
                          "Add evidence (invoices, certificates, proofs).",
                          request_schema=EVIDENCE_SCHEMA, parsers=WITH_FILES)


# --- files ----------------------------------------------------------------------------------
def serve_attachment(attachment: AfterSaleAttachment):
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=attachment.content_type,
                            as_attachment=not attachment.is_image,
                            filename=attachment.original_name or attachment.file.name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


class _AttachmentView(APIView):
    side = BUYER

    @extend_schema(responses={(200, "application/octet-stream"): bytes})
    def get(self, request, pk, attachment_id):
        finder = (selectors.attachment_for_buyer if self.side == BUYER
                  else selectors.attachment_for_merchant)
        try:
            attachment = finder(request.user, attachment_id)
        except AfterSaleAttachment.DoesNotExist:
            raise Http404
        if attachment.request_id != pk:
            raise Http404
        return serve_attachment(attachment)


class BuyerAttachmentView(_AttachmentView):
    permission_classes = [IsBuyer]
    side = BUYER


class SellerAttachmentView(_AttachmentView):
    permission_classes = [IsMerchant]
    side = MERCHANT
