"""An e-mail backend for tests whose SMTP server can be down: while ``OutageBackend.down`` is
set (a count of sends to fail, or True for all of them), sending raises like an unreachable
SMTP server; otherwise it delivers to ``django.core.mail.outbox`` like the locmem backend."""

import smtplib

from django.core.mail.backends.locmem import EmailBackend


class OutageBackend(EmailBackend):
    down: bool | int = False
    refused = 0

    def send_messages(self, messages):
        cls = type(self)
        if cls.down:
            cls.refused += 1
            if cls.down is not True:
                cls.down -= 1
            if self.fail_silently:
                return 0
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)
