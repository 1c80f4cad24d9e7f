"""The statements of the hot paths (placing an order), built once instead of per call.

Building a statement through the ORM (resolving lookups and joins, compiling, adapting
the values) costs more CPU than PostgreSQL takes to run a short indexed one: placing an
order spent most of its time there. Two helpers keep the ORM as the single description of
each statement and skip the building on the hot path, on PostgreSQL:

- `PreparedQuery` compiles a queryset once, with stand-in values for the parameters that
  change from call to call, and runs the same SQL text with each call's values. It returns
  what iterating the queryset returns (model instances, with `select_related` objects and
  annotations, or `values_list` tuples).
- `insert` writes new model instances with an INSERT whose text is built once per model,
  field list and row count, setting their primary keys as `bulk_create` does.

Elsewhere (SQLite, where values are adapted in Python before they reach the database) both
fall back to the ORM itself, so every database runs the same description."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, models, transaction
from django.db.backends.utils import CursorDebugWrapper
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators


class _LoggedAsWritten(CursorDebugWrapper):
    """Django's query log (tests, the debug toolbar) takes a statement's text from the
    cursor, which holds none for the execution of a statement psycopg has prepared: log it
    as it was written (with its placeholders) instead."""

    def debug_sql(self, sql=None, params=None, use_last_executed_query=False, many=False):
        return super().debug_sql(sql, params, use_last_executed_query=False, many=many)


def _cursor(db):
    """A cursor that binds its parameters on the server (psycopg's `Cursor`), so that
    psycopg prepares a statement run often (``prepare_threshold``, DB_PREPARE_THRESHOLD)
    and PostgreSQL plans it once per connection instead of on every call. Django's own
    cursors bind on the client and never prepare. One such cursor is kept per connection
    and reused: returns (cursor, kept) — the kept one is psycopg's own (`_run` wraps it
    like a Django cursor where something watches the queries); while queries are logged,
    a new Django-wrapped one. (`db`: this thread's connection, looked up once by the
    caller — every attribute read through `django.db.connection` is a thread-local
    lookup.)"""
    if db.vendor != "postgresql":
        return db.cursor(), False
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    logged = db.queries_logged
    kept = db.__dict__.get("_prepared_cursor")
    if kept is not None and kept[0] is db.connection and not logged:
        return kept[1], True
    import psycopg
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    with db.wrap_database_errors:
        raw = psycopg.Cursor(db.connection)
        tz = raw.adapters.get_loader(psycopg.adapters.types["timestamptz"].oid, Format.TEXT)
        if db.timezone != tz.timezone:
            register_tzloader(db.timezone, raw)
    if logged:
        return _LoggedAsWritten(raw, db), False
    db.__dict__["_prepared_cursor"] = (db.connection, raw)
    return raw, True


def _run(db, sql: str, params, *, fetch: bool):
    """Execute on `_cursor`: (rows fetched or None, row count). With nothing watching the
    queries (no `execute_wrapper`, no query log), straight on psycopg's cursor, with what
    Django's cursor wrapper would check and do (no statement on a broken transaction,
    database errors as Django's)."""
    cursor, kept = _cursor(db)
    if kept and not db.execute_wrappers:
        db.validate_no_broken_transaction()
        watched = db.wrap_database_errors
    else:
        if kept:  # wrapped (execute_wrapper), not closed after
            cursor = db.make_cursor(cursor)
        watched = contextlib.nullcontext()
    try:
        with watched:
            cursor.execute(sql, params)
            return (cursor.fetchall() if fetch else None), cursor.rowcount
    finally:
        if not kept:
            cursor.close()


def execute(sql: str, params) -> int:
    """Run one write of a hot path (its text built once) through `_cursor`; the row count."""
    return _run(connections[DEFAULT_DB_ALIAS], sql, params, fetch=False)[1]


