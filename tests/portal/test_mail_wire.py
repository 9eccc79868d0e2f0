"""A batch writes each distinct notice once and every copy with its reader's own To, Date and
Message-ID (portal/mail_wire.py). What arrives at a real SMTP server must read exactly as the mail
Django builds whole: same headers, same parts, same words, one copy per person, its own identity."""

import email
from email import policy
from email.utils import parsedate_to_datetime

import pytest
from django.core.mail import EmailMessage

from portal import mail_wire
from portal.actions import _message, claim_emails, do_deliver_email_batch, new_claim_token
from portal.models import OutboundEmail
from tests.portal.smtp_sink import SmtpSink

SUBJECT = "Votre code à usage unique — Coffre-fort « démo »"
TEXT = "Bonjour Élise,\n\n.Une ligne qui commence par un point.\nÀ bientôt.\n"
HTML = "<p>Bonjour Élise,</p>\n<p>.Une ligne qui commence par un point.</p>\n<p>À bientôt.</p>\n"


def queue(tenant, addresses, *, text=TEXT, language="fr"):
    return OutboundEmail.objects.bulk_create(
        OutboundEmail(
            tenant=tenant,
            to=address,
            language=language,
            template="test_message",
            subject=SUBJECT,
            body_text=text if isinstance(text, str) else text(address),
            body_html=HTML,
        )
        for address in addresses
    )


def deliver(rows):
    token = new_claim_token()
    return do_deliver_email_batch(
        emails=claim_emails(token=token, email_ids=[r.pk for r in rows], limit=100), token=token
    )


@pytest.fixture
def sink(settings):
    with SmtpSink(keep=True, refuse=["refused@example.test"]) as server:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = server.host, server.port
        yield server


def parsed(raw):
    return email.message_from_bytes(raw, policy=policy.default)


def text_of(message, kind):
    return message.get_body((kind,)).get_content().replace("\r\n", "\n")


def shape(message):
    """What a reader sees of a mail: its headers (but those that are each mail's own) and its parts."""
    own = {"date", "message-id", "to"}
    headers = [
        (
            name,
            message.get_content_type() if name.lower() == "content-type" else str(value),
        )  # the boundary varies
        for name, value in message.items()
        if name.lower() not in own
    ]
    parts = [
        (part.get_content_type(), part.get_content()) for part in message.walk() if not part.is_multipart()
    ]
    return headers, parts


@pytest.mark.django_db(transaction=True)
class TestTheNoticeIsWrittenOncePerBatch:
    def test_every_reader_gets_the_mail_django_would_have_built_with_their_own_identity(
        self, user_a, sink, monkeypatch
    ):
        rows = queue(user_a.tenant, [f"lecteur{n}@example.test" for n in range(5)])
        builds, build = [], EmailMessage.message
        monkeypatch.setattr(EmailMessage, "message", lambda self: builds.append(1) or build(self))
        result = deliver(rows)
        monkeypatch.undo()
        assert result["sent"] == 5
        assert len(builds) == 1, "the notice is built once for the five"
        assert sorted(to for (to,), _raw in sink.messages) == sorted(r.to for r in rows)
        whole = parsed(_message(rows[0]).message().as_bytes(linesep="\r\n"))
        ids = set()
        for (to,), raw in sink.messages:
            received = parsed(raw)
            assert received["To"] == to
            assert shape(received) == shape(whole)
            assert received["Subject"].strip() == SUBJECT
            assert text_of(received, "plain") == TEXT
            assert text_of(received, "html") == HTML
            assert (
                abs(
                    (
                        parsedate_to_datetime(received["Date"]) - parsedate_to_datetime(whole["Date"])
                    ).total_seconds()
                )
                < 60
            )
            ids.add(received["Message-ID"])
        assert len(ids) == 5, "each copy has a Message-ID of its own"
        assert set(OutboundEmail.objects.values_list("status", flat=True)) == {OutboundEmail.Status.SENT}

    def test_a_personal_body_reaches_its_own_reader_only(self, user_a, sink):
        rows = queue(
            user_a.tenant, ["ana@example.test", "ben@example.test"], text=lambda to: f"Votre lien : {to}\n"
        )
        deliver(rows)
        for (to,), raw in sink.messages:
            assert text_of(parsed(raw), "plain") == f"Votre lien : {to}\n"

    def test_an_address_django_must_encode_is_built_whole(self, user_a, sink):
        # As typed, and as the SMTP server sees it (Django writes it in ASCII, quotes only if needed).
        written = {
            "marie@exemple.québec": "marie@exemple.xn--qubec-csa",
            '"o\'neil"@example.test': "o'neil@example.test",
            "plain@example.test": "plain@example.test",
        }
        rows = queue(user_a.tenant, list(written))
        wire = mail_wire.Wire()
        assert [wire.bytes_for(row, "Portail <no-reply@portail.example>") is None for row in rows] == [
            True,
            True,
            False,
        ]
        deliver(rows)
        received = {to: parsed(raw) for (to,), raw in sink.messages}
        assert set(received) == set(written.values())
        for row in rows:
            whole = parsed(_message(row).message().as_bytes(linesep="\r\n"))
            ours = received[written[row.to]]
            assert ours["To"] == whole["To"]
            assert shape(ours) == shape(whole)

    def test_a_host_name_too_long_for_one_line_builds_the_mail_whole(self, user_a, sink, monkeypatch):
        monkeypatch.setattr(mail_wire, "DNS_NAME", "h" * 80 + ".example")
        rows = queue(user_a.tenant, ["long@example.test"])
        assert mail_wire.Wire().bytes_for(rows[0], "Portail <no-reply@portail.example>") is None
        deliver(rows)
        assert [to for (to,), _raw in sink.messages] == ["long@example.test"]

    def test_a_recipient_the_server_refuses_does_not_stop_the_others(self, user_a, sink):
        rows = queue(user_a.tenant, ["one@example.test", "refused@example.test", "two@example.test"])
        result = deliver(rows)
        assert result["sent"] == 2 and result["retry"] == [rows[1].pk]
        assert sorted(to for (to,), _raw in sink.messages) == ["one@example.test", "two@example.test"]
        refused = OutboundEmail.objects.get(pk=rows[1].pk)
        assert refused.status == OutboundEmail.Status.QUEUED and "SMTPRecipientsRefused" in refused.last_error
