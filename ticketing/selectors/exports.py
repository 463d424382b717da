"""The ticketing exports' tables (orders, attendees/tickets, check-ins): a header and a row
iterator each, read with ``values_list(...).iterator(chunk_size=...)`` — one chunk of rows in
memory at a time, one query per export whatever its size (no lazy relations). Times in the
event's zone. Column names are a data format (like JSON keys): English, never translated.
Call inside the event's scope; the page checks the permission."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from events.models import Event

from ..models import CheckIn, Order, Ticket

CHUNK = 2000


@dataclass(frozen=True)
class Table:
    name: str
    header: list[str]
    rows: Iterator[tuple[Any, ...]]


def _in_zone(event: Event, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    tz = event.tz
    for row in rows:
        yield tuple(value.astimezone(tz) if isinstance(value, datetime) else value for value in row)


def orders_table(*, event: Event) -> Table:
    rows = (
        Order.objects.filter(event=event)
        .order_by("created_at", "id")
        .values_list("code", "status", "email", "total", "currency", "created_at", "paid_at", "cancelled_at")
        .iterator(chunk_size=CHUNK)
    )
    header = ["code", "status", "email", "total", "currency", "created", "paid", "cancelled"]
    return Table(name="orders", header=header, rows=_in_zone(event, rows))


def tickets_table(*, event: Event) -> Table:
    """One row per ticket: the attendee list."""
    rows = (
        Ticket.objects.filter(event=event)
        .order_by("id")
        .values_list(
            "id",
            "attendee_name",
            "order_position__attendee_email",
            "order_position__ticket_type__name",
            "order_position__order__code",
            "order_position__order__status",
            "revoked",
            "created_at",
        )
        .iterator(chunk_size=CHUNK)
    )
    header = ["ticket", "attendee", "email", "ticket_type", "order", "order_status", "revoked", "issued"]
    return Table(name="attendees", header=header, rows=_in_zone(event, rows))


def checkins_table(*, event: Event) -> Table:
    rows = (
        CheckIn.objects.filter(event=event)
        .order_by("created_at", "id")
        .values_list(
            "id",
            "ticket_id",
            "ticket__attendee_name",
            "kind",
            "gate__name",
            "device__name",
            "created_by__email",
            "scanned_at",
            "undone_at",
        )
        .iterator(chunk_size=CHUNK)
    )
    header = ["checkin", "ticket", "attendee", "kind", "gate", "device", "by", "scanned", "undone"]
    return Table(name="checkins", header=header, rows=_in_zone(event, rows))
