"""Platform configuration: every deadline, amount and threshold of the handbook.

Each app declares its keys with `define()` in its `conf.py` (imported by AppConfig.ready);
`get(key)` returns the reviewer's override from PlatformSetting or the declared default.
Values are typed by the default: Decimal amounts are stored as strings."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.core.cache import cache

_CACHE_KEY = "platform-setting:{}"
_REGISTRY: dict[str, "Definition"] = {}


@dataclass(frozen=True)
class Definition:
    key: str
    default: object
    label: str
    unit: str = ""


def define(key: str, default, label, unit: str = "") -> None:
    _REGISTRY[key] = Definition(key, default, label, unit)


def definitions() -> dict[str, Definition]:
    return dict(_REGISTRY)


def _coerce(definition: Definition, raw):
    default = definition.default
    if isinstance(default, bool):
        return bool(raw)
    if isinstance(default, Decimal):
        return Decimal(str(raw))
    if isinstance(default, int):
        return int(raw)
    return raw


def validate(key: str, raw):
    """The value a reviewer typed, coerced to the declared type; refuses what would break
    every reader of the key (text where a number belongs, negative durations/amounts)."""
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    definition = _REGISTRY.get(key)
    if definition is None:
        raise ValidationError(_("Unknown setting."), code="unknown_key")
    default = definition.default
    try:
        if isinstance(default, bool):
            if raw not in (True, False):
                raise ValueError
            return raw
        if isinstance(default, Decimal):
            value = Decimal(str(raw))
            if not value.is_finite():
                raise ValueError
        elif isinstance(default, int):
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            value = int(str(raw))
        else:
            return raw
    except (ValueError, ArithmeticError, TypeError):
        raise ValidationError(
            _("Enter a value of the same kind as the default (%(default)s).")
            % {"default": _to_json(default)},
            code="invalid_type",
        )
    if value < 0:
        raise ValidationError(_("The value cannot be negative."), code="negative")
    return value


def get(key: str):
    definition = _REGISTRY[key]
    cached = cache.get(_CACHE_KEY.format(key))
    if cached is not None:
        return _coerce(definition, cached["v"])
    from common.models import PlatformSetting

    row = PlatformSetting.objects.filter(key=key).first()
    raw = row.value if row else _to_json(definition.default)
    cache.set(_CACHE_KEY.format(key), {"v": raw}, 300)
    return _coerce(definition, raw)


def get_many(*keys: str) -> dict:
    """`get` for several keys, the cache asked once (a hot path reads several)."""
    found = cache.get_many([_CACHE_KEY.format(key) for key in keys])
    values = {}
    for key in keys:
        cached = found.get(_CACHE_KEY.format(key))
        values[key] = (_coerce(_REGISTRY[key], cached["v"]) if cached is not None
                       else get(key))
    return values


def get_hours(key: str) -> timedelta:
    return timedelta(hours=get(key))


def set_value(key: str, value, note: str = "") -> None:
    """Used by the admin and by tests to override a default."""
    from common.models import PlatformSetting

    if key not in _REGISTRY:
        raise KeyError(key)
    PlatformSetting.objects.update_or_create(
        key=key, defaults={"value": _to_json(value), "note": note}
    )
    cache.delete(_CACHE_KEY.format(key))


def forget_cached(key: str) -> None:
    cache.delete(_CACHE_KEY.format(key))


def _to_json(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def ensure_defaults() -> int:
    """Create a row for every declared key that has none, so reviewers see and edit every
    value in the admin. Existing rows are left alone. Idempotent."""
    from common.models import PlatformSetting

    existing = set(PlatformSetting.objects.values_list("key", flat=True))
    missing = [
        PlatformSetting(key=d.key, value=_to_json(d.default), note="default")
        for d in _REGISTRY.values()
        if d.key not in existing
    ]
    PlatformSetting.objects.bulk_create(missing)
    return len(missing)
