"""The mail pipeline in batches, in one process (eager tasks): a notice to many people is queued
in a constant number of round trips, a batch leaves over one SMTP session, a claimed row is sent
by its claimant only, a failure is retried per row, and the sweep delivers what no task took."""

import smtplib
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal import mail as mail_module
from portal.actions import claim_emails, do_deliver_email_batch, new_claim_token
from portal.email_backends import MailboxBackend
from portal.mail import send_templated_mail, send_templated_mail_many
from portal.models import MailboxMessage, OutboundEmail
from portal.tasks import deliver_email, deliver_email_batch, sweep_outbox
from tests.portal.smtp_sink import SmtpSink


def recipients(user, count, language="en"):
    return [(f"person{n}@example.test", language, {"user": user}) for n in range(count)]


def insert_statements(count):
    """INSERTs of `count` rows in one bulk_create: one on PostgreSQL; SQLite allows 999 parameters
    a statement, so Django splits the rows in chunks there."""
    if connection.vendor != "sqlite":
        return 1
    per_statement = connection.features.max_query_params // len(
        [f for f in OutboundEmail._meta.concrete_fields if not f.primary_key]
    )
    return -(-count // per_statement)


@pytest.mark.django_db(transaction=True)
class TestEnqueueInConstantRoundTrips:
    @pytest.mark.parametrize("count", [10, 1000])
    def test_a_notice_costs_the_same_queries_and_one_task_whatever_the_count(
        self, count, user_a, django_assert_num_queries, monkeypatch
    ):
        published = []
        monkeypatch.setattr(
            deliver_email_batch, "apply_async", lambda args=(), **options: published.append(args[0])
        )
        with CaptureQueriesContext(connection) as empty, transaction.atomic():
            pass  # what the transaction itself logs (BEGIN on SQLite, COMMIT), whatever is in it
        # The INSERT(s) and nothing else: no query per recipient; the task is published on commit.
        with django_assert_num_queries(len(empty) + insert_statements(count)):
            with transaction.atomic():
                emails = send_templated_mail_many(
                    tenant=user_a.tenant, recipients=recipients(user_a, count), template="test_message"
                )
                assert published == [], "published before the commit"
        assert len(emails) == count
        assert published == [[email.pk for email in emails]], "one task carries every id"
        assert OutboundEmail.objects.filter(status=OutboundEmail.Status.QUEUED).count() == count

    def test_each_recipient_reads_the_mail_in_their_language(self, user_a, mailoutbox):
        send_templated_mail_many(
            tenant=user_a.tenant,
            recipients=[
                ("en@example.test", "en", {"user": user_a}),
                ("fr@example.test", "fr", {"user": user_a}),
            ],
            template="test_message",
        )
        subjects = {message.to[0]: message.subject for message in mailoutbox}
        assert subjects["en@example.test"] == "Test message from your portal"
        assert subjects["fr@example.test"] != subjects["en@example.test"]
        assert "Bonjour" in next(m.body for m in mailoutbox if m.to == ["fr@example.test"])

    def test_a_notice_without_a_context_of_its_own_is_rendered_once_per_language(self, user_a, monkeypatch):
        from django.template.backends.django import Template

        renders = []
        render = Template.render
        monkeypatch.setattr(
            Template, "render", lambda self, *a, **k: renders.append(1) or render(self, *a, **k)
        )
        emails = send_templated_mail_many(
            tenant=user_a.tenant,
            recipients=[(f"p{n}@example.test", "fr" if n % 2 else "en", None) for n in range(50)],
            template="test_message",
            context={"user": user_a},
        )
        assert len(renders) == 2 * 3, "subject, text and HTML, once per language"
        assert {e.language: e.subject for e in emails}["en"] == "Test message from your portal"
        assert len({e.body_text for e in emails}) == 2

    def test_the_worker_splits_a_large_notice_into_batches(self, user_a, settings, monkeypatch):
        settings.MAIL_BATCH_SIZE = 7
        settings.EMAIL_BACKEND = "portal.email_backends.MailboxBackend"
        sessions = []
        monkeypatch.setattr(MailboxBackend, "open", lambda self: sessions.append(self) or True)
        send_templated_mail_many(
            tenant=user_a.tenant, recipients=recipients(user_a, 20), template="test_message"
        )
        assert MailboxMessage.objects.count() == 20
        assert len(sessions) == 3, "one session per batch of 7"
        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {OutboundEmail.Status.SENT}


@pytest.mark.django_db(transaction=True)
class TestOneSmtpSessionPerBatch:
    def test_a_batch_leaves_over_one_smtp_connection(self, user_a, settings):
        with SmtpSink() as sink:
            settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
            settings.EMAIL_HOST, settings.EMAIL_PORT = sink.host, sink.port
            send_templated_mail_many(
                tenant=user_a.tenant, recipients=recipients(user_a, 25), template="test_message"
            )
            assert sink.total() == 25
            assert sink.sessions == 1
        assert set(sink.counts().values()) == {1}
        sent = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT)
        assert sent.count() == 25
        assert not sent.exclude(body_text="").exists(), "bodies are purged once sent"
        assert (
            not sent.exclude(claimed_by="").exists() and not sent.filter(claimed_until__isnull=False).exists()
        )

    def test_the_single_mail_path_still_returns_its_row(self, user_a, mailoutbox):
        email = send_templated_mail(
            tenant=user_a.tenant,
            to=user_a.email,
            language="en",
            template="test_message",
            context={"user": user_a},
        )
        email.refresh_from_db()
        assert email.status == OutboundEmail.Status.SENT and email.attempts == 1
        assert [m.to for m in mailoutbox] == [[user_a.email]]


