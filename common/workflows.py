"""The shape every workflow's one transition writer shares.

An app keeps its transition table in `rules` (``{from_status: {to_status, …}}``) and its
writer in `services` (``<entity>_transition``), which locks the row, then calls
`transition_apply`: the move is checked against the table, the status and the fields of
the new state (clocks, who decided, when) are saved with ``update_fields``, and one event
row says who (``None``: the system), when and why. Batch variants for sweeps apply the same
table with one bulk update and bulk-created events."""

from collections.abc import Iterable, Mapping
from datetime import datetime

from django.db import connection
from django.utils.translation import gettext as _

from common.errors import ApplicationError
from common.reasons import Reason, reason_fields

Table = Mapping[str, Iterable[str]]


def can_move(table: Table, old: str, new: str) -> bool:
    return new in table.get(old, ())


def transition_apply(obj, *, table: Table, to: str, actor, reason: Reason | str = "",
                     now: datetime, event_model=None, event_fk: str = "",
                     fields: dict | None = None, data: dict | None = None,
                     status_field: str = "status"):
    """Move a locked row to `to` (inside the caller's transaction). Returns the event row
    (or None when the model keeps no events)."""
    assert connection.in_atomic_block, "a transition must run inside transaction.atomic"
    old = getattr(obj, status_field)
    if not can_move(table, old, to):
        raise ApplicationError(
            _("This cannot be done now: it is %(status)s.") % {
                "status": _label(obj, status_field, old)},
            code="bad_state")
    setattr(obj, status_field, to)
    update = [status_field]
    for name, value in (fields or {}).items():
        setattr(obj, name, value)
        update.append(name)
    if any(f.name == "updated_at" for f in obj._meta.concrete_fields):
        update.append("updated_at")
    obj.save(update_fields=update)
    if event_model is None:
        return None
    return event_model.objects.create(**{event_fk: obj}, from_status=old, to_status=to,
                                      actor=actor, at=now, data=data or {},
                                      **reason_fields(reason))


def _label(obj, field: str, value: str) -> str:
    choices = dict(obj._meta.get_field(field).choices or ())
    return str(choices.get(value, value))
