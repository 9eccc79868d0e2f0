"""A batch's mails on the wire: each distinct notice is built and serialized by Django once per
batch, and every recipient's copy is those bytes with its own `To`, `Date` and `Message-ID` lines.

Why: building and serializing the MIME with Python's `email` package was three quarters of a batch
worker's CPU per mail (cProfile of `do_deliver_email_batch`; benchmarks/README.md, "The notice
serialized once per batch"), and a notice to thousands of people is the same subject, sender
and bodies for everybody who reads one language. Django still builds every byte of the message: this
module only swaps three header lines that Django writes on one line each, and only when the new line
is written the same way Django would write it (a plain ASCII address, no folding). Any other mail
(an internationalised address, a long host name) is built whole, exactly as before.
`tests/portal/test_mail_wire.py` compares both ways on a real SMTP session."""

import re
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import DNS_NAME, sanitize_address

# An address that Django writes unchanged in the envelope and in the To header (no quoting, no
# encoded words, no IDNA): ASCII dot-atom local part, ASCII host name labels.
_PLAIN_ADDRESS = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
# Django's generator folds a header longer than this (RFC 5322's recommended line length).
_LINE_LENGTH = 78
_TO = b"To: to@placeholder.invalid"
_DATE = b"Date: date-placeholder"
_MESSAGE_ID = b"Message-ID: <message-id@placeholder.invalid>"


def build_message(*, subject, body_text, body_html, from_email, to, headers=None) -> EmailMultiAlternatives:
    """A notice as Django sends it: the text body and its HTML alternative."""
    message = EmailMultiAlternatives(
        subject=subject,
        body=body_text,
        from_email=from_email,
        to=[to],
        headers={"Auto-Submitted": "auto-generated", **(headers or {})},
    )
    message.attach_alternative(body_html, "text/html")
    return message


class _Template:
    """One notice serialized with placeholder lines; `fill()` puts a recipient's lines in."""

    def __init__(self, *, subject, body_text, body_html, from_email):
        message = build_message(
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            from_email=from_email,
            to=_TO.split(b": ", 1)[1].decode(),
            headers={
                "Date": _DATE.split(b": ", 1)[1].decode(),
                "Message-ID": _MESSAGE_ID.split(b": ", 1)[1].decode(),
            },
        )
        self.envelope_from = sanitize_address(
            message.from_email, message.encoding or settings.DEFAULT_CHARSET
        )
        head, _blank, body = message.message().as_bytes(linesep="\r\n").partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        # Each placeholder must be exactly one line of its own, or the template is not used.
        self.usable = all(lines.count(line) == 1 for line in (_TO, _DATE, _MESSAGE_ID))
        self.lines, self.body = lines, body

    def fill(self, to: str) -> bytes:
        own = {
            _TO: b"To: " + to.encode("ascii"),
            _DATE: b"Date: " + formatdate(localtime=settings.EMAIL_USE_LOCALTIME).encode("ascii"),
            _MESSAGE_ID: b"Message-ID: " + make_msgid(domain=DNS_NAME).encode("ascii"),
        }
        if any(len(line) > _LINE_LENGTH for line in own.values()):
            raise _BuildWhole
        return b"\r\n".join(own.get(line, line) for line in self.lines) + b"\r\n\r\n" + self.body


class _BuildWhole(Exception):
    """This mail's own lines would not be written on one line each: Django builds it whole."""


class Wire:
    """The serialized notices of one batch, by sender, subject and bodies."""

    def __init__(self):
        self._templates: dict[tuple, _Template] = {}

    def bytes_for(self, email, from_email: str):
        """(envelope sender, [recipient], message bytes) for this outbox row, or None when Django
        must build this one whole (`build_message`)."""
        if not _PLAIN_ADDRESS.fullmatch(email.to):
            return None
        key = (from_email, email.subject, email.body_text, email.body_html)
        template = self._templates.get(key)
        if template is None:
            template = self._templates[key] = _Template(
                subject=email.subject,
                body_text=email.body_text,
                body_html=email.body_html,
                from_email=from_email,
            )
        if not template.usable:
            return None
        try:
            return template.envelope_from, [email.to], template.fill(email.to)
        except _BuildWhole:
            return None