# Two sets of stand-ins per kind of parameter: a queryset is compiled with each, and every
# parameter that is not a stand-in must come out the same both times (a value derived from
# a parameter, e.g. `now - 1 day`, would otherwise be frozen into the statement).
_ID_STAND_INS = (-1_000_000_007, -2_000_000_011)  # within a 32-bit AutoField
_TIME_STAND_INS = (datetime(1901, 2, 3, 4, 5, 6, 789012, tzinfo=UTC),
                   datetime(1902, 3, 4, 5, 6, 7, 890123, tzinfo=UTC))
_TEXT_STAND_INS = ("\u2063stand-in-a-", "\u2063stand-in-b-")
KINDS = ("id", "ids", "datetime", "text")


def _stand_in(kind: str, n: int, which: int):
    if kind == "id":
        return _ID_STAND_INS[which] - n
    if kind == "ids":
        return [_ID_STAND_INS[which] - n - 1000]
    if kind == "datetime":
        return _TIME_STAND_INS[which] + timedelta(minutes=n)
    if kind == "text":
        return f"{_TEXT_STAND_INS[which]}{n}"
    raise ImproperlyConfigured(f"unknown parameter kind {kind!r}; one of {KINDS}")


class _Compiled:
    __slots__ = ("converters", "iterable", "model", "annotations", "init_list", "fields",
                 "populators", "slots", "sql")


class PreparedQuery:
    """``PreparedQuery(build, store="id", skus="ids", now="datetime")``: ``build(**values)``
    returns the queryset; ``run(**values)`` returns ``list(build(**values))``. Each keyword
    names a parameter and its kind: "id" (an integer), "ids" (a list of integers, used with
    the `any_of` lookup so that the statement is the same for any number of them),
    "datetime" or "text" (a string compared as it is: not in a LIKE pattern)."""

    def __init__(self, build: Callable[..., models.QuerySet], **kinds: str):
        self.build = build
        self.kinds = kinds
        self._compiled: dict[str, _Compiled] = {}
        self._lock = threading.Lock()

    def run(self, **values) -> list:
        db = connections[DEFAULT_DB_ALIAS]
        if db.vendor != "postgresql":
            return list(self.build(**values))
        compiled = self._compiled.get(db.alias)
        if compiled is None:
            with self._lock:
                compiled = self._compiled.get(db.alias) or self._compile()
                self._compiled[db.alias] = compiled
        params = [values[slot] if named else slot for named, slot in compiled.slots]
        rows = _run(db, compiled.sql, params, fetch=True)[0]
        if compiled.converters:
            rows = [list(row) for row in rows]
            for row in rows:
                for pos, (functions, expression) in compiled.converters:
                    value = row[pos]
                    for function in functions:
                        value = function(value, expression, db)
                    row[pos] = value
        if compiled.iterable is ValuesListIterable:
            return [tuple(row) for row in rows]
        return [self._instance(compiled, db.alias, row) for row in rows]

    @staticmethod
    def _instance(compiled: _Compiled, alias: str, row) -> models.Model:
        start, end = compiled.fields
        obj = compiled.model.from_db(alias, compiled.init_list, row[start:end])
        for populator in compiled.populators:
            populator.populate(row, obj)
        for name, pos in compiled.annotations:
            setattr(obj, name, row[pos])
        return obj

    def _sql(self, which: int):
        stand_ins = {name: _stand_in(kind, n, which)
                     for n, (name, kind) in enumerate(self.kinds.items())}
        qs = self.build(**stand_ins)
        compiler = qs.query.get_compiler(using=connection.alias)
        sql, params = compiler.as_sql()
        slots = []
        for param in params:
            name = next((name for name, value in stand_ins.items()
                         if type(param) is type(value) and param == value), None)
            slots.append((True, name) if name is not None else (False, param))
        return qs, compiler, sql, slots

    def _compile(self) -> _Compiled:
        qs, compiler, sql, slots = self._sql(0)
        _qs, _compiler, sql_2, slots_2 = self._sql(1)
        if sql != sql_2 or slots != slots_2 or {n for named, n in slots if named} != set(
                self.kinds):
            raise ImproperlyConfigured(
                f"{self.build.__qualname__}: every parameter must reach the statement as it is "
                f"given, once or more (not derived from, not left out)")
        compiled = _Compiled()
        compiled.sql, compiled.slots = sql, slots
        compiled.iterable = qs._iterable_class
        if compiled.iterable is ValuesListIterable:
            query = qs.query
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
            fields = [*(qs._fields or names),
                      *(f for f in query.annotation_select if f not in (qs._fields or ()))]
            if fields != names:
                raise ImproperlyConfigured(
                    f"{self.build.__qualname__}: name the values_list columns in the order "
                    f"of the statement (model fields, then annotations)")
        elif compiled.iterable is not ModelIterable or qs.query.combinator:
            raise ImproperlyConfigured(
                f"{self.build.__qualname__}: a queryset of instances (without union) or "
                f"of values_list tuples")
        select = compiler.select[:compiler.col_count]
        converters = compiler.get_converters([column for column, _sql, _alias in select])
        compiled.converters = sorted(converters.items())
        if compiled.iterable is ModelIterable:
            info = compiler.klass_info
            compiled.model = info["model"]
            start, end = info["select_fields"][0], info["select_fields"][-1] + 1
            compiled.fields = (start, end)
            compiled.init_list = [column[0].target.attname for column in select[start:end]]
            compiled.populators = get_related_populators(info, compiler.select,
                                                         connection.alias)
            compiled.annotations = list(compiler.annotation_col_map.items())
        return compiled


