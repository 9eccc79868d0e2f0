import socket

import pytest
from django.db import transaction

from portal.mail import send_templated_mail
from portal.models import MailboxMessage, OutboundEmail
from portal.tasks import MAIL_MAX_RETRIES, mail_retry_countdown
from tests.portal.flaky_backends import FailTwiceBackend


def queue_test_mail(user):
    return send_templated_mail(
        tenant=user.tenant, to=user.email, language="en", template="test_message", context={"user": user}
    )


@pytest.mark.django_db(transaction=True)
class TestMailPipelineOnCommit:
    def test_mail_leaves_only_after_commit(self, user_a, mailoutbox):
        with transaction.atomic():
            queue_test_mail(user_a)
            assert mailoutbox == [], "delivered before the transaction committed"
        [delivered] = mailoutbox
        assert delivered.to == [user_a.email]
        assert "Test message" in delivered.subject
        assert "Alice" in delivered.body
        [(html, mime)] = delivered.alternatives
        assert mime == "text/html" and "<p>" in html

    def test_rolled_back_change_sends_no_mail(self, user_a, mailoutbox):
        with pytest.raises(RuntimeError), transaction.atomic():
            queue_test_mail(user_a)
            raise RuntimeError("the change fails after the mail was queued")
        assert mailoutbox == []
        assert OutboundEmail.objects.count() == 0

    def test_outbox_keeps_who_and_when_but_purges_the_body(self, user_a):
        queue_test_mail(user_a)
        email = OutboundEmail.objects.get()
        assert email.status == OutboundEmail.Status.SENT
        assert email.attempts == 1
        assert email.sent_at is not None
        assert email.tenant == user_a.tenant
        assert email.body_text == "" and email.body_html == ""


@pytest.mark.django_db(transaction=True)
class TestMailRetries:
    def test_mailbox_backend_stores_what_it_delivers(self, user_a, settings):
        settings.EMAIL_BACKEND = "portal.email_backends.MailboxBackend"
        queue_test_mail(user_a)
        delivered = MailboxMessage.objects.get()
        assert delivered.to == user_a.email
        assert "Alice" in delivered.body_text and "<p>" in delivered.body_html

    def test_smtp_failure_is_retried_until_delivered(self, user_a, settings):
        settings.EMAIL_BACKEND = "tests.portal.flaky_backends.FailTwiceBackend"
        FailTwiceBackend.failures_left = 2
        queue_test_mail(user_a)
        email = OutboundEmail.objects.get()
        assert email.status == OutboundEmail.Status.SENT
        assert email.attempts == 3
        assert MailboxMessage.objects.count() == 1

    def test_unreachable_smtp_server_marks_the_mail_failed_after_the_last_retry(self, user_a, settings):
        with socket.socket() as probe:  # a port nobody listens on
            probe.bind(("127.0.0.1", 0))
            closed_port = probe.getsockname()[1]
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", closed_port, 2
        queue_test_mail(user_a)
        email = OutboundEmail.objects.get()
        assert email.status == OutboundEmail.Status.FAILED
        assert email.attempts == MAIL_MAX_RETRIES + 1
        assert "ConnectionRefusedError" in email.last_error
        assert email.body_text == ""


def test_retry_backoff_grows_and_is_capped():
    delays = [mail_retry_countdown(n) for n in range(MAIL_MAX_RETRIES)]
    assert delays[0] == 30
    assert all(later > earlier for earlier, later in zip(delays, delays[1:4], strict=False))
    assert max(delays) == 3600


@pytest.mark.django_db
class TestDevelopmentMailbox:
    def test_mailbox_is_hidden_when_debug_is_off(self, client, settings):
        settings.DEBUG = False
        MailboxMessage.objects.create(to="x@example.test", from_email="a@b", subject="Secret", body_text="…")
        assert client.get("/_dev/mailbox/").status_code == 404

    def test_mailbox_lists_and_shows_mail_with_clickable_links(self, client, settings):
        settings.DEBUG = True
        message = MailboxMessage.objects.create(
            to="x@example.test",
            from_email="a@b",
            subject="Réinitialiser",
            body_text="Go to https://portail.example/a/",
        )
        listing = client.get("/_dev/mailbox/")
        assert "Réinitialiser" in listing.content.decode()
        detail = client.get(f"/_dev/mailbox/{message.pk}/")
        assert b'<a href="https://portail.example/a/"' in detail.content
