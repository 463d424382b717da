"""Reads for order management: the filtered order list and an order's timeline (its own
milestones, its payments and refunds, and every audit entry about it or its tickets)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from eventhub.models import AuditLogEntry
from events.models import Event

from ..models import Order, OrderPosition, Payment, Refund, Ticket


@dataclass(frozen=True)
class OrderFilters:
    query: str = ""
    status: str = ""
    ticket_type_id: int | None = None
    provider: str = ""
    created_from: date | None = None
    created_to: date | None = None


def order_list(*, event: Event, filters: OrderFilters) -> QuerySet[Order]:
    """The event's orders matching every filter given: a code, e-mail (buyer or attendee) or
    attendee name; a status; a ticket type among the positions; a payment method; a creation
    day range (days in the event's zone, both ends included). Newest first, with the ticket
    count."""
    orders = Order.objects.filter(event=event)
    query = filters.query.strip()
    if query:
        matching = OrderPosition.objects.filter(
            Q(attendee_name__icontains=query) | Q(attendee_email__icontains=query)
        ).values("order_id")
        orders = orders.filter(Q(code__iexact=query) | Q(email__icontains=query) | Q(pk__in=matching))
    if filters.status:
        orders = orders.filter(status=filters.status)
    if filters.ticket_type_id is not None:
        orders = orders.filter(
            Exists(OrderPosition.objects.filter(order=OuterRef("pk"), ticket_type_id=filters.ticket_type_id))
        )
    if filters.provider:
        orders = orders.filter(Exists(Payment.objects.filter(order=OuterRef("pk"), provider=filters.provider)))
    zone = event.tz
    if filters.created_from is not None:
        orders = orders.filter(
            created_at__gte=timezone.make_aware(datetime.combine(filters.created_from, time.min), zone)
        )
    if filters.created_to is not None:
        orders = orders.filter(
            created_at__lte=timezone.make_aware(datetime.combine(filters.created_to, time.max), zone)
        )
    return orders.annotate(position_count=Count("positions")).order_by("-created_at", "-id")


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    title: str
    actor: str = ""
    details: dict[str, Any] = field(default_factory=dict)


_AUDIT_TITLES = {
    "order.refunded": lambda c: (
        _("Refunded %(amount)s %(currency)s") % {"amount": c.get("amount"), "currency": c.get("currency")}
    ),
    "order.cancelled": lambda c: _("Cancelled"),
    "order.marked_paid": lambda c: _("Marked as paid"),
    "order.confirmation_resent": lambda c: _("Confirmation sent again to %(to)s") % {"to": c.get("to")},
    "order.attendee_changed": lambda c: _("Attendee changed"),
    "order.reservation_extended": lambda c: _("Reservation extended"),
    "payment.mismatch": lambda c: _("Payment did not match the order (refunded)"),
    "ticket.revoked": lambda c: _("Ticket revoked"),
    "ticket.reissued": lambda c: _("Ticket reissued (new QR code)"),
}


def order_timeline(*, order: Order) -> list[TimelineItem]:
    """What happened to the order, oldest first."""
    items = [TimelineItem(at=order.created_at, title=_("Order placed by %(email)s") % {"email": order.email})]
    for payment in Payment.objects.filter(order=order).order_by("created_at"):
        if payment.succeeded_at is not None and payment.amount > 0:
            items.append(
                TimelineItem(
                    at=payment.succeeded_at,
                    title=_("Payment received: %(amount)s %(currency)s (%(provider)s)")
                    % {
                        "amount": payment.amount,
                        "currency": payment.currency,
                        "provider": payment.get_provider_display(),
                    },
                )
            )
    for refund in Refund.objects.filter(payment__order=order, automatic=True):
        items.append(
            TimelineItem(at=refund.created_at, title=_("Automatic refund: %(reason)s") % {"reason": refund.reason})
        )
    tickets = [str(pk) for pk in Ticket.objects.filter(order_position__order=order).values_list("pk", flat=True)]
    entries = AuditLogEntry.objects.filter(
        Q(object_type="ticketing.order", object_id=str(order.pk))
        | Q(object_type="ticketing.ticket", object_id__in=tickets),
        event_id=order.event_id,
    ).select_related("actor")
    for entry in entries:
        title = _AUDIT_TITLES.get(entry.action, lambda c, a=entry.action: a)(entry.changes)
        items.append(
            TimelineItem(
                at=entry.created_at,
                title=title,
                actor=entry.actor.email if entry.actor else _("system"),
                details=entry.changes,
            )
        )
    return sorted(items, key=lambda item: item.at)
