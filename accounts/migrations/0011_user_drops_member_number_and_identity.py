"""The member number and the lost-identifier data now live in Membership and IdentityRecord (copied
by 0010): the user rows drop their columns."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0010_member_numbers_and_identity_records_from_users"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="user",
            name="birth_month",
        ),
        migrations.RemoveField(
            model_name="user",
            name="birth_town",
        ),
        migrations.RemoveField(
            model_name="user",
            name="member_number",
        ),
        migrations.RemoveField(
            model_name="user",
            name="mobile_phone",
        ),
        migrations.RemoveField(
            model_name="user",
            name="private_number",
        ),
    ]
