"""On PostgreSQL, trigram indexes on who acted and on what (upper-cased, as Django's case-insensitive
search compares them), so the help desk's search of the audit log for a word reads the indexes
instead of every entry of the tenant. pg_trgm is created by the accounts migration that indexes the
people's names; it is created here too, for a database that migrates portal first. SQLite needs
neither: the search works the same without the indexes. Not declared on the model, whose indexes
must build on both databases."""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS audit_actor_label_trgm ON portal_auditentry"
    " USING gin (UPPER(actor_label) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS audit_target_label_trgm ON portal_auditentry"
    " USING gin (UPPER(target_label) gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS audit_actor_label_trgm", "DROP INDEX IF EXISTS audit_target_label_trgm"]


def run(statements):
    def apply(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("portal", "0010_help_desk_lists_newest_first_indexes")]

    operations = [migrations.RunPython(run(CREATE), run(DROP))]
