"""Data: what named the moved models by their old app now names them by the new one. The content
types (and so the permissions granted on them) are renamed in place, and the audit entries about
these rows ("accounts.securityanswer", ...) take the new label, so an object's audit history still
finds them."""

from django.db import migrations

MODELS = ["securityquestion", "securityanswer", "recoveryidentity", "accountlink"]


def relabel(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    AuditEntry = apps.get_model("portal", "AuditEntry")
    for model in MODELS:
        if not ContentType.objects.filter(app_label=new, model=model).exists():
            ContentType.objects.filter(app_label=old, model=model).update(app_label=new)
        # A migration is the one place the append-only log is rewritten: the rows are the same rows.
        AuditEntry.objects.filter(target_type=f"{old}.{model}").update(target_type=f"{new}.{model}")


def forwards(apps, schema_editor):
    relabel(apps, "accounts", "selfservice")


def backwards(apps, schema_editor):
    relabel(apps, "selfservice", "accounts")


class Migration(migrations.Migration):
    dependencies = [
        ("selfservice", "0002_self_service_tables_renamed"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0005_self_service"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
