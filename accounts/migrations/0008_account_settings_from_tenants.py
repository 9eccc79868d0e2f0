"""Every tenant's account policies, copied from its row into its account settings row."""

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


def copy_to_settings(apps, schema_editor):
    Tenant = apps.get_model("portal", "Tenant")
    AccountSettings = apps.get_model("accounts", "AccountSettings")
    for tenant in Tenant.objects.all():
        AccountSettings.objects.update_or_create(
            tenant=tenant, defaults={field: getattr(tenant, field) for field in ACCOUNT_FIELDS}
        )


def copy_back(apps, schema_editor):
    Tenant = apps.get_model("portal", "Tenant")
    AccountSettings = apps.get_model("accounts", "AccountSettings")
    for row in AccountSettings.objects.all():
        Tenant.objects.filter(pk=row.tenant_id).update(**{field: getattr(row, field) for field in ACCOUNT_FIELDS})


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_account_settings"),
        ("portal", "0007_tenant_modules_from_flags"),
    ]

    operations = [
        migrations.RunPython(copy_to_settings, copy_back),
    ]
