from celery import shared_task
from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from .celery import EventHubTask
from .models import OutboundEmail
from .outbox import outbox_send, outbox_send_pending


@shared_task(base=EventHubTask, bind=True, max_retries=6)
def send_email(self, *, key: str) -> str:
    """Send one outbox e-mail (``eventhub.outbox``); an SMTP failure is retried with backoff
    (10 s, 20 s, … about 10 minutes in all), then left to the sweep. Sends once however often
    it runs."""
    outcome = outbox_send(key=key)
    if outcome == "failed" and self.request.retries < self.max_retries:
        raise self.retry(countdown=10 * 2**self.request.retries)
    return outcome


@shared_task(base=EventHubTask)
def send_pending_emails() -> dict[str, int]:
    """Periodic: send the outbox e-mails a lost queue message or an SMTP outage left unsent."""
    return outbox_send_pending()


@receiver(post_save, sender=OutboundEmail, dispatch_uid="eventhub.outbox_relay")
def _relay(sender: type[OutboundEmail], instance: OutboundEmail, created: bool, **kwargs: object) -> None:
    """Queue a new outbox row's task once its transaction commits (a broker that cannot be
    reached then is logged, and the sweep sends the row later)."""
    if not created:
        return
    key = str(instance.key)

    def queue_send_email() -> None:  # a named function: robust on_commit logs its __qualname__
        send_email.delay(key=key)

    transaction.on_commit(queue_send_email, robust=True)
