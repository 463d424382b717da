from celery import shared_task
from django_scopes import scope

from eventhub.celery import EventHubTask

from .services.organizations import event_advance_statuses


@shared_task(base=EventHubTask)
def advance_event_statuses() -> list[int]:
    """Periodic: move events to live at their start and to ended at their end, announcing each
    change on the event's stream. Runs across every organization (the scope says so)."""
    with scope(organization=None):
        return event_advance_statuses()
