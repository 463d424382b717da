"""The e-mail outbox every app writes to (``OutboundEmail``): the row commits with the change
it tells about, and on commit ``eventhub.tasks.send_email`` is queued for it (the tasks module
relays every new row, ``tasks._relay``); the task retries an SMTP failure with backoff, and the
periodic ``send_pending_emails`` sweeps whatever a lost queue message or an outage left unsent.
A row is sent under its row lock and marked sent in the same transaction, so it is sent once (a
crash between the SMTP server's acceptance and our commit is the one case that sends again; the
Message-ID, ``<outbox-<key>@eventhub>``, then names the same message). This is the hand-off
point for the notifications app that will take these over."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import OutboundEmail

logger = logging.getLogger(__name__)

# A new row is the queued task's for this long before the sweep takes it too; rows older than
# GIVE_UP_AFTER are no longer tried (they stay for an operator); sent rows are kept KEEP_SENT.
SWEEP_GRACE = timedelta(minutes=1)
GIVE_UP_AFTER = timedelta(days=3)
KEEP_SENT = timedelta(days=7)


def email_enqueue(*, to: str, subject: str, body: str, type: str = "") -> OutboundEmail:
    """Write an e-mail to the outbox in the caller's transaction (a rolled-back change sends
    nothing); ``type`` names what it tells about (the stream entry type it goes with)."""
    return OutboundEmail.objects.create(to=to, subject=subject, body=body, type=type)


def outbox_send(*, key: str, now: datetime | None = None) -> str:
    """Send the outbox row ``key`` unless it is sent or being sent: ``"sent"``, ``"skipped"``
    (sent already, taken by a concurrent sender, or unknown) or ``"failed"`` (the SMTP server
    refused; attempts and the error are recorded, the row stays pending)."""
    with transaction.atomic():
        row = (
            OutboundEmail.objects.filter(key=key, sent_at__isnull=True)
            .select_for_update(of=("self",), skip_locked=True)
            .first()
        )
        if row is None:
            return "skipped"
        row.attempts += 1
        row.last_attempt_at = now or timezone.now()
        message = EmailMessage(
            row.subject,
            row.body,
            settings.DEFAULT_FROM_EMAIL,
            [row.to],
            headers={"Message-ID": f"<outbox-{row.key}@eventhub>"},
        )
        try:
            message.send(fail_silently=False)
        except Exception as error:  # SMTP and connection errors of any backend
            row.last_error = f"{type(error).__name__}: {error}"[:2000]
            row.save(update_fields=["attempts", "last_attempt_at", "last_error"])
            logger.warning("e-mail %s not sent (attempt %s): %s", row.key, row.attempts, row.last_error)
            return "failed"
        row.sent_at = row.last_attempt_at
        row.save(update_fields=["attempts", "last_attempt_at", "sent_at"])
    return "sent"


def outbox_send_pending(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """The sweep: send every due row — one that failed before, or one older than the grace its
    queued task had — oldest first, up to ``limit``; forget sent rows past ``KEEP_SENT``."""
    now = now or timezone.now()
    due = (
        OutboundEmail.objects.filter(sent_at__isnull=True, created_at__gte=now - GIVE_UP_AFTER)
        .filter(Q(attempts__gt=0) | Q(created_at__lte=now - SWEEP_GRACE))
        .order_by("created_at", "id")
        .values_list("key", flat=True)[:limit]
    )
    outcomes: dict[str, int] = {"sent": 0, "skipped": 0, "failed": 0}
    for key in list(due):
        outcomes[outbox_send(key=str(key), now=now)] += 1
    outcomes["forgotten"] = OutboundEmail.objects.filter(sent_at__lte=now - KEEP_SENT).delete()[0]
    return outcomes
