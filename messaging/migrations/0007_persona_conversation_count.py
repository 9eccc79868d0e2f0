from django.db import migrations, models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce


def count_existing(apps, schema_editor):
    """Each address's conversations, counted once here; from now on the actions keep the number."""
    Persona = apps.get_model("messaging", "Persona")
    Participation = apps.get_model("messaging", "Participation")
    counted = (
        Participation.objects.filter(persona=OuterRef("pk"))
        .order_by()
        .values("persona")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Persona.objects.update(conversation_count=Coalesce(Subquery(counted), 0))


class Migration(migrations.Migration):
    dependencies = [
        ("messaging", "0006_activity_kind_exported"),
    ]

    operations = [
        migrations.AddField(
            model_name="persona",
            name="conversation_count",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(count_existing, migrations.RunPython.noop),
    ]
