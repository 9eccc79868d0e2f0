import pytest

from portal.audit import record_audit
from portal.models import AuditEntry


@pytest.mark.django_db
class TestAuditLog:
    def test_entry_records_who_what_when_and_where(self, rf, user_a):
        request = rf.get("/", REMOTE_ADDR="198.51.100.4", HTTP_USER_AGENT="Firefox")
        entry = record_audit(
            tenant=user_a.tenant, actor=user_a, action="auth.signed_in", target=user_a, request=request
        )
        assert (entry.actor_label, entry.ip_address, entry.user_agent) == (
            "A000001",
            "198.51.100.4",
            "Firefox",
        )
        assert entry.target_type == "accounts.user" and entry.target_id == str(user_a.pk)
        assert entry.created_at is not None
        assert str(entry.action_label) in {"Signed in", "Ouverture de session"}

    def test_entries_cannot_be_changed_or_deleted(self, user_a):
        entry = record_audit(tenant=user_a.tenant, actor=user_a, action="auth.signed_in")
        entry.action = "something.else"
        with pytest.raises(PermissionError):
            entry.save()
        with pytest.raises(PermissionError):
            entry.delete()
        with pytest.raises(PermissionError):
            AuditEntry.objects.filter(pk=entry.pk).update(action="rewritten")
        with pytest.raises(PermissionError):
            AuditEntry.objects.filter(pk=entry.pk).delete()
        assert AuditEntry.objects.get(pk=entry.pk).action == "auth.signed_in"

    @pytest.mark.parametrize(
        "key", ["password", "new_password", "reset_token", "answer", "sin_digits", "pin", "otp_code"]
    )
    def test_secrets_never_enter_the_log(self, user_a, key):
        with pytest.raises(ValueError):
            record_audit(tenant=user_a.tenant, actor=user_a, action="x", details={key: "value"})

    def test_proxy_address_is_trusted_only_when_configured(self, rf, user_a, settings):
        request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.9, 10.0.0.1")
        assert record_audit(tenant=None, actor=None, action="x", request=request).ip_address == "10.0.0.2"
        settings.PORTAIL_TRUSTED_PROXY_HOPS = 1
        assert record_audit(tenant=None, actor=None, action="x", request=request).ip_address == "10.0.0.1"

    def test_tenant_scoping_of_entries(self, user_a, user_b):
        record_audit(tenant=user_a.tenant, actor=user_a, action="auth.signed_in")
        record_audit(tenant=user_b.tenant, actor=user_b, action="auth.signed_in")
        assert [e.actor for e in AuditEntry.objects.for_tenant(user_a.tenant)] == [user_a]
        with pytest.raises(ValueError):
            AuditEntry.objects.for_tenant(None)
