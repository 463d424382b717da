"""What reaches the buyer: an entry on their ``user:<id>`` stream (inside the caller's
transaction) and an email (sent after commit, so a rolled-back change mails nobody)."""

from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from eventhub.realtime.services import stream_append
from eventhub.realtime.streams import user_stream

from ..enums import EntryType


def _send(*, subject: str, body: str, to: str) -> None:
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to], fail_silently=True)


def notify(*, user_id: int | None, email: str, type: EntryType, data: dict[str, Any], subject: str, body: str) -> None:
    if user_id is not None:
        stream_append(stream=user_stream(user_id), type=type, data=data)
    if email:
        transaction.on_commit(partial(_send, subject=subject, body=body, to=email), robust=True)
