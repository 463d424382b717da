"""What reaches the buyer: an entry on their ``user:<id>`` stream and an e-mail, both written in
the caller's transaction (a rolled-back change tells nobody).

E-mails go through the outbox (``eventhub.outbox``), sent once by a retried task."""

from typing import Any

from eventhub.outbox import email_enqueue
from eventhub.realtime.services import stream_append
from eventhub.realtime.streams import user_stream

from ..enums import EntryType


def notify(*, user_id: int | None, email: str, type: EntryType, data: dict[str, Any], subject: str, body: str) -> None:
    if user_id is not None:
        stream_append(stream=user_stream(user_id), type=type, data=data)
    if email:
        email_enqueue(to=email, subject=subject, body=body, type=str(type))
