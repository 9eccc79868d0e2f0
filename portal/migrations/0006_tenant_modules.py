from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0005_self_service"),
    ]

    operations = [
        migrations.AddField(
            model_name="tenant",
            name="modules",
            field=models.JSONField(blank=True, default=list, verbose_name="modules"),
        ),
    ]
