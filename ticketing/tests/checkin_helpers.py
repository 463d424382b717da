"""Builders for the ticket and check-in tests: an event whose check-in is open, paid tickets,
gates and registered scanner devices. Scopes are disabled inside (fixtures only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django_scopes import scopes_disabled

from eventhub.testing.factories import EventFactory, MemberFactory, UserFactory
from events.enums import MemberRole
from events.models import Event

from ..enums import OrderStatus
from ..models import Gate, Order, OrderPosition, ScannerDevice, Ticket, TicketType
from ..services.scanner import device_register
from ..services.tickets import ticket_payload, tickets_issue


def paid_tickets(
    *, event: Event, ticket_type: TicketType, count: int, user=None, status: str = OrderStatus.PAID, prefix="Guest"
) -> list[Ticket]:
    """``count`` tickets in one order (of ``user``, if given), issued through ``tickets_issue``."""
    with scopes_disabled():
        order = Order.objects.create(
            event=event,
            user=user,
            email=user.email if user else "buyer@example.org",
            status=status,
            total=ticket_type.price * count,
            paid_at=timezone.now() if status == OrderStatus.PAID else None,
        )
        OrderPosition.objects.bulk_create(
            OrderPosition(
                order=order,
                ticket_type=ticket_type,
                price=ticket_type.price,
                attendee_name=f"{prefix} {order.pk}-{i}",
                attendee_email=f"guest{order.pk}-{i}@example.org",
                position=i,
            )
            for i in range(count)
        )
        return tickets_issue(order=order)


def payload(ticket: Ticket) -> str:
    with scopes_disabled():
        return ticket_payload(ticket=ticket)


@dataclass
class Venue:
    event: Event
    owner: Any
    operator: Any
    regular: TicketType
    vip: TicketType
    gates: list[Gate]
    devices: list[ScannerDevice] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)

    def device_headers(self, index: int = 0) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Device {self.tokens[index]}"}

    def url(self, tail: str) -> str:
        return f"/api/v1/events/{self.event.pk}/{tail}"


def venue(*, gates: int = 2, devices: int = 2, start_in: timedelta = timedelta(hours=1), **event_fields) -> Venue:
    """An event starting soon (its tickets are valid from 6 hours before the start), with an
    owner and an operator, ticket types Regular and VIP, ``gates`` gates admitting all types
    (the last one VIP only when there are three or more) and one device per gate."""
    with scopes_disabled():
        now = timezone.now()
        event = EventFactory(start=now + start_in, end=now + start_in + timedelta(hours=8), **event_fields)
        owner = MemberFactory(organization=event.organization, role=MemberRole.OWNER).user
        operator = MemberFactory(organization=event.organization, role=MemberRole.OPERATOR).user
        regular = TicketType.objects.create(event=event, name="Regular", price=Decimal("20.00"))
        vip = TicketType.objects.create(event=event, name="VIP", price=Decimal("90.00"))
        made = []
        for index in range(gates):
            gate = Gate.objects.create(event=event, name=f"Gate {chr(65 + index)}")
            if gates >= 3 and index == gates - 1:
                gate.ticket_types.set([vip])
            made.append(gate)
        result = Venue(event=event, owner=owner, operator=operator, regular=regular, vip=vip, gates=made)
        for index in range(devices):
            device, token = device_register(
                actor=owner, event=event, name=f"Scanner {index + 1}", gate=made[index % len(made)] if made else None
            )
            result.devices.append(device)
            result.tokens.append(token)
    return result


def attendee():
    return UserFactory()
