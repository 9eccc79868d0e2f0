"""PINs and private numbers hold few values (10⁴, 10⁶): an Argon2id hash alone falls to a copied
table in minutes. Each is hashed only after a keyed HMAC whose key lives outside the database
(PORTAIL_DATA_KEYS); rows written before that still verify, and are rewritten keyed when used."""

import pytest
from django.contrib.auth.hashers import check_password, make_password
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts import crypto
from accounts.models import IdentityRecord, check_private_number
from accounts.selfservice.models import RecoveryIdentity
from tests.factories import UserFactory

from .test_password_hashing import PRODUCTION_HASHERS

KEY_A, KEY_B = "first-data-key-kept-outside-the-database", "second-data-key-after-a-rotation"


@pytest.fixture
def keys(settings):
    settings.PORTAIL_DATA_KEYS = [KEY_A]
    return settings


@pytest.fixture
def identity(keys, tenant_a, user_a):
    row = RecoveryIdentity(tenant=tenant_a, user=user_a, employee_number="100200")
    row.set_pin("4321")
    row.save()
    return row


def fresh(row):
    return type(row).objects.for_tenant(row.tenant).get(pk=row.pk)


def every_pin_tried(stored_hash):
    """What a thief with the table does: hash each of the 10⁴ PINs the way the row was hashed."""
    return [pin for pin in (f"{n:04d}" for n in range(10_000)) if check_password(pin, stored_hash)]


def test_the_pin_row_is_no_plain_hash_of_the_pin(identity):
    stored = fresh(identity).pin
    assert stored.startswith(crypto.KEYED_PREFIX)
    inner_hash = stored.split("$", 2)[2]  # what the hasher wrote, after the key id
    assert not check_password("4321", inner_hash) and not check_password("4321", stored)
    assert every_pin_tried(inner_hash) == [], "the table alone must not give the PIN back"
    assert fresh(identity).check_pin("4321") and not fresh(identity).check_pin("4322")


def test_the_pin_is_argon2id_over_the_keyed_digest_in_production(keys, tenant_a, user_a, settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS
    row = RecoveryIdentity(tenant=tenant_a, user=user_a)
    row.set_pin("4321")
    inner_hash = row.pin.split("$", 2)[2]
    assert inner_hash.startswith("argon2$argon2id$")
    assert not check_password("4321", inner_hash)
    assert row.check_pin("4321")


def test_without_the_key_the_pin_does_not_verify(identity, keys):
    keys.PORTAIL_DATA_KEYS = [KEY_B]
    assert not fresh(identity).check_pin("4321")


def test_a_rotated_key_still_verifies_and_rewrites_the_row_under_the_new_key(identity, keys):
    keys.PORTAIL_DATA_KEYS = [KEY_B, KEY_A]
    assert fresh(identity).check_pin("4321")
    keys.PORTAIL_DATA_KEYS = [KEY_B]
    assert fresh(identity).check_pin("4321"), "the row was rewritten under the first key"


def test_an_old_unkeyed_pin_still_works_and_is_rewritten_keyed(keys, tenant_a, user_a):
    row = RecoveryIdentity.objects.create(tenant=tenant_a, user=user_a, pin=make_password("4321"))
    assert not fresh(row).check_pin("1234")
    assert fresh(row).pin == row.pin, "a wrong PIN rewrites nothing"
    assert fresh(row).check_pin("4321")
    assert fresh(row).pin.startswith(crypto.KEYED_PREFIX)
    assert fresh(row).check_pin("4321") and not fresh(row).check_pin("1234")


def test_a_sealed_old_pin_works_only_with_the_key_and_is_rewritten_keyed(keys, tenant_a, user_a):
    old = make_password("4321")
    row = RecoveryIdentity.objects.create(tenant=tenant_a, user=user_a, pin=crypto.wrap_hash(old))
    assert row.pin.startswith(crypto.WRAPPED_PREFIX) and old not in row.pin
    keys.PORTAIL_DATA_KEYS = [KEY_B]
    assert not fresh(row).check_pin("4321")
    keys.PORTAIL_DATA_KEYS = [KEY_A]
    assert not fresh(row).check_pin("4322")
    assert fresh(row).check_pin("4321")
    assert fresh(row).pin.startswith(crypto.KEYED_PREFIX)


def test_the_private_number_is_keyed_and_old_rows_still_work(keys, tenant_a):
    paul = UserFactory(tenant=tenant_a, identifier="123456789012", private_number="588157")
    record = IdentityRecord.objects.for_tenant(tenant_a).get(user=paul)
    assert record.private_number.startswith(crypto.KEYED_PREFIX)
    assert not check_password("588157", record.private_number.split("$", 2)[2])
    assert check_private_number(record, "588 157") and not check_private_number(record, "588158")
    keys.PORTAIL_DATA_KEYS = [KEY_B]
    assert not check_private_number(fresh(record), "588157")
    keys.PORTAIL_DATA_KEYS = [KEY_A]
    IdentityRecord.objects.for_tenant(tenant_a).filter(pk=record.pk).update(
        private_number=make_password("588157")
    )
    assert check_private_number(fresh(record), "588157")
    assert fresh(record).private_number.startswith(crypto.KEYED_PREFIX)


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_every_old_pin_and_each_still_works(settings):
    settings.PORTAIL_DATA_KEYS = [KEY_A]
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    before = [n for n in leaves if n[0] != "selfservice"] + [("selfservice", "0006_pin_holds_a_keyed_hash")]
    try:
        executor.migrate(before)
        from tests.factories import TenantFactory

        tenant = TenantFactory(slug="migr", modules=["selfservice"])
        user = UserFactory(tenant=tenant, identifier="M1")
        old = make_password("4321")
        RecoveryIdentity.objects.create(tenant=tenant, user=user, pin=old)
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaves)
        row = RecoveryIdentity.objects.for_tenant(tenant).get(user=user)
        assert row.pin.startswith(crypto.WRAPPED_PREFIX) and old not in row.pin
        assert not check_password("4321", row.pin)
        assert row.check_pin("4321")
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(leaves)
