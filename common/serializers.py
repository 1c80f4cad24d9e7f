"""Serializers every API shares: the bodies of its error answers (common.api's exception
handler, common.views._error, common.login_lockout), as the schema (common.schema) lists
them."""

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
