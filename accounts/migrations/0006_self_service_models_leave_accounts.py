"""The self-service models move to their own app (label "selfservice"). Their tables and rows stay
where they are: this removes them from the accounts app's state only; accounts.selfservice's first
migration takes them over, and its next one renames the tables."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0005_self_service"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SecurityAnswer"),
                migrations.DeleteModel(name="AccountLink"),
                migrations.DeleteModel(name="RecoveryIdentity"),
                migrations.DeleteModel(name="SecurityQuestion"),
            ],
            database_operations=[],
        ),
    ]