def queue_without_task(user, count, *, age=timedelta(0)):
    rows = OutboundEmail.objects.bulk_create(
        OutboundEmail(
            tenant=user.tenant,
            to=f"queued{n}@example.test",
            language="en",
            template="test_message",
            subject="Hello",
            body_text="Hello",
            created_at=timezone.now() - age,
        )
        for n in range(count)
    )
    return [row.pk for row in rows]


@pytest.mark.django_db(transaction=True)
class TestClaims:
    def test_a_claimed_row_is_not_claimed_by_another_run_until_the_lease_passes(self, user_a, settings):
        settings.MAIL_CLAIM_LEASE = 60
        ids = queue_without_task(user_a, 5)
        first = claim_emails(token="run-1", email_ids=ids, limit=100)
        assert [e.pk for e in first] == ids
        assert claim_emails(token="run-2", email_ids=ids, limit=100) == []
        assert claim_emails(token="run-2", limit=100) == []
        OutboundEmail.objects.filter(pk__in=ids[:2]).update(
            claimed_until=timezone.now() - timedelta(seconds=1)
        )
        assert [e.pk for e in claim_emails(token="run-2", email_ids=ids, limit=100)] == ids[:2]
        assert list(
            OutboundEmail.objects.filter(pk__in=ids).order_by("pk").values_list("attempts", flat=True)
        ) == [2, 2, 1, 1, 1]

    def test_a_row_whose_claim_was_taken_over_is_not_marked_by_its_first_claimant(self, user_a, mailoutbox):
        ids = queue_without_task(user_a, 2)
        emails = claim_emails(token="run-1", email_ids=ids, limit=100)
        OutboundEmail.objects.filter(pk=ids[0]).update(status=OutboundEmail.Status.SENT, claimed_by="")
        result = do_deliver_email_batch(emails=emails[1:], token="run-1")
        assert result["sent"] == 1 and len(mailoutbox) == 1

    def test_a_redelivered_batch_task_sends_nothing_already_sent(self, user_a, mailoutbox):
        ids = queue_without_task(user_a, 3)
        deliver_email_batch.apply(args=(ids,))
        deliver_email_batch.apply(args=(ids,))
        assert len(mailoutbox) == 3

    def test_the_one_mail_task_of_before_the_upgrade_still_delivers_once(self, user_a, mailoutbox):
        [pk] = queue_without_task(user_a, 1)
        assert deliver_email.apply(args=(pk,)).get() is True
        assert deliver_email.apply(args=(pk,)).get() is False
        assert len(mailoutbox) == 1
        assert OutboundEmail.objects.get(pk=pk).status == OutboundEmail.Status.SENT

    def test_the_one_mail_task_leaves_a_row_another_run_holds(self, user_a, mailoutbox):
        [pk] = queue_without_task(user_a, 1)
        claim_emails(token=new_claim_token(), email_ids=[pk], limit=1)
        assert deliver_email.apply(args=(pk,)).get() is False
        assert mailoutbox == []


class RefuseOneRecipient(MailboxBackend):
    refused = "queued1@example.test"

    def send_messages(self, email_messages):
        if any(self.refused in message.to for message in email_messages):
            raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"no such user")})
        return super().send_messages(email_messages)


class BreakOnOneRecipient(MailboxBackend):
    def send_messages(self, email_messages):
        if any("queued0@example.test" in message.to for message in email_messages):
            raise ValueError("a bug, not the SMTP server")
        return super().send_messages(email_messages)


