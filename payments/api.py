"""The provider's signed callback (/api/webhooks/payments/<provider>/). It carries no user
session: the HMAC signature over the raw body is the authentication. A bad signature is a
400 with a JSON error; a repeated callback changes nothing."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import raw_body
from payments.services import payment_callback_handle

SIGNATURE_HEADER = "X-Signature"


class PaymentCallbackOut(serializers.Serializer):
    ok = serializers.BooleanField()
    changed = serializers.BooleanField()
    status = serializers.CharField()


class PaymentCallbackView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses=PaymentCallbackOut)
    def post(self, request, provider):
        payment, changed = payment_callback_handle(
            provider_name=provider, body=raw_body(request),
            signature=request.headers.get(SIGNATURE_HEADER, ""),
        )
        return Response({"ok": True, "changed": changed, "status": payment.status})
