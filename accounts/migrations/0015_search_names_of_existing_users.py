from django.db import migrations

from accounts.search import search_name_of


def fill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for user in User.objects.only("pk", "first_name", "last_name").iterator():  # tenant-guard: every tenant
        User.objects.filter(pk=user.pk).update(
            search_name=search_name_of(user.first_name, user.last_name)
        )  # tenant-guard: by pk


class Migration(migrations.Migration):
    dependencies = [("accounts", "0014_user_search_name")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
