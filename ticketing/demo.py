"""The ticketing app's part of ``seed_demo`` (``eventhub.seeding``): ticket types, a quota, the
organization's manual payment methods (bank transfer, pay at the door), paid (by bank
transfer: refundable in the portal), free and pending orders spread over the sales period, two
gates, a scanner device, and — once the event has begun — check-ins spread over its first
morning. Idempotent
(keyed by names and emails); called with scopes disabled, after the events demo (whose event and
attendees it reads from ``context.shared``)."""

import hashlib
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from eventhub.seeding import DemoContext
from events.enums import ParticipantKind
from events.models import Event

from .enums import CheckInKind, OrderStatus, PaymentKind, PaymentProvider, PaymentStatus
from .models import (
    CheckIn,
    CheckInConfig,
    Gate,
    Order,
    OrderPosition,
    Payment,
    PaymentSettings,
    Quota,
    ScanLog,
    ScannerDevice,
    Ticket,
    TicketType,
)
from .services.tickets import tickets_issue

# The demo scanner's token (the device stores only its sha256): a published demo credential.
DEMO_SCANNER_TOKEN = "demo-scanner-token"  # noqa: S105 (a published demo credential)
PAID_ATTENDEES = 20
FREE_ATTENDEES = 10
PENDING_ATTENDEES = 5  # bank transfers on their way
SALES_DAYS = 42  # orders spread over the six weeks before the seeding
MANUAL_PAYMENT_DAYS = 7


def _order(
    *, event: Event, user: User, ticket_type: TicketType, paid: bool, created_at: datetime, pending: bool = False
) -> Order | None:
    """One demo order. Paid ones went by bank transfer (a manual method the organizer settles,
    so the portal can refund them); ``pending`` ones still wait for the transfer, reserved for
    the organization's payment days."""
    if Order.objects.filter(event=event, user=user, positions__ticket_type=ticket_type).exists():
        return None
    name = user.profile.full_name if hasattr(user, "profile") else user.email
    provider = PaymentProvider.BANK_TRANSFER if paid or pending else PaymentProvider.FREE
    order = Order.objects.create(
        event=event,
        user=user,
        email=user.email,
        status=OrderStatus.PENDING if pending else OrderStatus.PAID,
        total=ticket_type.price,
        currency=ticket_type.currency,
        paid_at=None if pending else created_at + timedelta(days=1 if paid else 0),
        expires_at=timezone.now() + timedelta(days=MANUAL_PAYMENT_DAYS) if pending else None,
    )
    Order.objects.filter(pk=order.pk).update(created_at=created_at)  # auto_now_add: spread over the sales period
    OrderPosition.objects.create(
        order=order, ticket_type=ticket_type, price=ticket_type.price, attendee_name=name, attendee_email=user.email
    )
    Payment.objects.create(
        order=order,
        provider=provider,
        kind=PaymentKind.MANUAL if provider != PaymentProvider.FREE else PaymentKind.PAYMENT_INTENT,
        status=PaymentStatus.PENDING if pending else PaymentStatus.SUCCEEDED,
        amount=ticket_type.price,
        currency=ticket_type.currency,
        succeeded_at=order.paid_at,
    )
    if not pending:
        tickets_issue(order=order)
    return order


def _sales_day(index: int, count: int, now: datetime) -> datetime:
    """Order ``index`` of ``count``, spread evenly over the SALES_DAYS before now (at varied
    hours), the newest last."""
    days_back = SALES_DAYS * (count - index) / count
    return now - timedelta(days=days_back, hours=(index * 7) % 11)


