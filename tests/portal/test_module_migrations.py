"""An existing database keeps each tenant's modules and policies when they move off the tenant's row."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("portal", "0005_self_service"), ("accounts", "0005_self_service"), ("selfservice", None)]
AFTER = [
    ("portal", "0008_tenant_settings_live_in_modules"),
    ("accounts", "0008_account_settings_from_tenants"),
    ("selfservice", "0005_selfservice_settings_from_tenants"),
    ("messaging", "0002_messaging_settings_from_tenants"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_tenants_keep_their_modules_and_policies():
    old = migrate(BEFORE)
    Tenant = old.get_model("portal", "Tenant")
    Tenant.objects.create(
        slug="poste",
        name_fr="Poste",
        name_en="Post",
        module_accounts=True,
        module_messaging=True,
        sign_in_with="user_id",
        lockout_threshold=3,
        lockout_minutes=120,
        notice_fr="Réservé",
        device_policy="staff",
        security_question_count=2,
        recovery_proof_alone=True,
        message_expiry_days=30,
    )
    Tenant.objects.create(slug="syndicat", name_fr="Syndicat", name_en="Union", module_voting=True)
    try:
        new = migrate(AFTER)
        tenants = {t.slug: t for t in new.get_model("portal", "Tenant").objects.all()}
        assert tenants["poste"].modules == ["selfservice", "messaging"]
        assert tenants["syndicat"].modules == ["voting"]
        account = new.get_model("accounts", "AccountSettings").objects.get(tenant__slug="poste")
        assert (account.sign_in_with, account.lockout_threshold, account.lockout_minutes) == (
            "user_id",
            3,
            120,
        )
        assert (account.notice_fr, account.device_policy) == ("Réservé", "staff")
        selfservice = new.get_model("selfservice", "SelfServiceSettings").objects.get(tenant__slug="poste")
        assert (selfservice.security_question_count, selfservice.recovery_proof_alone) == (2, True)
        messaging = new.get_model("messaging", "MessagingSettings").objects.get(tenant__slug="poste")
        assert messaging.message_expiry_days == 30
        assert new.get_model("accounts", "AccountSettings").objects.filter(tenant__slug="syndicat").exists()
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
