from django.core.mail.backends.base import BaseEmailBackend


class MailboxBackend(BaseEmailBackend):
    """Delivers to the development mailbox table (the embedded default and the tests)."""

    def send_messages(self, email_messages):
        from .models import MailboxMessage

        for message in email_messages:
            html = next(
                (content for content, mime in getattr(message, "alternatives", []) if mime == "text/html"), ""
            )
            MailboxMessage.objects.create(
                to=", ".join(message.recipients()),
                from_email=message.from_email,
                subject=message.subject,
                body_text=message.body,
                body_html=html,
            )
        return len(email_messages)
