"""Files of a message (docs/journeys.md#messaging-window): posted with the text, checked (type, size,
quota, virus check) with the typed text kept on refusal, downloaded with their real name and type by
the people of the conversation only; the notification never names them."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from messaging import actions
from messaging.models import Attachment, MessagingSettings
from messaging.uploads.models import Upload
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("uploads_root")]
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


def post(client, conversation, body, *files, **extra):
    return client.post(
        f"/alpha/messages/{conversation.pk}/post/", {"body": body, "files": list(files), **extra}
    )


def pdf(name="relevé de compte.pdf", content=b"%PDF-1.4 demo"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_a_file_is_posted_and_downloaded_by_the_people_of_the_conversation_only(
    client,
    sign_in,
    conversation,
    participant,
    other_participant,
    collaborator,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    sign_in(participant)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, conversation, "Voici le relevé.", pdf())
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert conversation.__class__.objects.get(pk=conversation.pk).files_bytes == len(b"%PDF-1.4 demo")
    mail = mailoutbox[0]
    assert (
        "relevé" not in mail.body and "relevé" not in mail.alternatives[0][0] and "relevé" not in mail.subject
    )

    url = f"/alpha/messages/{conversation.pk}/files/{attachment.upload_id}/"
    page = client.get(f"/alpha/messages/{conversation.pk}/").content.decode()
    assert url in page and "relevé de compte.pdf" in page
    download = client.get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert "attachment" in download["Content-Disposition"] and "relev" in download["Content-Disposition"]
    assert b"".join(download.streaming_content) == b"%PDF-1.4 demo"

    client.logout()
    sign_in(collaborator.user)
    assert client.get(url).status_code == 200
    client.logout()
    sign_in(other_participant)
    assert client.get(url).status_code == 404
    client.logout()
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/sign-in/" in anonymous["Location"]


def test_a_person_of_another_tenant_gets_404_for_the_file(
    client, sign_in, conversation, participant, tenant_b
):
    sign_in(participant)
    post(client, conversation, "Fichier", pdf())
    upload_id = Attachment.objects.get().upload_id
    client.logout()
    tenant_b.modules = ["messaging"]
    tenant_b.save()
    stranger = UserFactory(tenant=tenant_b, identifier="pat@alpha.test", email="pat@alpha.test")
    actions.do_confirm_persona(user=stranger, email=stranger.email)
    sign_in(stranger)
    assert client.get(f"/beta/messages/{conversation.pk}/files/{upload_id}/").status_code == 404


@pytest.mark.parametrize(
    ("file", "words"),
    [
        (
            SimpleUploadedFile("outil.exe", b"MZ", content_type="application/octet-stream"),
            "ne sont pas acceptés",
        ),
        (SimpleUploadedFile("eicar.txt", EICAR, content_type="text/plain"), "analyse antivirus"),
    ],
    ids=["blocked type", "flagged by the scanner"],
)
def test_a_refused_file_says_why_and_keeps_the_typed_text(
    client, sign_in, conversation, participant, file, words
):
    sign_in(participant)
    response = post(client, conversation, "Mon texte tapé avec soin", file)
    page = response.content.decode()
    assert response.status_code == 400
    assert words in page and "Mon texte tapé avec soin" in page
    assert conversation.messages.count() == 1 and not Attachment.objects.exists()


def test_the_conversations_quota_is_enforced(client, sign_in, conversation, participant, tenant_a):
    MessagingSettings.objects.filter(tenant=tenant_a).update(conversation_quota_gb=1)
    conversation.__class__.objects.filter(pk=conversation.pk).update(files_bytes=1024**3 - 5)
    sign_in(participant)
    response = post(client, conversation, "Trop gros", pdf(content=b"0123456789"))
    assert response.status_code == 400
    assert "il ne reste que" in response.content.decode() and "Trop gros" in response.content.decode()


def test_uploads_of_someone_else_or_on_a_read_only_conversation_are_refused(
    client, sign_in, conversation, participant, other_participant, collaborator, messaging_admin
):
    from messaging.uploads import api

    theirs = api.receive_files(
        tenant=conversation.tenant, owner=other_participant, files=[pdf()], limits=api.Limits()
    )
    sign_in(participant)
    response = post(client, conversation, "Avec le fichier d’un autre", upload_ids=[str(theirs[0].pk)])
    assert response.status_code == 400 and conversation.messages.count() == 1
    assert Upload.objects.get(pk=theirs[0].pk).attached_at is None

    actions.do_deactivate_collaborator(collaborator=collaborator, actor=messaging_admin)
    mine = api.receive_files(
        tenant=conversation.tenant, owner=participant, files=[pdf()], limits=api.Limits()
    )
    response = post(client, conversation, "Forgé", upload_ids=[str(mine[0].pk)])
    assert response.status_code == 400 and conversation.messages.count() == 1
    assert not Attachment.objects.exists()


def test_chunked_uploads_are_only_for_the_people_who_may_post(
    client, sign_in, conversation, participant, other_participant, collaborator
):
    data = {"name": "a.pdf", "size": "10", "type": "application/pdf"}
    sign_in(other_participant)
    assert client.post("/alpha/messages/files/", {**data, "context": str(conversation.pk)}).status_code == 404
    assert (
        client.post("/alpha/messages/files/", {**data, "context": ""}).status_code == 404
    )  # not a collaborator
    client.logout()
    sign_in(participant)
    assert client.post("/alpha/messages/files/", {**data, "context": str(conversation.pk)}).status_code == 201
    client.logout()
    sign_in(collaborator.user)
    assert client.post("/alpha/messages/files/", {**data, "context": ""}).status_code == 201


def test_the_window_runs_the_same_queries_with_or_without_files(client, sign_in, conversation, participant):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(participant)
    client.get(f"/alpha/messages/{conversation.pk}/")
    with CaptureQueriesContext(connection) as before:
        client.get(f"/alpha/messages/{conversation.pk}/")
    for n in range(4):
        post(client, conversation, f"Fichiers {n}", pdf(f"a{n}.pdf"), pdf(f"b{n}.pdf"))
    with CaptureQueriesContext(connection) as after:
        client.get(f"/alpha/messages/{conversation.pk}/")
    assert len(after.captured_queries) == len(before.captured_queries)


def test_the_sender_of_a_file_held_after_the_post_is_told_without_its_name(
    conversation, participant, mailoutbox, django_capture_on_commit_callbacks
):
    from messaging.uploads import api

    mine = conversation.participations.get(persona__user=participant)
    (upload,) = api.receive_files(
        tenant=conversation.tenant, owner=participant, files=[pdf("secret-plan.pdf")], limits=api.Limits()
    )
    actions.do_post_message(
        conversation=conversation, sender=mine.persona, body="Avec fichier", upload_ids=[upload.pk]
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        api.upload_held.send(sender=Upload, upload=upload)
    assert [m.to for m in mailoutbox] == [["pat@alpha.test"]]
    mail = mailoutbox[0]
    assert f"/alpha/messages/{conversation.pk}/" in mail.body
    assert "secret-plan" not in mail.body and "secret-plan" not in mail.subject
