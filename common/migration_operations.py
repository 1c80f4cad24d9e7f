"""Migration operations shared by the apps."""

from django.contrib.postgres.operations import AddIndexConcurrently as PostgresAddIndexConcurrently


class AddIndexConcurrently(PostgresAddIndexConcurrently):
    """Django's `AddIndexConcurrently` (`CREATE INDEX CONCURRENTLY`, so that a large table
    keeps taking writes while the index is built) on PostgreSQL, and a plain `AddIndex`
    elsewhere (SQLite, where the PostgreSQL operation cannot run). The migration using it
    must be `atomic = False`."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        operation = super() if schema_editor.connection.vendor == "postgresql" else super(
            PostgresAddIndexConcurrently, self)
        operation.database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        operation = super() if schema_editor.connection.vendor == "postgresql" else super(
            PostgresAddIndexConcurrently, self)
        operation.database_backwards(app_label, schema_editor, from_state, to_state)
