"""The module switches and the policies leave the tenant's row, once copied where they now live."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0007_tenant_modules_from_flags"),
        ("accounts", "0008_account_settings_from_tenants"),
        ("selfservice", "0005_selfservice_settings_from_tenants"),
        ("messaging", "0002_messaging_settings_from_tenants"),
    ]

    operations = [
        migrations.RemoveField(model_name="tenant", name="allow_email_registration"),
        migrations.RemoveField(model_name="tenant", name="allow_lost_identifier"),
        migrations.RemoveField(model_name="tenant", name="allow_member_activation"),
        migrations.RemoveField(model_name="tenant", name="allow_password_reset"),
        migrations.RemoveField(model_name="tenant", name="device_policy"),
        migrations.RemoveField(model_name="tenant", name="helpdesk_question_count"),
        migrations.RemoveField(model_name="tenant", name="identifier_hint_en"),
        migrations.RemoveField(model_name="tenant", name="identifier_hint_fr"),
        migrations.RemoveField(model_name="tenant", name="lockout_minutes"),
        migrations.RemoveField(model_name="tenant", name="lockout_threshold"),
        migrations.RemoveField(model_name="tenant", name="message_expiry_days"),
        migrations.RemoveField(model_name="tenant", name="module_accounts"),
        migrations.RemoveField(model_name="tenant", name="module_messaging"),
        migrations.RemoveField(model_name="tenant", name="module_vault"),
        migrations.RemoveField(model_name="tenant", name="module_voting"),
        migrations.RemoveField(model_name="tenant", name="notice_en"),
        migrations.RemoveField(model_name="tenant", name="notice_fr"),
        migrations.RemoveField(model_name="tenant", name="password_history_count"),
        migrations.RemoveField(model_name="tenant", name="password_min_length"),
        migrations.RemoveField(model_name="tenant", name="recovery_proof_alone"),
        migrations.RemoveField(model_name="tenant", name="security_question_count"),
        migrations.RemoveField(model_name="tenant", name="session_idle_minutes"),
        migrations.RemoveField(model_name="tenant", name="session_max_hours"),
        migrations.RemoveField(model_name="tenant", name="sign_in_with"),
    ]
