"""The API's JSON parser: DRF's, with a nesting limit and no NUL characters.

A body nested a thousand levels deep (4 KB is enough) makes Python's JSON decoder, or the
code that walks the result afterwards, raise RecursionError: a 500 for anyone, signed in or
not. PostgreSQL cannot store or compare text that contains NUL. Both are a 400 here, before
a serializer or a query sees the data.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

# Our payloads are a few levels deep (an order: object → lines → line); this leaves room.
MAX_JSON_DEPTH = 32

NUL_MESSAGE = _("The request contains a NUL character, which is not allowed.")


def json_too_deep_message(max_depth: int) -> str:
    return _("The JSON body is nested too deeply (at most %(depth)d levels).") % {
        "depth": max_depth
    }


def check_json_value(data, *, max_depth: int = MAX_JSON_DEPTH) -> None:
    """Raise ParseError when `data` nests deeper than `max_depth` containers or holds a
    string (value or key) with a NUL character. Iterative, so any depth is safe to walk."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            if depth > max_depth:
                raise ParseError(json_too_deep_message(max_depth))
            for key, item in value.items():
                if "\x00" in key:
                    raise ParseError(NUL_MESSAGE)
                stack.append((item, depth + 1))
        elif isinstance(value, list):
            if depth > max_depth:
                raise ParseError(json_too_deep_message(max_depth))
            stack.extend((item, depth + 1) for item in value)
        elif isinstance(value, str) and "\x00" in value:
            raise ParseError(NUL_MESSAGE)


class JSONParser(parsers.JSONParser):
    max_depth = MAX_JSON_DEPTH

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # The C decoder gives up past the interpreter's recursion limit and unwinds
            # cleanly; the client sent too deep a document.
            raise ParseError(json_too_deep_message(self.max_depth)) from None
        check_json_value(data, max_depth=self.max_depth)
        return data
