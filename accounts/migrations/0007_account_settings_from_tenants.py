"""Every tenant's account and self-service policies, copied from its row into its settings rows."""

from django.db import migrations

ACCOUNT_FIELDS = [
    "sign_in_with",
    "identifier_hint_fr",
    "identifier_hint_en",
    "notice_fr",
    "notice_en",
    "allow_password_reset",
    "allow_lost_identifier",
    "allow_member_activation",
    "allow_email_registration",
    "password_min_length",
    "password_history_count",
    "lockout_threshold",
    "lockout_minutes",
    "session_idle_minutes",
    "session_max_hours",
    "device_policy",
]
SELFSERVICE_FIELDS = ["security_question_count", "helpdesk_question_count", "recovery_proof_alone"]


def copy_to_settings(apps, schema_editor):
    Tenant = apps.get_model("portal", "Tenant")
    for model_name, fields in (
        ("AccountSettings", ACCOUNT_FIELDS),
        ("SelfServiceSettings", SELFSERVICE_FIELDS),
    ):
        Settings = apps.get_model("accounts", model_name)
        for tenant in Tenant.objects.all():
            Settings.objects.update_or_create(
                tenant=tenant, defaults={field: getattr(tenant, field) for field in fields}
            )


def copy_back(apps, schema_editor):
    Tenant = apps.get_model("portal", "Tenant")
    for model_name, fields in (
        ("AccountSettings", ACCOUNT_FIELDS),
        ("SelfServiceSettings", SELFSERVICE_FIELDS),
    ):
        Settings = apps.get_model("accounts", model_name)
        for row in Settings.objects.all():
            Tenant.objects.filter(pk=row.tenant_id).update(**{field: getattr(row, field) for field in fields})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_account_and_selfservice_settings"),
        ("portal", "0007_tenant_modules_from_flags"),
    ]

    operations = [
        migrations.RunPython(copy_to_settings, copy_back),
    ]
