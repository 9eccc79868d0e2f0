"""The one way mail leaves the portal: render in the recipient's language, queue in the outbox,
enqueue the delivery task once the transaction commits."""

from functools import partial

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation

from .models import OutboundEmail


def send_templated_mail(*, tenant, to: str, language: str, template: str, context=None) -> OutboundEmail:
    """Queue `emails/<template>/{subject.txt,body.txt,body.html}` for `to`; it leaves on commit.

    A mail carries links, never a password, a message body or a document."""
    context = {"tenant": tenant, "base_url": settings.PORTAIL_BASE_URL, **(context or {})}
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


def _enqueue_delivery(email_id: int) -> None:
    from .tasks import deliver_email

    deliver_email.delay(email_id)
