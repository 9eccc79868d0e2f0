"""PINs hashed before keys were applied are sealed with the data key (accounts.crypto wrap_hash): a
copied table no longer gives a hash to crack. Each is rewritten as a keyed hash the next time the PIN
is typed right."""

from django.db import migrations

# The sealing must be the one accounts.crypto opens: the function is imported, not copied.
from accounts.crypto import WRAPPED_PREFIX, decrypt, wrap_hash


def seal(apps, schema_editor):
    RecoveryIdentity = apps.get_model("selfservice", "RecoveryIdentity")
    for identity in RecoveryIdentity.objects.exclude(pin="").only("pk", "pin"):
        sealed = wrap_hash(identity.pin)
        if sealed != identity.pin:
            RecoveryIdentity.objects.filter(pk=identity.pk).update(pin=sealed)


def unseal(apps, schema_editor):
    RecoveryIdentity = apps.get_model("selfservice", "RecoveryIdentity")
    for identity in RecoveryIdentity.objects.filter(pin__startswith=WRAPPED_PREFIX):
        plain = decrypt(identity.pin[len(WRAPPED_PREFIX) :])
        RecoveryIdentity.objects.filter(pk=identity.pk).update(pin=plain)


class Migration(migrations.Migration):
    dependencies = [("selfservice", "0006_pin_holds_a_keyed_hash")]

    operations = [migrations.RunPython(seal, unseal)]
