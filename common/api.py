from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, RawPostDataException
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import parsers, serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import NotFound, ParseError, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from common import roles
from common.client_ip import client_ip
from common.errors import ApplicationError
from common.login_lockout import lockout_json
from common.parsers import JSONParser


def exception_handler(exc, context):
    """Business-rule refusals become 400s with a stable code; Django validation errors
    too. Everything else is DRF's default JSON."""
    if isinstance(exc, ApplicationError):
        body = {"detail": str(exc.message), "code": exc.code}
        if exc.field:
            body["field"] = exc.field
        body.update(exc.extra)
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            body = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
        else:
            body = {"detail": [str(m) for m in exc.messages]}
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        # get_object_or_404's message names the model in English ("No Order matches the
        # given query."): answer DRF's own translated "not found" instead.
        exc = NotFound()
    return drf_exception_handler(exc, context)


def raw_body(request) -> bytes:
    """The request body as sent, for signed callbacks. A form body has already been read
    as a form (common.middleware looks into form fields for NUL characters), so its raw
    bytes are gone: a signed callback is never a form, so that is a 400, not a 500."""
    try:
        return request.body
    except RawPostDataException:
        raise ParseError(_("A signed callback must not be a form.")) from None


class IsBuyer(BasePermission):
    message = _("This endpoint is for buyers.")

    def has_permission(self, request, view):
        return roles.has_role(request.user, roles.BUYER)


class IsMerchant(BasePermission):
    message = _("This endpoint is for merchants.")

    def has_permission(self, request, view):
        return roles.has_role(request.user, roles.MERCHANT)


class LoginRateThrottle(ScopedRateThrottle):
    """DRF's scoped throttle keyed by the address common.client_ip trusts (the one
    django-axes locks by), not by whatever X-Forwarded-For the client sends."""

    def get_ident(self, request):
        return client_ip(request)


class ObtainTokenView(ObtainAuthToken):
    """Exchange username and password for an API token. Throttled per client address,
    and repeated failures lock the username from that address (django-axes)."""

    throttle_classes = [LoginRateThrottle]
    throttle_scope = "login"
    # ObtainAuthToken names its own parsers; the JSON one must be the depth-limited one.
    parser_classes = [parsers.FormParser, parsers.MultiPartParser, JSONParser]

    @extend_schema(
        request=inline_serializer(
            "TokenRequest",
            {"username": serializers.CharField(), "password": serializers.CharField()},
        ),
        responses=inline_serializer("TokenResponse", {"token": serializers.CharField()}),
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        try:
            serializer.is_valid(raise_exception=True)
        except ValidationError:
            # django-axes refused to check the password (the pair is locked): say so and
            # for how long, instead of "Unable to log in with provided credentials".
            if getattr(request, "axes_locked_out", False):
                data = request.data if hasattr(request.data, "get") else {}
                return lockout_json(request, data.get("username"))
            raise
        token, _created = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class MeView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=inline_serializer(
            "Me",
            {
                "username": serializers.CharField(),
                "roles": serializers.ListField(child=serializers.CharField()),
            },
        )
    )
    def get(self, request):
        user = request.user
        return Response(
            {
                "username": user.get_username(),
                "roles": sorted(r for r in roles.ROLE_LABELS if roles.has_role(user, r)),
            }
        )


def restricted(view):
    """The schema and docs are public only when API_DOCS_PUBLIC (default: DEBUG); otherwise
    only staff see them and everyone else gets a 404."""

    def wrapper(request, *args, **kwargs):
        if not settings.API_DOCS_PUBLIC and not (
            request.user.is_authenticated and request.user.is_staff
        ):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
