"""Mail backends that stand in for a failing SMTP server at the boundary of the mail pipeline."""

import smtplib

from portal.email_backends import MailboxBackend


class FailTwiceBackend(MailboxBackend):
    failures_left = 2

    def send_messages(self, email_messages):
        if FailTwiceBackend.failures_left:
            FailTwiceBackend.failures_left -= 1
            raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")
        return super().send_messages(email_messages)
