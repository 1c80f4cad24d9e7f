"""Serializers every API shares: the bodies of its error answers (common.api's exception
handler, common.views._error, common.login_lockout), as the schema (common.schema) lists
them."""

import threading

from rest_framework import serializers

# The largest id a row can have (a BigAutoField): a larger number in an input is refused
# up front, since the database cannot even compare it (SQLite raises OverflowError).
ID_MAX = 2**63 - 1


class ErrorOut(serializers.Serializer):
    """A refusal with one message: a business rule (with its `code`, often the `field` it
    is about, and sometimes more keys), a malformed or oversized request, authentication,
    permission, not found."""

    detail = serializers.CharField(help_text="What went wrong, in the client's language.")
    code = serializers.CharField(
        required=False, help_text="A stable code for a business-rule refusal.")
    field = serializers.CharField(required=False, help_text="The input the refusal is about.")
    status = serializers.IntegerField(required=False, help_text="The HTTP status.")


class ThrottledOut(ErrorOut):
    """Too many requests (or sign-in attempts): try again after `Retry-After` seconds."""

    retry_after = serializers.IntegerField(
        required=False, help_text="Seconds to wait before trying again.")


# Input that fails validation: each field that failed names its messages; a nested input
# nests them, a list of inputs lists them; `non_field_errors` for the input as a whole.
VALIDATION_ERRORS_SCHEMA = {
    "type": "object",
    "description": "Per field, the messages of the values that were refused.",
    "additionalProperties": {
        "anyOf": [
            {"type": "array", "items": {}},
            {"type": "object"},
            {"type": "string"},
        ]
    },
}


class _StrictString:
    """DRF turns a JSON number into text (`"note": 0` becomes "0"); the schema says a
    string, so anything else is refused as "not a valid string"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextField(_StrictString, serializers.CharField):
    """An input string: a string in JSON, as the schema says."""


class TextRegexField(_StrictString, serializers.RegexField):
    """An input string matching a pattern: a string in JSON, as the schema says."""


class Reused:
    """One instance of a serializer per thread, its fields built once, for a hot endpoint.

    DRF builds a serializer's fields afresh for every instance (a ModelSerializer from its
    model: about 1.5 ms for an order with its lines and its event), on every request. A
    serializer's fields keep nothing of one call for the next, but its context — so the
    instance is this thread's, and the context is set for the call only.

    ``represent(obj, context)`` is ``Serializer(obj, context=context).data``;
    ``validate(data, context)`` is ``is_valid(raise_exception=True)`` then
    ``validated_data``: the same refusal (a 400 naming each field) for the same input."""

    def __init__(self, serializer_class):
        self.serializer_class = serializer_class
        self._local = threading.local()

    def _instance(self, context):
        serializer = getattr(self._local, "serializer", None)
        if serializer is None:
            serializer = self._local.serializer = self.serializer_class()
        serializer._context = context or {}
        return serializer

    def represent(self, obj, context=None) -> dict:
        serializer = self._instance(context)
        try:
            return serializer.to_representation(obj)
        finally:
            serializer._context = {}

    def validate(self, data, context=None) -> dict:
        serializer = self._instance(context)
        try:
            return serializer.run_validation(data)
        except serializers.ValidationError as exc:  # as `is_valid` words it (per field)
            raise serializers.ValidationError(serializers.as_serializer_error(exc)) from None
        finally:
            serializer._context = {}
