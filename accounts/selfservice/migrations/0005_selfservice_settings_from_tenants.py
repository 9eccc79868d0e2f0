"""Every tenant's self-service policies, copied from its row into its self-service settings row."""

from django.db import migrations

FIELDS = ["security_question_count", "helpdesk_question_count", "recovery_proof_alone"]


def copy_to_settings(apps, schema_editor):
    Tenant = apps.get_model("portal", "Tenant")
    SelfServiceSettings = apps.get_model("selfservice", "SelfServiceSettings")
    for tenant in Tenant.objects.all():
        SelfServiceSettings.objects.update_or_create(
            tenant=tenant, defaults={field: getattr(tenant, field) for field in FIELDS}
        )


def copy_back(apps, schema_editor):
    Tenant = apps.get_model("portal", "Tenant")
    SelfServiceSettings = apps.get_model("selfservice", "SelfServiceSettings")
    for row in SelfServiceSettings.objects.all():
        Tenant.objects.filter(pk=row.tenant_id).update(**{field: getattr(row, field) for field in FIELDS})


class Migration(migrations.Migration):
    dependencies = [
        ("selfservice", "0004_selfservice_settings"),
        ("portal", "0007_tenant_modules_from_flags"),
    ]

    operations = [
        migrations.RunPython(copy_to_settings, copy_back),
    ]