def _checkins(*, event: Event, gate: Gate, now: datetime) -> None:
    """Check-ins spread over the first morning, once the event has begun: about two in three
    paid tickets, arriving from opening to noon (none before the event starts)."""
    if event.start > now or CheckIn.objects.filter(event=event).exists():
        return
    tickets = list(Ticket.objects.filter(event=event, revoked=False).order_by("pk"))
    window = min(now, event.start + timedelta(hours=3)) - (event.start - timedelta(hours=1))
    arrivals = [t for i, t in enumerate(tickets) if i % 3 != 2]
    for index, ticket in enumerate(arrivals):
        at = event.start - timedelta(hours=1) + window * (index + 1) / (len(arrivals) + 1)
        checkin = CheckIn.objects.create(ticket=ticket, event=event, gate=gate, kind=CheckInKind.ENTRY, scanned_at=at)
        ScanLog.objects.create(
            event=event, gate=gate, ticket=ticket, checkin=checkin, kind=CheckInKind.ENTRY, result="ok", scanned_at=at
        )
    CheckInConfig.objects.filter(event=event).update(inside=len(arrivals), arrived=len(arrivals))


@transaction.atomic
def seed_ticketing(*, event: Event, attendees: list[User]) -> None:
    regular, _ = TicketType.objects.get_or_create(
        event=event,
        name="Regular",
        defaults={"price": Decimal("49.00"), "currency": "EUR", "description": "Entry to all days.", "position": 1},
    )
    community, _ = TicketType.objects.get_or_create(
        event=event,
        name="Community",
        defaults={"price": Decimal("0.00"), "currency": "EUR", "description": "Free, for volunteers.", "position": 2},
    )
    vip, _ = TicketType.objects.get_or_create(
        event=event,
        name="VIP",
        defaults={
            "price": Decimal("199.00"),
            "currency": "EUR",
            "description": "Front rows and the lounge.",
            "participant_kind": ParticipantKind.ATTENDEE,
            "max_per_order": 4,
            "position": 3,
        },
    )
    hall, _ = Quota.objects.get_or_create(event=event, name="Hall capacity", defaults={"size": 500})
    hall.ticket_types.add(regular, community)
    lounge, _ = Quota.objects.get_or_create(event=event, name="VIP lounge", defaults={"size": 40})
    lounge.ticket_types.add(vip)

    PaymentSettings.objects.get_or_create(
        organization_id=event.organization_id,
        defaults={
            "bank_transfer_enabled": True,
            "bank_transfer_details": "EventHub Demo e.V. · IBAN DE02 1203 0000 0000 2020 51 · BIC BYLADEM1001",
            "pay_at_door_enabled": True,
            "manual_payment_days": MANUAL_PAYMENT_DAYS,
        },
    )
    now = timezone.now()
    buyers = [(u, regular, True, False) for u in attendees[:PAID_ATTENDEES]]
    buyers += [(u, community, False, False) for u in attendees[PAID_ATTENDEES : PAID_ATTENDEES + FREE_ATTENDEES]]
    start = PAID_ATTENDEES + FREE_ATTENDEES
    buyers += [(u, regular, False, True) for u in attendees[start : start + PENDING_ATTENDEES]]
    for index, (user, ticket_type, paid, pending) in enumerate(buyers):
        _order(
            event=event,
            user=user,
            ticket_type=ticket_type,
            paid=paid,
            pending=pending,
            created_at=_sales_day(index, len(buyers), now),
        )

    main, _ = Gate.objects.get_or_create(event=event, name="Main entrance")
    main.ticket_types.add(regular, community, vip)
    side, _ = Gate.objects.get_or_create(event=event, name="VIP entrance")
    side.ticket_types.add(vip)
    # The main hall holds 800: the live dashboard shows occupancy and alerts at 90 %.
    CheckInConfig.objects.get_or_create(event=event, defaults={"capacity": 800})
    _checkins(event=event, gate=main, now=now)
    token_hash = hashlib.sha256(DEMO_SCANNER_TOKEN.encode()).hexdigest()
    ScannerDevice.objects.get_or_create(
        token_hash=token_hash, defaults={"event": event, "name": "Demo scanner (main)", "gate": main}
    )


def seed(context: DemoContext) -> None:
    seed_ticketing(event=context.shared["events.event"], attendees=context.shared["events.attendees"])
