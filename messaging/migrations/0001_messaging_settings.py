import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("portal", "0006_tenant_modules"),
    ]

    operations = [
        migrations.CreateModel(
            name="MessagingSettings",
            fields=[
                (
                    "tenant",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="messaging_settings",
                        serialize=False,
                        to="portal.tenant",
                        verbose_name="tenant",
                    ),
                ),
                (
                    "message_expiry_days",
                    models.PositiveIntegerField(
                        default=90,
                        validators=[django.core.validators.MinValueValidator(1)],
                        verbose_name="conversation messages expire after (days)",
                    ),
                ),
            ],
            options={
                "verbose_name": "secure conversations settings",
                "verbose_name_plural": "secure conversations settings",
            },
        ),
    ]
