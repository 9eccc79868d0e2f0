"""Private numbers hashed before keys were applied are sealed with the data key (accounts.crypto
wrap_hash): a copied table no longer gives a hash to crack. Each is rewritten as a keyed hash the next
time the number is typed right."""

from django.db import migrations

# The sealing must be the one accounts.crypto opens: the function is imported, not copied.
from accounts.crypto import WRAPPED_PREFIX, decrypt, wrap_hash


def seal(apps, schema_editor):
    IdentityRecord = apps.get_model("accounts", "IdentityRecord")
    for record in IdentityRecord.objects.exclude(private_number="").only("pk", "private_number"):
        sealed = wrap_hash(record.private_number)
        if sealed != record.private_number:
            IdentityRecord.objects.filter(pk=record.pk).update(private_number=sealed)


def unseal(apps, schema_editor):
    IdentityRecord = apps.get_model("accounts", "IdentityRecord")
    for record in IdentityRecord.objects.filter(private_number__startswith=WRAPPED_PREFIX):
        plain = decrypt(record.private_number[len(WRAPPED_PREFIX) :])
        IdentityRecord.objects.filter(pk=record.pk).update(private_number=plain)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0012_private_number_holds_a_keyed_hash")]

    operations = [migrations.RunPython(seal, unseal)]
