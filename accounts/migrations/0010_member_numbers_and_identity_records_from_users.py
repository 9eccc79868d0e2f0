"""Copy each account's member number into a Membership row, and its lost-identifier data (town and
month of birth, mobile number, private-number hash) into an IdentityRecord row, on the account's
tenant. Accounts with none of these values get no row. Backwards, the values go back on the users."""

from django.db import migrations

IDENTITY_FIELDS = ("birth_town", "birth_month", "mobile_phone", "private_number")


def forwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    IdentityRecord = apps.get_model("accounts", "IdentityRecord")
    people = User.objects.filter(tenant__isnull=False).order_by("pk")
    members = list(people.exclude(member_number="").values_list("pk", "tenant_id", "member_number"))
    seen = {}
    for pk, tenant_id, number in members:
        # The number becomes unique per tenant. Two accounts sharing one cannot both keep it, and no
        # choice between them is safe to make here: the operator settles it, then migrates again.
        if (tenant_id, number) in seen:
            raise RuntimeError(
                f"Accounts {seen[(tenant_id, number)]} and {pk} of tenant {tenant_id} share the member "
                f"number {number!r}; give one of them another number (or none) and migrate again."
            )
        seen[(tenant_id, number)] = pk
    Membership.objects.bulk_create(
        Membership(tenant_id=tenant_id, user_id=pk, member_number=number) for pk, tenant_id, number in members
    )
    holders = people.exclude(birth_town="", birth_month=None, mobile_phone="", private_number="")
    IdentityRecord.objects.bulk_create(
        IdentityRecord(
            tenant_id=row["tenant_id"],
            user_id=row["pk"],
            **{field: row[field] for field in IDENTITY_FIELDS},
        )
        for row in holders.values("pk", "tenant_id", *IDENTITY_FIELDS)
    )


def backwards(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    IdentityRecord = apps.get_model("accounts", "IdentityRecord")
    for membership in Membership.objects.all():
        User.objects.filter(pk=membership.user_id).update(member_number=membership.member_number)
    for record in IdentityRecord.objects.all():
        User.objects.filter(pk=record.user_id).update(
            **{field: getattr(record, field) for field in IDENTITY_FIELDS}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_membership_and_identity_record"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
