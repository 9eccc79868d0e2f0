"""The one way mail leaves the portal: render in the recipient's language, queue in the outbox,
enqueue the delivery task once the transaction commits."""

import re
from email.utils import parseaddr
from functools import partial

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import OutboundEmail, Tenant

# The accent goes into style attributes of the HTML part; only a plain hex colour may.
_HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def send_templated_mail(*, tenant, to: str, language: str, template: str, context=None) -> OutboundEmail:
    """Queue `emails/<template>/{subject.txt,body.txt,body.html}` for `to`; it leaves on commit.

    A mail carries links, never a password, a message body or a document."""
    context = {
        "tenant": tenant,
        "accent_colour": accent_colour(tenant),
        "base_url": settings.PORTAIL_BASE_URL,
        **(context or {}),
    }
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{template}/subject.txt", context).split())
        body_text = render_to_string(f"emails/{template}/body.txt", context)
        body_html = render_to_string(f"emails/{template}/body.html", context)
    email = OutboundEmail.objects.create(
        tenant=tenant,
        to=to,
        language=language,
        template=template,
        subject=subject[:250],
        body_text=body_text,
        body_html=body_html,
    )
    transaction.on_commit(partial(_enqueue_delivery, email.pk))
    return email


def accent_colour(tenant) -> str:
    """The tenant's accent for its mails (the header band of its pages uses the same colour)."""
    colour = getattr(tenant, "accent_colour", "")
    if _HEX_COLOUR.fullmatch(colour or ""):
        return colour
    return Tenant._meta.get_field("accent_colour").default


def _enqueue_delivery(email_id: int) -> None:
    from .tasks import deliver_email

    deliver_email.delay(email_id)


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
