"""The member number and the lost-identifier data get models of their own; 0010 copies the values
from the user rows, 0011 drops the user columns."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_account_settings_from_tenants"),
        ("portal", "0008_tenant_settings_live_in_modules"),
    ]

    operations = [
        migrations.CreateModel(
            name="IdentityRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("birth_town", models.CharField(blank=True, max_length=120, verbose_name="town of birth")),
                (
                    "birth_month",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        choices=[
                            (1, "January"),
                            (2, "February"),
                            (3, "March"),
                            (4, "April"),
                            (5, "May"),
                            (6, "June"),
                            (7, "July"),
                            (8, "August"),
                            (9, "September"),
                            (10, "October"),
                            (11, "November"),
                            (12, "December"),
                        ],
                        null=True,
                        verbose_name="month of birth",
                    ),
                ),
                ("mobile_phone", models.CharField(blank=True, max_length=30, verbose_name="mobile number")),
                (
                    "private_number",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="Printed on the enrolment letter; kept only as a hash.",
                        max_length=200,
                        verbose_name="private number (hashed)",
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="portal.tenant",
                        verbose_name="tenant",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="identity_record",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="account",
                    ),
                ),
            ],
            options={
                "verbose_name": "identity on file",
                "verbose_name_plural": "identities on file",
            },
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "member_number",
                    models.CharField(
                        help_text="Member tenants only.", max_length=20, verbose_name="member number"
                    ),
                ),
                (
                    "tenant",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="portal.tenant",
                        verbose_name="tenant",
                    ),
                ),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="membership",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="account",
                    ),
                ),
            ],
            options={
                "verbose_name": "membership",
                "verbose_name_plural": "memberships",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("tenant", "member_number"), name="member_number_unique_per_tenant"
                    )
                ],
            },
        ),
    ]
