"""A database from before the member number and the lost-identifier data had models of their own
migrates forward with every value: each lands in a row of the person's tenant, and people without
such values get no row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import IdentityRecord, Membership, User, check_private_number

BEFORE_ACCOUNTS = ("accounts", "0008_account_settings_from_tenants")


def before(leaves):
    """Every app as it is now, but accounts from before the move."""
    return [node for node in leaves if node[0] != "accounts"] + [BEFORE_ACCOUNTS]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_member_numbers_and_identity_data_survive_the_move():
    from django.contrib.auth.hashers import make_password

    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(before(leaves))
        Tenant = old.get_model("portal", "Tenant")
        OldUser = old.get_model("accounts", "User")
        union = Tenant.objects.create(slug="union", name_fr="Syndicat", name_en="Union")
        vault = Tenant.objects.create(slug="vault", name_fr="Coffre", name_en="Vault")
        member = OldUser.objects.create(tenant=union, identifier="m1", password="!", member_number="912345")
        # The same number on another tenant is another member.
        other = OldUser.objects.create(tenant=vault, identifier="m2", password="!", member_number="912345")
        paul = OldUser.objects.create(
            tenant=vault,
            identifier="123456789012",
            password="!",
            birth_town="Trois-Rivières",
            birth_month=6,
            mobile_phone="514 555 0142",
            private_number=make_password("588157"),
        )
        plain = OldUser.objects.create(tenant=union, identifier="p1", password="!")
        OldUser.objects.create(tenant=None, identifier="admin", password="!", is_staff=True)

        migrate(leaves)

        assert {(m.tenant_id, m.user_id, m.member_number) for m in Membership.objects.all()} == {
            (union.pk, member.pk, "912345"),
            (vault.pk, other.pk, "912345"),
        }
        record = IdentityRecord.objects.get()
        assert (record.tenant_id, record.user_id) == (vault.pk, paul.pk)
        assert (record.birth_town, record.birth_month, record.mobile_phone) == (
            "Trois-Rivières",
            6,
            "514 555 0142",
        )
        assert check_private_number(record, "588 157") and not check_private_number(record, "588158")
        assert not Membership.objects.filter(user_id=plain.pk).exists()
        assert User.objects.get(pk=paul.pk).identity_record == record
        assert "member_number" not in {f.name for f in User._meta.get_fields()}
    finally:
        migrate(leaves)


@pytest.mark.django_db(transaction=True)
def test_two_accounts_sharing_a_member_number_stop_the_migration_instead_of_losing_one():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(before(leaves))
        union = old.get_model("portal", "Tenant").objects.create(slug="union", name_fr="S", name_en="U")
        OldUser = old.get_model("accounts", "User")
        OldUser.objects.create(tenant=union, identifier="a", password="!", member_number="900001")
        OldUser.objects.create(tenant=union, identifier="b", password="!", member_number="900001")
        with pytest.raises(RuntimeError, match="share the member number '900001'"):
            migrate(leaves)
        OldUser.objects.filter(identifier="b").update(member_number="900002")
    finally:
        migrate(leaves)
    assert sorted(Membership.objects.values_list("member_number", flat=True)) == ["900001", "900002"]
