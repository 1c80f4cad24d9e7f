"""The ad-delivery system's signed results (/api/webhooks/ad-delivery/). It carries no user
session: the HMAC signature over the raw body (header X-Signature) is the authentication.
A bad signature or body is a 400 with a JSON error; a batch id sent again changes nothing.

Body: ``{"batch_id": "…", "results": [{"order": 12, "exposures": 1000, "plays": 120,
"new_fans": 5, "clicks": 9, "spend": "40.00"}, …]}``."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from common.api import raw_body
from promotions.services.ads import promotion_results_ingest

SIGNATURE_HEADER = "X-Signature"


class AdResultsOut(serializers.Serializer):
    ok = serializers.BooleanField()
    changed = serializers.BooleanField()
    batch_id = serializers.CharField()


class AdResultsView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(request=None, responses=AdResultsOut)
    def post(self, request):
        batch, created = promotion_results_ingest(
            body=raw_body(request), signature=request.headers.get(SIGNATURE_HEADER, ""))
        return Response({"ok": True, "changed": created, "batch_id": batch.batch_id})


urlpatterns = [
    path("", AdResultsView.as_view(), name="webhook-ad-delivery"),
]
