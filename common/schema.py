"""The API schema's generator: drf-spectacular's, plus the error answers every endpoint
can give, so that a client (and the schema fuzz in CI) finds each status it may receive
documented with its body.

- 400: a malformed request (a NUL character, unparsable or too deeply nested JSON, a bad
  query parameter), input that fails validation, or a business rule that refuses it;
- 401 with `WWW-Authenticate`: no credentials, or a token that is not valid;
- 403: signed in without the role the endpoint needs (or a CSRF failure on a session);
- 404: what the path names does not exist or is not the caller's (another merchant's
  order is a 404, never a 403); on a list, a page past the end;
- 413 and 415: a request body over `REQUEST_MAX_BYTES`, or of a type the endpoint does not
  read;
- 429 with `Retry-After`: a throttled endpoint (sign-in) asked too often.
"""

from django.core.validators import RegexValidator
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from rest_framework import serializers
from rest_framework.permissions import AllowAny

from common.serializers import VALIDATION_ERRORS_SCHEMA, ErrorOut, ThrottledOut

BODY_METHODS = {"POST", "PUT", "PATCH"}
# What Python's str.strip() removes (DRF trims text inputs with it): a required text is
# refused when nothing else is left, so the schema asks for one other character. Spelled
# out, as ECMA's \s is not the same set.
NOT_ONLY_WHITESPACE = (
    "[^\\u0009-\\u000d\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000]"
)
JSON = "application/json"

DESCRIPTIONS = {
    "400": "Malformed request, input that fails validation, or a business rule refusing it.",
    "401": "Not signed in: no credentials, or a token that is not valid.",
    "403": "Signed in without the role this endpoint is for.",
    "404": "Not found, or not yours to see.",
    "413": "The request body is too large.",
    "415": "The request body is of a type this endpoint does not read.",
    "429": "Too many requests: try again after Retry-After seconds.",
}


class AutoSchema(SpectacularAutoSchema):
    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if direction != "request":
            return schema
        # `many=True, allow_empty=False` refuses an empty list: say so.
        if getattr(field, "allow_empty", True) is False and schema.get("type") == "array":
            schema.setdefault("minItems", 1)
        # A required text that is only whitespace is trimmed to nothing and refused (a
        # text with a pattern of its own says more than this).
        if (isinstance(field, serializers.CharField) and field.trim_whitespace
                and not field.allow_blank and schema.get("type") == "string"
                and not any(isinstance(v, RegexValidator) for v in field.validators)):
            schema.setdefault("pattern", NOT_ONLY_WHITESPACE)
        return schema

    def _error_ref(self, serializer) -> dict:
        return self.resolve_serializer(serializer, "response").ref

    def _error_response(self, code: str, schema: dict, headers: dict | None = None) -> dict:
        response = {"description": DESCRIPTIONS[code], "content": {JSON: {"schema": schema}}}
        if headers:
            response["headers"] = headers
        return response

    def _is_authenticated(self) -> bool:
        return bool(self.view.get_authenticators())

    def _needs_permission(self) -> bool:
        return any(not isinstance(p, AllowAny) for p in self.view.get_permissions())

    def _is_paginated_list(self) -> bool:
        return self.method == "GET" and self._is_list_view() and self._get_paginator() is not None

    def error_codes(self) -> list[str]:
        """The error statuses this operation can answer with."""
        codes = ["400"]
        if self._is_authenticated():
            codes += ["401", "403"]
        elif self._needs_permission():
            codes.append("403")
        if "{" in self.path or self._is_paginated_list():
            codes.append("404")
        if self.method in BODY_METHODS:
            codes += ["413", "415"]
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        error = self._error_ref(ErrorOut)
        for code in self.error_codes():
            if code in responses:
                continue
            if code == "400":
                schema = {"anyOf": [error, VALIDATION_ERRORS_SCHEMA]}
                responses[code] = self._error_response(code, schema)
            elif code == "401":
                responses[code] = self._error_response(code, error, headers={
                    "WWW-Authenticate": {
                        "description": "How to authenticate: `Token`.",
                        "schema": {"type": "string"},
                    }
                })
            elif code == "429":
                responses[code] = self._error_response(
                    code, self._error_ref(ThrottledOut), headers={
                        "Retry-After": {
                            "description": "Seconds to wait before trying again.",
                            "schema": {"type": "integer"},
                        }
                    })
            else:
                responses[code] = self._error_response(code, error)
        return responses
