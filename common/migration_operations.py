"""Migration operations shared by the apps."""

from django.db.migrations.operations import AddIndex


class AddIndexConcurrently(AddIndex):
    """`AddIndex` that builds the index with `CREATE INDEX CONCURRENTLY` on PostgreSQL, so
    that a large table (orders) keeps taking writes while it is built; a plain `AddIndex`
    elsewhere (SQLite). The migration using it must be `atomic = False`."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
