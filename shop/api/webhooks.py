"""Signed callbacks from couriers (the payment provider's are in payments.api). They carry
no user session: the HMAC signature over the raw body is the authentication. A bad signature is a 400 with
a JSON error; a repeated callback changes nothing."""

from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import raw_body
from shop.api.serializers import WebhookOut
from shop.services.shipping import courier_webhook_handle

SIGNATURE_HEADER = "X-Signature"


class _Webhook(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]


class CourierCallbackView(_Webhook):
    @extend_schema(request=None, responses=WebhookOut)
    def post(self, request):
        _tracking, created = courier_webhook_handle(
            body=raw_body(request), signature=request.headers.get(SIGNATURE_HEADER, "")
        )
        return Response({"ok": True, "changed": created})
