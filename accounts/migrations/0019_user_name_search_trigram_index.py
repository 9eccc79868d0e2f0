"""On PostgreSQL, a trigram index on the folded name, so the help desk's search for a word anywhere in
a name ("tremblay") reads the index instead of every person of the tenant. It needs the pg_trgm
extension (shipped with PostgreSQL; creating it needs a role that may create extensions). SQLite has
neither and needs neither: its databases are small, and the search works the same without the index.
The index is not declared on the model because the model's indexes must build on both databases."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS user_search_name_trgm ON accounts_user USING gin (search_name gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS user_search_name_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("accounts", "0018_user_found_by_address")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
