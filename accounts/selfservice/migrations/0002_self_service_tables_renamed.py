"""The self-service tables take their app's name (accounts_* to selfservice_*). A rename keeps every
row, and the foreign keys follow it: PostgreSQL keeps constraints by table identity, SQLite (3.26 and
later) rewrites the references of the tables that point here."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("selfservice", "0001_self_service_models_from_accounts"),
    ]

    operations = [
        migrations.AlterModelTable(name="SecurityQuestion", table=None),
        migrations.AlterModelTable(name="SecurityAnswer", table=None),
        migrations.AlterModelTable(name="RecoveryIdentity", table=None),
        migrations.AlterModelTable(name="AccountLink", table=None),
    ]
