"""Reasons the system writes, stored as codes with parameters and rendered in the
reader's language when read.

Each app keeps a catalogue in its `reasons.py`::

    from django.utils.translation import gettext_lazy as _
    from common.reasons import Catalogue

    R = Catalogue("shop", {
        "unpaid_timeout": _("Not paid within %(hours)s hours"),
    })

and writes ``reason=R("unpaid_timeout", hours=24)``. The event row stores
``reason_code="shop.unpaid_timeout"`` and ``reason_params={"hours": 24}``; ``reason``
keeps only what a person typed (a reviewer's or a merchant's own words), which is shown
as written. `EventBase.reason_display` joins the two.

A parameter may itself be a `Reason` or a `Label` (a choice of a model field), so a
message can name a status or a cause in the reader's language too."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.apps import apps as django_apps
from django.utils.functional import Promise
from django.utils.translation import override

_CATALOGUE: dict[str, Promise | str] = {}


class Reason:
    """A catalogue code and its parameters; `str()` renders it in the active language."""

    __slots__ = ("code", "params", "text")

    def __init__(self, code: str, params: Mapping[str, Any] | None = None, text: str = ""):
        if code not in _CATALOGUE:
            raise KeyError(f"unknown reason code {code!r}")
        self.code = code
        self.params = dict(params or {})
        self.text = str(text or "")

    def __str__(self) -> str:
        return display(self.code, self.params, self.text)

    def __repr__(self) -> str:
        return f"Reason({self.code!r}, {self.params!r}, {self.text!r})"

    def __eq__(self, other) -> bool:
        return (isinstance(other, Reason) and other.code == self.code
                and other.params == self.params and other.text == self.text)

    def noting(self, text: str) -> Reason:
        """The same reason followed by what a person typed (kept as written)."""
        return Reason(self.code, self.params, text)

    def __hash__(self):
        return hash(self.code)

    def as_param(self) -> dict:
        return {"$reason": self.code, "params": _jsonable(self.params)}


class Label:
    """A parameter naming a choice of a model field (``shop.Order.status``, ``"paid"``),
    rendered with the field's label in the reader's language."""

    __slots__ = ("field", "value")

    def __init__(self, field: str, value: str):
        self.field = field
        self.value = value

    def __str__(self) -> str:
        return _label(self.field, self.value)

    def as_param(self) -> dict:
        return {"$label": self.field, "value": self.value}


class Catalogue:
    """An app's reasons. ``R("code", **params)`` makes a `Reason`; codes are prefixed with
    the app label, so two apps can use the same short code."""

    def __init__(self, prefix: str, messages: Mapping[str, Promise | str]):
        self.prefix = prefix
        self.messages = dict(messages)
        for code, message in self.messages.items():
            full = f"{prefix}.{code}"
            known = _CATALOGUE.get(full)
            if known is not None and known is not message:
                raise ValueError(f"reason code {full!r} is registered twice")
            _CATALOGUE[full] = message

    def __call__(self, code: str, **params) -> Reason:
        return Reason(f"{self.prefix}.{code}", params)

    def codes(self) -> list[str]:
        return [f"{self.prefix}.{code}" for code in self.messages]


def catalogue() -> dict[str, Promise | str]:
    """Every registered code and its message (read-only use)."""
    return dict(_CATALOGUE)


def render(code: str, params: Mapping[str, Any] | None = None) -> str:
    message = _CATALOGUE.get(code)
    if message is None:
        return code
    return format_message(message, params)


def format_message(message: Promise | str, params: Mapping[str, Any] | None = None) -> str:
    """`message` in the active language with stored `params` (as `jsonable_params` wrote
    them) filled in; a message that does not take them is shown as it is."""
    text = str(message)
    if not params:
        return text
    values = {name: _param_text(value) for name, value in params.items()}
    try:
        return text % values
    except (KeyError, TypeError, ValueError):
        return text


def reason_fields(reason: Reason | str | None) -> dict:
    """The model fields an event row stores for `reason`: a `Reason` goes to
    ``reason_code``/``reason_params``; text (a person's own words) stays in ``reason``."""
    if isinstance(reason, Reason):
        return {"reason": reason.text, "reason_code": reason.code,
                "reason_params": _jsonable(reason.params)}
    return {"reason": str(reason or ""), "reason_code": "", "reason_params": {}}


def clean(reason: Reason | str | None) -> Reason | str:
    """A `Reason` as it is; typed text stripped (empty when there is none)."""
    if isinstance(reason, Reason):
        return reason
    return str(reason or "").strip()


def display(code: str, params: Mapping | None, text: str) -> str:
    """What a reader sees: the rendered code, then the person's words."""
    parts = [render(code, params)] if code else []
    if text:
        parts.append(text)
    return " — ".join(parts)


def jsonable_params(params: Mapping[str, Any] | None) -> dict:
    """`params` as stored: a `Reason` or `Label` keeps its code, to be rendered when read."""
    return _jsonable(params or {})


def _jsonable(params: Mapping[str, Any]) -> dict:
    out = {}
    for name, value in params.items():
        if isinstance(value, (Reason, Label)):
            out[name] = value.as_param()
        elif isinstance(value, Promise):
            raise TypeError(
                f"reason parameter {name!r} is translated text; pass a Label or a Reason")
        elif isinstance(value, (str, int, float, bool)) or value is None:
            out[name] = value
        else:
            out[name] = str(value)
    return out


def _param_text(value) -> str:
    if isinstance(value, dict):
        if "$reason" in value:
            return render(value["$reason"], value.get("params"))
        if "$label" in value:
            return _label(value["$label"], value.get("value", ""))
    return "" if value is None else str(value)


def _label(field: str, value: str) -> str:
    try:
        app_label, model_name, field_name = field.split(".")
        model = django_apps.get_model(app_label, model_name)
        choices = dict(model._meta.get_field(field_name).flatchoices)
    except (ValueError, LookupError):
        return str(value)
    return str(choices.get(value, value))


# Reading old rows: text written before reasons were codes is matched back to its code.

def _pattern(message: str) -> re.Pattern:
    parts = re.split(r"(%\([a-z_0-9]+\)[sd]|%%)", message)
    out = []
    for part in parts:
        match = re.fullmatch(r"%\(([a-z_0-9]+)\)[sd]", part)
        if match:
            out.append(f"(?P<{match.group(1)}>.+?)")
        elif part == "%%":
            out.append("%")
        else:
            out.append(re.escape(part))
    return re.compile("^" + "".join(out) + "$", re.DOTALL)


def _matchers(languages) -> tuple[dict, list]:
    exact: dict[str, str] = {}
    patterns = []
    for language in languages:
        with override(language):
            for code, message in _CATALOGUE.items():
                rendered = str(message)
                if "%(" not in rendered:
                    exact.setdefault(rendered, code)
                    continue
                fixed = len(re.sub(r"%\([a-z_0-9]+\)[sd]", "", rendered))
                patterns.append((fixed, code, _pattern(rendered)))
    patterns.sort(key=lambda p: -p[0])
    return exact, patterns


def match_text(text: str, languages=("zh-hans", "en"), *, matchers=None
               ) -> tuple[str, dict] | None:
    """The code (and parameters, as text) whose message, in one of `languages`, is `text`.
    Used by data migrations that turn stored reason text into codes. A message without
    parameters that is the text wins; otherwise the message with the most fixed text
    around its parameters (so "Courier: %(event)s" does not take a longer message that
    happens to start with "Courier: ")."""
    text = (text or "").strip()
    if not text:
        return None
    exact, patterns = matchers or _matchers(languages)
    if text in exact:
        return exact[text], {}
    for _fixed, code, pattern in patterns:
        found = pattern.match(text)
        if found:
            return code, found.groupdict()
    return None


def backfill(model, batch: int = 1000) -> int:
    """Turn the free-text reasons of `model`'s rows (an EventBase model, historical or
    not) into codes where the text is a catalogue message. Returns the rows changed."""
    changed = 0
    matchers = _matchers(("zh-hans", "en"))
    rows = model.objects.filter(reason_code="").exclude(reason="").only("pk", "reason")
    pending = []
    for row in rows.iterator(chunk_size=batch):
        found = match_text(row.reason, matchers=matchers)
        if found is None:
            continue
        row.reason_code, row.reason_params, row.reason = found[0], found[1], ""
        pending.append(row)
        if len(pending) >= batch:
            model.objects.bulk_update(pending, ["reason_code", "reason_params", "reason"])
            changed += len(pending)
            pending = []
    if pending:
        model.objects.bulk_update(pending, ["reason_code", "reason_params", "reason"])
        changed += len(pending)
    return changed
