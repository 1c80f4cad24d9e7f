"""Set-based statements for batches of ids (the sweeps move 500 rows a statement).

On PostgreSQL a batch of ids travels as one array parameter — ``id = ANY(%s)`` and
``unnest(%s)`` — instead of one placeholder per id: psycopg adapts one list rather than
500 values per statement, and the statement text is the same for every batch. Elsewhere
(SQLite) the same calls fall back to ``IN (…)`` and ``bulk_create``."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import connection, models
from django.db.models.lookups import In, Lookup


@models.ForeignObject.register_lookup
@models.Field.register_lookup
class AnyOf(Lookup):
    """``field__any_of=[…]``: ``field = ANY(%s)`` with one array parameter on PostgreSQL,
    ``field IN (…)`` elsewhere. The values must already be of the field's type (ids)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return list(self.rhs)

    def as_sql(self, compiler, connection):
        return In(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        array_type = self.lhs.output_field.cast_db_type(connection)
        return f"{lhs} = ANY(%s::{array_type}[])", [*lhs_params, self.rhs]


def insert_per_id(model: type[models.Model], id_field: str, ids: Iterable[int],
                  **values) -> None:
    """Insert one row of `model` per id in `ids` (into the foreign key `id_field`, e.g.
    "order"), every other column the same: `values`, or the field's default. One
    ``INSERT … SELECT unnest(%s)`` on PostgreSQL; ``bulk_create`` elsewhere."""
    ids = list(ids)
    if not ids:
        return
    id_attname = model._meta.get_field(id_field).attname
    if connection.vendor != "postgresql":
        model.objects.bulk_create(model(**{id_attname: pk}, **values) for pk in ids)
        return
    given = {model._meta.get_field(name).attname: value for name, value in values.items()}
    columns, selects, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.attname not in given:
            continue
        columns.append(connection.ops.quote_name(field.column))
        db_type = field.cast_db_type(connection)
        if field.attname == id_attname:
            selects.append(f"unnest(%s::{db_type}[])")
            params.append(ids)
            continue
        value = given[field.attname] if field.attname in given else field.get_default()
        if isinstance(value, models.Model):
            value = value.pk
        selects.append(f"CAST(%s AS {db_type})")
        params.append(field.get_db_prep_save(value, connection))
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(selects)}", params)
