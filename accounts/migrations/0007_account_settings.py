"""Each tenant's account policies get a row of their own (schema; the next migration copies them)."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_self_service_models_leave_accounts"),
        ("portal", "0006_tenant_modules"),
    ]

    operations = [
        migrations.CreateModel(
            name="AccountSettings",
            fields=[
                (
                    "tenant",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="account_settings",
                        serialize=False,
                        to="portal.tenant",
                        verbose_name="tenant",
                    ),
                ),
                (
                    "sign_in_with",
                    models.CharField(
                        choices=[
                            ("user_id", "User ID"),
                            ("code", "Access code"),
                            ("email", "E-mail address"),
                            ("identifier_or_email", "12-digit identifier or personal e-mail"),
                        ],
                        default="email",
                        max_length=30,
                        verbose_name="people sign in with",
                    ),
                ),
                (
                    "identifier_hint_fr",
                    models.TextField(blank=True, verbose_name="where to find the identifier (French)"),
                ),
                (
                    "identifier_hint_en",
                    models.TextField(blank=True, verbose_name="where to find the identifier (English)"),
                ),
                ("notice_fr", models.TextField(blank=True, verbose_name="authorised-use notice (French)")),
                ("notice_en", models.TextField(blank=True, verbose_name="authorised-use notice (English)")),
                (
                    "allow_password_reset",
                    models.BooleanField(default=True, verbose_name="forgotten password by e-mail"),
                ),
                (
                    "allow_lost_identifier",
                    models.BooleanField(
                        default=False,
                        help_text="People who lost their identifier get it by e-mail after proving who they are.",
                        verbose_name="lost identifier form",
                    ),
                ),
                (
                    "allow_member_activation",
                    models.BooleanField(
                        default=False,
                        help_text="Members without a password start with their member number and the e-mail on file.",
                        verbose_name="member account activation",
                    ),
                ),
                (
                    "allow_email_registration",
                    models.BooleanField(
                        default=False,
                        help_text="Members without an e-mail on file ask to add one; the help desk approves.",
                        verbose_name="e-mail registration requests",
                    ),
                ),
                (
                    "password_min_length",
                    models.PositiveSmallIntegerField(
                        default=15,
                        validators=[
                            django.core.validators.MinValueValidator(15),
                            django.core.validators.MaxValueValidator(64),
                        ],
                        verbose_name="minimum password length",
                    ),
                ),
                (
                    "password_history_count",
                    models.PositiveSmallIntegerField(
                        default=5,
                        validators=[django.core.validators.MaxValueValidator(24)],
                        verbose_name="previous passwords that may not be reused",
                    ),
                ),
                (
                    "lockout_threshold",
                    models.PositiveSmallIntegerField(
                        default=5,
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="failed attempts before a lock",
                    ),
                ),
                (
                    "lockout_minutes",
                    models.PositiveIntegerField(
                        default=30,
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="lock duration (minutes)",
                    ),
                ),
                (
                    "session_idle_minutes",
                    models.PositiveIntegerField(
                        default=60,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(1440),
                        ],
                        verbose_name="sign out after (minutes without activity)",
                    ),
                ),
                (
                    "session_max_hours",
                    models.PositiveIntegerField(
                        default=24,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(24),
                        ],
                        verbose_name="sign out after (hours, whatever the activity)",
                    ),
                ),
                (
                    "device_policy",
                    models.CharField(
                        choices=[
                            (
                                "alternative",
                                "One way to sign in, beside the password and the security questions",
                            ),
                            ("staff", "Required after the password for help-desk staff"),
                            ("everyone", "Required after the password for everyone"),
                        ],
                        default="alternative",
                        max_length=12,
                        verbose_name="mobile device (authenticator app)",
                    ),
                ),
            ],
            options={
                "verbose_name": "account settings",
                "verbose_name_plural": "account settings",
            },
        ),
    ]
