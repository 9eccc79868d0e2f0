"""Each tenant's self-service policies get a row of their own (schema; the next migration copies them)."""

import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("selfservice", "0003_content_types_and_audit_follow_the_move"),
        ("portal", "0006_tenant_modules"),
    ]

    operations = [
        migrations.CreateModel(
            name="SelfServiceSettings",
            fields=[
                (
                    "tenant",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="selfservice_settings",
                        serialize=False,
                        to="portal.tenant",
                        verbose_name="tenant",
                    ),
                ),
                (
                    "security_question_count",
                    models.PositiveSmallIntegerField(
                        default=3,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(9),
                        ],
                        verbose_name="security questions required",
                    ),
                ),
                (
                    "helpdesk_question_count",
                    models.PositiveSmallIntegerField(
                        default=1,
                        help_text="Questions an agent asks on the phone to check who is calling. 0: none asked.",
                        validators=[django.core.validators.MaxValueValidator(5)],
                        verbose_name="help-desk questions required",
                    ),
                ),
                (
                    "recovery_proof_alone",
                    models.BooleanField(
                        default=False,
                        help_text="Off (recommended): after such a proof, a one-time code is also mailed to the address on file, and the person must type it. Current guidance (NIST SP 800-63B-4, OWASP ASVS 5) no longer trusts answers or identity data alone, because others can learn them. On: the proof alone suffices, as older portals did; whoever learns the answers can take over the account.",
                        verbose_name="security questions, PIN or identity data alone are enough to choose a new password",
                    ),
                ),
            ],
            options={
                "verbose_name": "password self-service settings",
                "verbose_name_plural": "password self-service settings",
            },
        ),
    ]
