from celery import shared_task
from django_scopes import scope

from eventhub.celery import EventHubTask

from .services.orders import orders_expire
from .services.waiting_list import offers_expire, waiting_lists_offer


@shared_task(base=EventHubTask)
def expire_reservations() -> dict[str, int]:
    """Periodic: expire pending orders whose reservation ran out and waiting-list offers past
    their time, then offer the capacity that came back to the people waiting. Idempotent; runs
    across every organization (the scope says so)."""
    with scope(organization=None):
        expired = orders_expire()
        lapsed = offers_expire()
        offered = waiting_lists_offer()
    return {"expired_orders": len(expired), "lapsed_offers": lapsed, "offers": offered}