@pytest.mark.django_db(transaction=True)
class TestRetriesPerRow:
    def test_a_mail_that_breaks_the_code_ends_up_failed_and_does_not_stop_the_batch(self, user_a, settings):
        settings.EMAIL_BACKEND = "tests.portal.test_mail_batches.BreakOnOneRecipient"
        ids = queue_without_task(user_a, 3)
        deliver_email_batch.apply(args=(ids,))
        statuses = dict(OutboundEmail.objects.values_list("to", "status"))
        assert statuses == {
            "queued0@example.test": OutboundEmail.Status.FAILED,
            "queued1@example.test": OutboundEmail.Status.SENT,
            "queued2@example.test": OutboundEmail.Status.SENT,
        }
        assert "ValueError" in OutboundEmail.objects.get(to="queued0@example.test").last_error

    def test_a_refused_recipient_does_not_hold_back_the_rest_and_fails_after_its_last_attempt(
        self, user_a, settings
    ):
        settings.EMAIL_BACKEND = "tests.portal.test_mail_batches.RefuseOneRecipient"
        ids = queue_without_task(user_a, 3)
        deliver_email_batch.apply(args=(ids,))  # eager: each retry runs at once
        rows = {row.to: row for row in OutboundEmail.objects.all()}
        assert rows["queued0@example.test"].status == OutboundEmail.Status.SENT
        assert rows["queued2@example.test"].status == OutboundEmail.Status.SENT
        refused = rows["queued1@example.test"]
        assert refused.status == OutboundEmail.Status.FAILED
        assert refused.attempts == 9 and "SMTPRecipientsRefused" in refused.last_error
        assert MailboxMessage.objects.count() == 2

    def test_a_failed_row_waits_for_its_backoff_before_another_run_may_take_it(self, user_a, settings):
        settings.EMAIL_BACKEND = "tests.portal.test_mail_batches.RefuseOneRecipient"
        ids = queue_without_task(user_a, 3)
        emails = claim_emails(token="run-1", email_ids=ids, limit=10)
        result = do_deliver_email_batch(emails=emails, token="run-1")
        assert result["sent"] == 2 and result["retry"] == [ids[1]] and result["retry_in"] == 30
        held = OutboundEmail.objects.get(pk=ids[1])
        assert held.claimed_until > timezone.now() + timedelta(seconds=30)
        assert claim_emails(token="run-2", email_ids=ids, limit=10) == []
        assert [e.pk for e in claim_emails(token="run-3", email_ids=ids, limit=10, reserved_for="run-1")] == [
            ids[1]
        ]


@pytest.mark.django_db(transaction=True)
class TestSweep:
    def test_the_sweep_delivers_old_unclaimed_rows_only(self, user_a, mailoutbox, settings):
        settings.MAIL_SWEEP_AFTER = 60
        old = queue_without_task(user_a, 3, age=timedelta(minutes=2))
        recent = queue_without_task(user_a, 1)
        held = queue_without_task(user_a, 1, age=timedelta(minutes=2))
        claim_emails(token="live-run", email_ids=held, limit=1)
        assert sweep_outbox.apply().get() == 3
        assert len(mailoutbox) == 3
        statuses = dict(OutboundEmail.objects.values_list("pk", "status"))
        assert {statuses[pk] for pk in old} == {OutboundEmail.Status.SENT}
        assert statuses[recent[0]] == statuses[held[0]] == OutboundEmail.Status.QUEUED

    def test_the_sweep_takes_over_a_row_whose_claim_lapsed(self, user_a, mailoutbox):
        ids = queue_without_task(user_a, 2, age=timedelta(minutes=2))
        claim_emails(token="killed-run", email_ids=ids, limit=2)
        OutboundEmail.objects.update(claimed_until=timezone.now() - timedelta(seconds=1))
        assert sweep_outbox.apply().get() == 2
        assert len(mailoutbox) == 2

    def test_a_mail_whose_worker_died_at_every_attempt_ends_up_failed(self, user_a, mailoutbox):
        [pk] = queue_without_task(user_a, 1, age=timedelta(minutes=2))
        for _ in range(9):  # nine runs claim it and die before they record anything
            assert claim_emails(token=new_claim_token(), email_ids=[pk], limit=1)
            OutboundEmail.objects.filter(pk=pk).update(claimed_until=timezone.now() - timedelta(seconds=1))
        assert claim_emails(token=new_claim_token(), email_ids=[pk], limit=1) == []
        assert sweep_outbox.apply().get() == 0
        email = OutboundEmail.objects.get(pk=pk)
        assert email.status == OutboundEmail.Status.FAILED and email.attempts == 9
        assert mailoutbox == []

    def test_the_sweep_is_on_the_beat_schedule(self, settings):
        [entry] = [
            e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "portal.tasks.sweep_outbox"
        ]
        assert entry["schedule"] <= 60


@pytest.mark.django_db(transaction=True)
def test_a_broker_down_at_commit_does_not_fail_the_request_and_the_sweep_delivers(
    user_a, mailoutbox, monkeypatch, caplog, settings
):
    from kombu.exceptions import OperationalError

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(deliver_email_batch, "apply_async", broker_down)
    email = send_templated_mail(
        tenant=user_a.tenant,
        to=user_a.email,
        language="en",
        template="test_message",
        context={"user": user_a},
    )
    assert "the outbox sweep will deliver them" in caplog.text
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.QUEUED and email.claimed_by == "" and mailoutbox == []
    monkeypatch.undo()
    settings.MAIL_SWEEP_AFTER = 0
    assert sweep_outbox.apply().get() == 1
    assert [m.to for m in mailoutbox] == [[user_a.email]]
    assert mail_module  # the module whose _enqueue_delivery swallowed the error
