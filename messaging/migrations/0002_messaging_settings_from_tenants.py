"""Every tenant's message expiry, copied from its row into its messaging settings row."""

from django.db import migrations


def copy_to_settings(apps, schema_editor):
    Tenant = apps.get_model("portal", "Tenant")
    MessagingSettings = apps.get_model("messaging", "MessagingSettings")
    for tenant in Tenant.objects.all():
        MessagingSettings.objects.update_or_create(
            tenant=tenant, defaults={"message_expiry_days": tenant.message_expiry_days}
        )


def copy_back(apps, schema_editor):
    Tenant = apps.get_model("portal", "Tenant")
    MessagingSettings = apps.get_model("messaging", "MessagingSettings")
    for row in MessagingSettings.objects.all():
        Tenant.objects.filter(pk=row.tenant_id).update(message_expiry_days=row.message_expiry_days)


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0001_messaging_settings"),
        ("portal", "0007_tenant_modules_from_flags"),
    ]

    operations = [
        migrations.RunPython(copy_to_settings, copy_back),
    ]
