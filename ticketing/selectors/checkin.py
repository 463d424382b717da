"""Reads for tickets and check-in: an attendee's tickets, gates and devices, the offline ticket
list for scanners, the live dashboard figures and the name search for manual check-in. Call
them inside the tenant scope. The ``*_access`` helpers fetch and authorize in one call
(``access.reachable``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from accounts.models import User
from eventhub.access import reachable
from events.models import Event

from ..enums import CheckInKind, OrderStatus
from ..models import CheckIn, CheckInConfig, Gate, ScanLog, ScannerDevice, Ticket

PAID_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)
DEFAULT_ALERT_THRESHOLD_PERCENT = 90
# Tickets are valid from this long before the event starts unless the event says otherwise.
DEFAULT_OPENS_BEFORE = timedelta(hours=6)
RATE_WINDOW = timedelta(minutes=5)


def checkin_opens_at(*, event: Event, config: CheckInConfig | None) -> datetime:
    """From when the event's tickets admit: the configured time, else ``DEFAULT_OPENS_BEFORE``
    the start (the scan's ``not_yet_valid`` check; the scanner config tells devices)."""
    if config is not None and config.opens_at is not None:
        return config.opens_at
    return event.start - DEFAULT_OPENS_BEFORE


def tickets_of_user(*, event: Event, user: User) -> QuerySet[Ticket]:
    """The user's tickets for the event (those of orders they placed), revoked ones included."""
    return (
        Ticket.objects.filter(event=event, order_position__order__user=user)
        .select_related("order_position__order", "order_position__ticket_type")
        .order_by("id")
    )


def ticket_access(*, user: User | AnonymousUser, event: Event, ticket_id: int, permission: str | None) -> Ticket:
    """The event's ticket ``ticket_id`` (with its order and type): any ticket of the event for a
    holder of ``permission`` on it (staff); with ``permission=None``, only one of an order the
    user placed (the holder's API)."""
    tickets: QuerySet[Ticket]
    if permission is not None:
        tickets = Ticket.objects.filter(event=event)
    elif isinstance(user, User):
        tickets = tickets_of_user(event=event, user=user)
    else:  # anonymous: owns nothing
        tickets = Ticket.objects.none()
    ticket = tickets.filter(pk=ticket_id).select_related("order_position__order", "order_position__ticket_type").first()
    return reachable(ticket, user=user, permission=permission, target=event)


def ticket_status(ticket: Ticket) -> str:
    """``valid``, ``revoked`` or ``unpaid`` — what a scanner would answer before the gate and
    time checks."""
    if ticket.revoked:
        return "revoked"
    if ticket.order_position.order.status not in PAID_STATUSES:
        return "unpaid"
    return "valid"


def gates_of_event(*, event: Event) -> QuerySet[Gate]:
    return Gate.objects.filter(event=event).prefetch_related("ticket_types").order_by("name")


def gate_for_ticket_type(*, gates: list[Gate], ticket_type_id: int, preferred_id: int | None = None) -> Gate | None:
    """The gate manual check-in should offer first for a ticket type: the operator's last gate
    if it admits the type, else the first gate that does (a gate without ticket types admits
    all); None when no gate admits it. ``gates`` with their ticket types prefetched."""

    def admits(gate: Gate) -> bool:
        types = [t.pk for t in gate.ticket_types.all()]
        return not types or ticket_type_id in types

    preferred = next((g for g in gates if g.pk == preferred_id), None)
    if preferred is not None and admits(preferred):
        return preferred
    return next((g for g in gates if admits(g)), None)


def gate_access(*, user: User | AnonymousUser, event: Event, gate_id: int, permission: str) -> Gate:
    gate = Gate.objects.filter(event=event, pk=gate_id).first()
    return reachable(gate, user=user, permission=permission, target=event)


def devices_of_event(*, event: Event) -> QuerySet[ScannerDevice]:
    return ScannerDevice.objects.filter(event=event).select_related("gate").order_by("revoked_at", "name", "id")


def device_access(*, user: User | AnonymousUser, event: Event, device_id: int, permission: str) -> ScannerDevice:
    device = ScannerDevice.objects.filter(event=event, pk=device_id).first()
    return reachable(device, user=user, permission=permission, target=event)


def inside_now() -> Exists:
    """Whether a ticket's last active (not undone) check-in is an entry: it is inside now."""
    last = CheckIn.objects.filter(ticket=OuterRef(OuterRef("pk")), undone_at__isnull=True).order_by("-id")
    return Exists(CheckIn.objects.filter(ticket=OuterRef("pk"), kind=CheckInKind.ENTRY, pk__in=last.values("pk")[:1]))


def scanner_ticket_list(*, event: Event) -> QuerySet[Ticket]:
    """Every ticket of the event, for a scanner's offline copy: id, secret hash (computed by the
    serializer), ticket type, status, whether it is inside now."""
    return (
        Ticket.objects.filter(event=event)
        .select_related("order_position__order", "order_position__ticket_type")
        .annotate(inside=inside_now())
        .order_by("id")
    )


def ticket_search(*, event: Event, query: str, limit: int = 20) -> list[Ticket]:
    """Tickets by attendee name, order code or email, for manual check-in; each with
    ``inside`` (checked in now) and ``status``."""
    query = query.strip()
    if len(query) < 2:
        return []
    tickets = (
        Ticket.objects.filter(event=event)
        .filter(
            Q(attendee_name__icontains=query)
            | Q(order_position__order__code__iexact=query)
            | Q(order_position__attendee_email__iexact=query)
            | Q(order_position__order__email__iexact=query)
        )
        .select_related("order_position__order", "order_position__ticket_type")
        .annotate(inside=inside_now())
        .order_by("attendee_name", "id")[:limit]
    )
    found: list[Ticket] = list(tickets)
    for ticket in found:
        ticket.status = ticket_status(ticket)  # type: ignore[attr-defined]  # for the template
    return found


@dataclass(frozen=True)
class GateFigures:
    gate_id: int
    name: str
    ticket_types: list[str]
    entries_last_minute: int
    scans_per_minute: float
    outstanding: float
    wait_minutes: float | None


@dataclass(frozen=True)
class CheckInDashboard:
    inside: int
    capacity: int | None
    percent: float | None
    threshold_percent: int
    alert_active: bool
    expected: int
    arrived: int
    outstanding: int
    gates: list[GateFigures]
    at: datetime


def checkin_dashboard(*, event: Event, now: datetime | None = None) -> CheckInDashboard:
    """The figures of the live check-in dashboard.

    - inside, arrived: the occupancy counters (moved with every check-in).
    - expected: valid tickets (paid, not revoked); outstanding: those never admitted.
    - per gate: entries in the last minute; scans per minute over the last five (check-ins,
      exits and rejected scans — each is a person at the gate); the outstanding arrivals this gate
      can expect (each ticket type's outstanding tickets split evenly over the gates that
      admit it); and the estimated wait = that share / the gate's current rate: how long the
      gate needs at its present pace, the best stand-in for a queue nobody counts.
    """
    now = now or timezone.now()
    config = CheckInConfig.objects.filter(event=event).first()
    capacity = config.capacity if config else None
    inside = config.inside if config else 0
    threshold = (config.alert_threshold_percent if config else None) or DEFAULT_ALERT_THRESHOLD_PERCENT
    ever_entered = CheckIn.objects.filter(ticket=OuterRef("pk"), kind=CheckInKind.ENTRY, undone_at__isnull=True)
    per_type = (
        Ticket.objects.filter(event=event, revoked=False, order_position__order__status__in=PAID_STATUSES)
        .values("order_position__ticket_type_id")
        .annotate(
            expected=Count("pk"),
            outstanding=Count("pk", filter=~Q(Exists(ever_entered))),
        )
        .order_by()
    )
    expected_by_type = {row["order_position__ticket_type_id"]: row for row in per_type}
    expected = sum(row["expected"] for row in expected_by_type.values())
    outstanding = sum(row["outstanding"] for row in expected_by_type.values())

    gates = list(gates_of_event(event=event))
    admitting: dict[int, list[int]] = {}
    for gate in gates:
        admitted = [t.pk for t in gate.ticket_types.all()] or list(expected_by_type)
        for type_id in admitted:
            admitting.setdefault(type_id, []).append(gate.pk)
    entries = dict(
        CheckIn.objects.filter(
            event=event, kind=CheckInKind.ENTRY, undone_at__isnull=True, scanned_at__gt=now - timedelta(minutes=1)
        )
        .values("gate_id")
        .annotate(n=Count("pk"))
        .values_list("gate_id", "n")
        .order_by()
    )
    # Every scan in the window: check-ins (entries and exits) and rejected scans.
    scans: dict[int | None, int] = {}
    for queryset in (
        CheckIn.objects.filter(event=event, scanned_at__gt=now - RATE_WINDOW),
        ScanLog.objects.filter(event=event, scanned_at__gt=now - RATE_WINDOW, checkin__isnull=True),
    ):
        for gate_id, n in queryset.values("gate_id").annotate(n=Count("pk")).values_list("gate_id", "n").order_by():
            scans[gate_id] = scans.get(gate_id, 0) + n
    figures = []
    for gate in gates:
        share = sum(
            row["outstanding"] / len(admitting[type_id])
            for type_id, row in expected_by_type.items()
            if gate.pk in admitting.get(type_id, [])
        )
        rate = scans.get(gate.pk, 0) / (RATE_WINDOW.total_seconds() / 60)
        figures.append(
            GateFigures(
                gate_id=gate.pk,
                name=gate.name,
                ticket_types=[t.name for t in gate.ticket_types.all()],
                entries_last_minute=entries.get(gate.pk, 0),
                scans_per_minute=round(rate, 1),
                outstanding=round(share, 1),
                wait_minutes=round(share / rate, 1) if rate > 0 else None,
            )
        )
    return CheckInDashboard(
        inside=inside,
        capacity=capacity,
        percent=round(inside * 100 / capacity, 1) if capacity else None,
        threshold_percent=threshold,
        alert_active=bool(config and config.alert_active),
        expected=expected,
        arrived=config.arrived if config else 0,
        outstanding=outstanding,
        gates=figures,
        at=now,
    )


def scan_log(
    *, event: Event, query: str = "", result: str = "", gate_id: int | None = None, limit: int | None = None
) -> QuerySet[ScanLog]:
    """The stored scan log, newest first: every scan by a device or a staff member, with its
    answer. ``query`` matches the attendee name, the order code or the device's name."""
    logs = ScanLog.objects.filter(event=event).select_related(
        "ticket__order_position__order", "ticket__order_position__ticket_type", "gate", "device"
    )
    query = query.strip()
    if query:
        logs = logs.filter(
            Q(ticket__attendee_name__icontains=query)
            | Q(ticket__order_position__order__code__iexact=query)
            | Q(device__name__icontains=query)
        )
    if result:
        logs = logs.filter(result=result)
    if gate_id is not None:
        logs = logs.filter(gate_id=gate_id)
    logs = logs.order_by("-scanned_at", "-id")
    return logs[:limit] if limit is not None else logs


def attendee_list(*, event: Event, ticket_type_id: int | None = None) -> QuerySet[Ticket]:
    """Valid tickets of paid orders by attendee name, for the printable door list."""
    tickets = (
        Ticket.objects.filter(event=event, revoked=False, order_position__order__status__in=PAID_STATUSES)
        .select_related("order_position__order", "order_position__ticket_type")
        .order_by("attendee_name", "id")
    )
    if ticket_type_id is not None:
        tickets = tickets.filter(order_position__ticket_type_id=ticket_type_id)
    return tickets