def prepared_query(**kinds: str):
    """Decorator form: ``@prepared_query(skus="ids")`` on a function that builds the
    queryset turns it into a `PreparedQuery`."""
    def wrap(build):
        return PreparedQuery(build, **kinds)
    return wrap


# --- inserts ----------------------------------------------------------------------------
_insert_sql: dict[tuple, str] = {}


def insert(objs: Sequence[models.Model], *, unless_taken: bool = False) -> int:
    """INSERT new instances of one model (no multi-table inheritance) in one statement and
    set their primary keys, like ``bulk_create`` without its per-call SQL building. Values
    go through each field's ``pre_save`` (``auto_now``, defaults already set at
    construction) and ``get_db_prep_save``, as ``save()`` does. No signals are sent
    (as with ``bulk_create``). Returns how many rows were written.

    ``unless_taken`` (one instance): a value another row holds under a unique constraint
    (a random order number drawn twice) writes nothing and returns 0, the transaction
    intact, so that the caller draws again — ``ON CONFLICT DO NOTHING``, no savepoint."""
    if not objs:
        return 0
    if unless_taken and len(objs) != 1:
        raise ImproperlyConfigured("unless_taken inserts one instance")
    model = type(objs[0])
    db = connections[DEFAULT_DB_ALIAS]
    if db.vendor != "postgresql":
        if unless_taken:
            try:
                with transaction.atomic():
                    model.objects.bulk_create(objs)
            except IntegrityError:
                return 0
        else:
            model.objects.bulk_create(objs)
        if not all(obj.pk for obj in objs):
            raise ImproperlyConfigured("this database returns no keys from bulk_create")
        return len(objs)
    meta = model._meta
    fields = [f for f in meta.concrete_fields
              if not (f.primary_key and getattr(objs[0], f.attname) is None)]
    key = (db.alias, model, tuple(f.attname for f in fields), len(objs), unless_taken)
    sql = _insert_sql.get(key)
    if sql is None:
        quote = db.ops.quote_name
        row = f"({', '.join(['%s'] * len(fields))})"
        columns = ", ".join(quote(f.column) for f in fields)
        sql = _insert_sql[key] = (
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608 - quoted names
            f"VALUES {', '.join([row] * len(objs))}"
            f"{' ON CONFLICT DO NOTHING' if unless_taken else ''} "
            f"RETURNING {quote(meta.pk.column)}")
    params = []
    for obj in objs:
        for field in fields:
            value = field.pre_save(obj, True)
            if hasattr(value, "resolve_expression"):
                raise ImproperlyConfigured(f"{field}: an expression cannot be inserted here")
            params.append(field.get_db_prep_save(value, db))
    keys = _run(db, sql, params, fetch=True)[0]
    if unless_taken and not keys:
        return 0
    for obj, (pk,) in zip(objs, keys, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = db.alias
    return len(keys)
