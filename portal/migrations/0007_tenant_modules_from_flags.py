"""Each tenant's four module switches become the list of its modules' keys."""

from django.db import migrations

# The switch of each module as it was stored, and the key the module declares today.
FLAGS = {
    "module_accounts": "selfservice",
    "module_messaging": "messaging",
    "module_vault": "vault",
    "module_voting": "voting",
}


def flags_to_keys(apps, schema_editor):
    Tenant = apps.get_model("portal", "Tenant")
    for tenant in Tenant.objects.all():
        tenant.modules = [key for flag, key in FLAGS.items() if getattr(tenant, flag)]
        tenant.save(update_fields=["modules"])


def keys_to_flags(apps, schema_editor):
    Tenant = apps.get_model("portal", "Tenant")
    for tenant in Tenant.objects.all():
        for flag, key in FLAGS.items():
            setattr(tenant, flag, key in (tenant.modules or ()))
        tenant.save(update_fields=list(FLAGS))


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0006_tenant_modules"),
    ]

    operations = [
        migrations.RunPython(flags_to_keys, keys_to_flags),
    ]
