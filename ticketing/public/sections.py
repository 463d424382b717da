"""The tickets block of the public event page (``eventhub.pagesections``), registered by
``TicketingConfig.ready``. It is the same for every visitor: no form, no token; buying starts
on the shop page."""

from typing import Any

from django.utils import timezone

from eventhub.pagesections import EventPageSection, register_event_section
from events.models import Event

from ..selectors import sales as selectors


def ticket_offers(*, event: Event) -> list[dict[str, Any]]:
    """The ticket types on sale now, each with its price and how many are left."""
    now = timezone.now()
    ticket_types = list(selectors.ticket_types_on_sale(event=event, now=now))
    available = selectors.ticket_type_availability(ticket_types=ticket_types, now=now)
    return [{"ticket_type": t, "available": available[t.pk], "free": t.price == 0} for t in ticket_types]


def _tickets_context(event: Event) -> dict[str, Any] | None:
    offers = ticket_offers(event=event)
    return {"event": event, "offers": offers} if offers else None


def register() -> None:
    register_event_section(
        EventPageSection(
            name="tickets", template="ticketing/public/_event_tickets.html", context=_tickets_context, order=10
        )
    )
