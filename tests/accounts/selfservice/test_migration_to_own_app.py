"""A database from before self-service was an app of its own migrates forward without losing a row:
questions, answers, recovery data and links come out under the selfservice models, the foreign keys
point at the renamed tables, and the content types and audit entries follow the new label."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.crypto import WRAPPED_PREFIX, decrypt
from accounts.selfservice.models import AccountLink, RecoveryIdentity, SecurityAnswer, SecurityQuestion
from portal.models import AuditEntry

BEFORE = [("accounts", "0005_self_service"), ("portal", "0005_self_service"), ("selfservice", None)]
MOVED = ["securityquestion", "securityanswer", "recoveryidentity", "accountlink"]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_rows_of_the_old_layout_survive_the_move():
    leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old = migrate(BEFORE)
        Tenant = old.get_model("portal", "Tenant")
        User = old.get_model("accounts", "User")
        OldContentType = old.get_model("contenttypes", "ContentType")
        OldPermission = old.get_model("auth", "Permission")
        # A database of that time had the content types under "accounts" (the way back put them there).
        # Self-service's later models (its settings) are not part of the move: their types stay.
        assert not OldContentType.objects.filter(app_label="selfservice", model__in=MOVED).exists()
        types = {m: OldContentType.objects.get_or_create(app_label="accounts", model=m)[0] for m in MOVED}
        OldPermission.objects.get_or_create(
            content_type=types["securityquestion"], codename="view_securityquestion", defaults={"name": "x"}
        )

        tenant = Tenant.objects.create(slug="avant", name_fr="Avant", name_en="Before")
        alex = User.objects.create(tenant=tenant, identifier="E1", password="!")
        sam = User.objects.create(tenant=tenant, identifier="E2", password="!")
        question = old.get_model("accounts", "SecurityQuestion").objects.create(
            tenant=tenant, text_fr="Animal?", text_en="Pet?"
        )
        answer = old.get_model("accounts", "SecurityAnswer").objects.create(
            tenant=tenant, user=alex, question=question, purpose="self", answer="hash"
        )
        old.get_model("accounts", "RecoveryIdentity").objects.create(
            tenant=tenant, user=alex, employee_number="100200", pin="pin-hash", sin_digest="d" * 64
        )
        old.get_model("accounts", "AccountLink").objects.create(tenant=tenant, user=alex, other=sam)
        old.get_model("portal", "AuditEntry").objects.create(
            tenant=tenant,
            action="selfservice.questions_changed",
            target_type="accounts.securityanswer",
            target_id=str(answer.pk),
        )

        migrate(leaves)

        moved = SecurityAnswer.objects.select_related("question", "user").get(pk=answer.pk)
        assert (moved.question.text_en, moved.user.identifier, moved.answer) == ("Pet?", "E1", "hash")
        assert SecurityQuestion.objects.get(pk=question.pk).tenant_id == tenant.pk
        identity = RecoveryIdentity.objects.get(user_id=alex.pk)
        # A later migration seals old PIN hashes with the data key (accounts.crypto): the same hash inside.
        assert identity.employee_number == "100200"
        assert decrypt(identity.pin.removeprefix(WRAPPED_PREFIX)) == "pin-hash"
        assert AccountLink.objects.get(user_id=alex.pk).other_id == sam.pk

        entry = AuditEntry.objects.get(target_id=str(answer.pk), action="selfservice.questions_changed")
        assert entry.target_type == SecurityAnswer._meta.label_lower == "selfservice.securityanswer"

        ContentType.objects.clear_cache()
        for model in MOVED:
            kept = ContentType.objects.get(pk=types[model].pk)
            assert (kept.app_label, kept.model) == ("selfservice", model)
        assert Permission.objects.get(codename="view_securityquestion").content_type_id == (
            types["securityquestion"].pk
        )

        with connection.cursor() as cursor:
            tables = connection.introspection.table_names(cursor)
            relations = connection.introspection.get_relations(cursor, "selfservice_securityanswer")
        assert {f"selfservice_{m}" for m in MOVED} <= set(tables)
        assert not {f"accounts_{m}" for m in MOVED} & set(tables)
        assert relations["question_id"] == ("id", "selfservice_securityquestion")
    finally:
        migrate(leaves)
        ContentType.objects.clear_cache()
