from celery import shared_task

from eventhub.celery import EventHubTask

from .services import stream_purge_expired


@shared_task(base=EventHubTask)  # type: ignore[untyped-decorator]  # celery ships no type hints
def purge_expired_stream_entries() -> int:
    """Periodic: drop stream entries past their retention window (idempotent)."""
    return stream_purge_expired()
