"""The ticketing app's part of ``seed_demo`` (``eventhub.seeding``): ticket types, a quota, paid
and free orders with tickets for some demo attendees, two gates and a scanner device. Idempotent
(keyed by names and emails); called with scopes disabled, after the events demo (whose event and
attendees it reads from ``context.shared``)."""

import hashlib
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from eventhub.seeding import DemoContext
from events.enums import ParticipantKind
from events.models import Event

from .enums import OrderStatus, PaymentKind, PaymentProvider, PaymentStatus
from .models import CheckInConfig, Gate, Order, OrderPosition, Payment, Quota, ScannerDevice, TicketType
from .services.tickets import tickets_issue

# The demo scanner's token (the device stores only its sha256): a published demo credential.
DEMO_SCANNER_TOKEN = "demo-scanner-token"  # noqa: S105 (a published demo credential)
PAID_ATTENDEES = 20
FREE_ATTENDEES = 10


def _order(*, event: Event, user: User, ticket_type: TicketType, paid: bool) -> None:
    if Order.objects.filter(event=event, user=user, positions__ticket_type=ticket_type).exists():
        return
    now = timezone.now()
    name = user.profile.full_name if hasattr(user, "profile") else user.email
    order = Order.objects.create(
        event=event,
        user=user,
        email=user.email,
        status=OrderStatus.PAID,
        total=ticket_type.price,
        currency=ticket_type.currency,
        paid_at=now,
    )
    OrderPosition.objects.create(
        order=order, ticket_type=ticket_type, price=ticket_type.price, attendee_name=name, attendee_email=user.email
    )
    Payment.objects.create(
        order=order,
        provider=PaymentProvider.STRIPE if paid else PaymentProvider.FREE,
        kind=PaymentKind.PAYMENT_INTENT,
        status=PaymentStatus.SUCCEEDED,
        amount=ticket_type.price,
        currency=ticket_type.currency,
        stripe_payment_intent_id=f"pi_demo_{order.code}" if paid else "",
        succeeded_at=now,
    )
    tickets_issue(order=order)


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

    for user in attendees[:PAID_ATTENDEES]:
        _order(event=event, user=user, ticket_type=regular, paid=True)
    for user in attendees[PAID_ATTENDEES : PAID_ATTENDEES + FREE_ATTENDEES]:
        _order(event=event, user=user, ticket_type=community, paid=False)

    main, _ = Gate.objects.get_or_create(event=event, name="Main entrance")
    main.ticket_types.add(regular, community, vip)
    side, _ = Gate.objects.get_or_create(event=event, name="VIP entrance")
    side.ticket_types.add(vip)
    # The main hall holds 800: the live dashboard shows occupancy and alerts at 90 %.
    CheckInConfig.objects.get_or_create(event=event, defaults={"capacity": 800})
    token_hash = hashlib.sha256(DEMO_SCANNER_TOKEN.encode()).hexdigest()
    ScannerDevice.objects.get_or_create(
        token_hash=token_hash, defaults={"event": event, "name": "Demo scanner (main)", "gate": main}
    )


def seed(context: DemoContext) -> None:
    seed_ticketing(event=context.shared["events.event"], attendees=context.shared["events.attendees"])
