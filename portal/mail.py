"""The one way mail leaves the portal: render in the recipient's language, queue in the outbox,
enqueue the delivery task once the transaction commits."""

import logging
import re
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.db import transaction
from django.template.loader import get_template
from django.utils import translation

from .models import OutboundEmail, Tenant

# The accent goes into style attributes of the HTML part; only a plain hex colour may.
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
_PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}

logger = logging.getLogger(__name__)


def send_templated_mail(*, tenant, to: str, language: str, template: str, context=None) -> OutboundEmail:
    """Queue `emails/<template>/{subject.txt,body.txt,body.html}` for `to`; it leaves on commit.

    A mail carries links, never a password, a message body or a document."""
    [email] = send_templated_mail_many(
        tenant=tenant, recipients=[(to, language, context or {})], template=template
    )
    return email


def send_templated_mail_many(*, tenant, recipients, template: str, context=None) -> list[OutboundEmail]:
    """Queue one mail per `(to, language, own_context)` of `recipients`, each in its own language;
    they leave on commit. `context` is shared by all; a recipient whose own context is None gets
    the mail rendered once for their language (a notice), otherwise it is rendered for them.

    A constant number of round trips whatever the count: one INSERT (on PostgreSQL; SQLite splits
    it at its 999 parameters) and one task, which the worker splits into batches of
    MAIL_BATCH_SIZE, each sent over one SMTP session."""
    common = {
        "tenant": tenant,
        "accent_colour": accent_colour(tenant),
        "base_url": settings.PORTAIL_BASE_URL,
        **(context or {}),
    }
    parts = [get_template(f"emails/{template}/{name}") for name in ("subject.txt", "body.txt", "body.html")]
    by_language = {}  # one language switch per language, not per recipient
    for index, (to, language, own) in enumerate(recipients):
        by_language.setdefault(language, []).append((index, to, own))
    rows = [None] * len(recipients)  # in the callers' order
    for language, group in by_language.items():
        shared = None
        with translation.override(language):
            for index, to, own in group:
                if own is None:
                    shared = shared or [part.render(common) for part in parts]
                    subject, body_text, body_html = shared
                else:
                    subject, body_text, body_html = (part.render({**common, **own}) for part in parts)
                rows[index] = OutboundEmail(
                    tenant=tenant,
                    to=to,
                    language=language,
                    template=template,
                    subject=" ".join(subject.split())[:250],
                    body_text=body_text,
                    body_html=body_html,
                )
    # tenant-guard: every row is built above with the tenant passed in
    emails = OutboundEmail.objects.bulk_create(rows, batch_size=10_000)
    if emails:
        transaction.on_commit(partial(_enqueue_delivery, [email.pk for email in emails]))
    return emails


def accent_colour(tenant) -> str:
    """The tenant's accent for its mails (the header band of its pages uses the same colour)."""
    colour = getattr(tenant, "accent_colour", "")
    if _HEX_COLOUR.fullmatch(colour or ""):
        return colour
    return Tenant._meta.get_field("accent_colour").default


def _enqueue_delivery(email_ids: list[int]) -> None:
    """Publish one task for the ids. With the broker down the request still succeeds: the rows stay
    queued and unclaimed, and the periodic sweep (portal.tasks.sweep_outbox) delivers them."""
    from .tasks import deliver_email_batch

    try:
        # A short publish retry: a request does not wait long for a broker that is down.
        deliver_email_batch.apply_async(args=(email_ids,), retry_policy=_PUBLISH_RETRY)
    except Exception:  # noqa: BLE001 - any broker failure: the sweep is the way out, the request is not
        logger.exception("could not enqueue %d mail(s); the outbox sweep will deliver them", len(email_ids))


def sender(tenant, language: str) -> str:
    """Who a mail is from: the tenant's name, in the mail's language, on the portal's own address
    ("Coffre-fort démo <no-reply@portail.example>"). A mail from "Portail" about an account of an
    organisation the person knows under another name reads like phishing. The address stays the
    portal's: it is the one the mail domain signs (SPF, DKIM)."""
    default_name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if tenant is None:
        return settings.DEFAULT_FROM_EMAIL
    with translation.override(language):
        name = " ".join(str(tenant.name).split())  # one line: a header must not be split
    name = (name or default_name).replace("\\", "\\\\").replace('"', '\\"')
    # Django encodes the header (RFC 2047) when it sends; here the name stays readable.
    return f'"{name}" <{address}>'
