"""Order management by the organizer: mark a manual payment as paid, cancel (with or without a
refund), resend the confirmation, change an attendee, extend a reservation. Each write locks
the order row, is audited (the per-order timeline reads these entries) and tells the buyer
where it concerns them."""

from collections import Counter
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from eventhub import errors
from eventhub.audit import audit_log
from eventhub.services import require_permission

from ..enums import MANUAL_PROVIDERS, EntryType, OrderStatus, PaymentStatus
from ..locking import locked_row
from ..models import Order, OrderPosition, Payment, Ticket, TicketType
from ..selectors import sales as selectors
from .notify import notify
from .orders import _release_voucher, ensure_capacity, order_confirm
from .payments import refund_create

MANAGE = "ticketing.refund_order"  # money matters: owners and admins (rules/sales.py)


def _locked(order: Order) -> Order:
    return locked_row(Order.objects.select_related("event"), pk=order.pk)


def _audit(*, actor: User, order: Order, action: str, changes: dict) -> None:
    audit_log(
        actor=actor,
        organization_id=order.event.organization_id,
        event_id=order.event_id,
        action=action,
        obj=order,
        changes=changes,
    )


def _secure_capacity(order: Order, now: datetime) -> None:
    """An order whose reservation ran out holds nothing: take its places again under the
    quota locks (``Conflict`` ``sold_out`` when they are gone)."""
    positions = list(OrderPosition.objects.filter(order=order).values_list("ticket_type_id", flat=True))
    ticket_types = {t.pk: t for t in TicketType.objects.filter(pk__in=set(positions))}
    ensure_capacity(ticket_types=ticket_types, counts=Counter(positions), now=now)


@transaction.atomic
def order_mark_paid(*, actor: User, order: Order, now: datetime | None = None) -> Order:
    """The money of a manual payment (bank transfer, at the door) arrived: the order is
    confirmed (tickets issued, the buyer told). A pending order past its reservation, or an
    expired one, is confirmed only if its places are still free. ``Conflict`` ``not_payable``
    for an order not awaiting a manual payment."""
    require_permission(actor, MANAGE, order.event)
    now = now or timezone.now()
    order = _locked(order)
    payment = (
        Payment.objects.filter(order=order, provider__in=MANUAL_PROVIDERS)
        .exclude(status=PaymentStatus.SUCCEEDED)
        .order_by("-created_at")
        .first()
    )
    if order.status not in (OrderStatus.PENDING, OrderStatus.EXPIRED) or payment is None:
        raise errors.Conflict(_("This order is not awaiting a manual payment."), code="not_payable")
    if order.status == OrderStatus.EXPIRED or (order.expires_at and order.expires_at <= now):
        _secure_capacity(order, now)
    Payment.objects.filter(pk=payment.pk).update(status=PaymentStatus.SUCCEEDED, succeeded_at=now)
    old_status = order.status
    order_confirm(order=order, now=now)
    _audit(
        actor=actor,
        order=order,
        action="order.marked_paid",
        changes={"status": {"old": old_status, "new": OrderStatus.PAID}, "provider": payment.provider},
    )
    return order


def order_cancel(*, actor: User, order: Order, refund: bool, reason: str = "") -> Order:
    """Cancel an order. A pending (or expired) one: its reservation and voucher use end, open
    payment attempts are cancelled. A paid one: its tickets are revoked; with ``refund`` the
    whole refundable amount goes back through its provider first (``refund_create``, whose
    errors apply: nothing is cancelled when the refund fails). ``Conflict`` ``not_cancellable``
    for an order already cancelled or refunded."""
    require_permission(actor, MANAGE, order.event)
    if refund and order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        payment = (
            Payment.objects.filter(order=order, status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED])
            .exclude(amount=0)
            .order_by("-succeeded_at")
            .first()
        )
        amount = selectors.refundable_amount(payment=payment) if payment is not None else Decimal(0)
        if amount > 0:
            refund_create(actor=actor, order=order, amount=amount, reason=reason, cancel=True)
            order.refresh_from_db()
            return order
    with transaction.atomic():
        order = _locked(order)
        if order.status in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
            raise errors.Conflict(_("This order is already cancelled."), code="not_cancellable")
        old_status = order.status
        order.status = OrderStatus.CANCELLED
        order.cancelled_at = timezone.now()
        order.save(update_fields=["status", "cancelled_at", "updated_at"])
        Payment.objects.filter(order=order, status__in=[PaymentStatus.CREATED, PaymentStatus.PENDING]).update(
            status=PaymentStatus.CANCELLED
        )
        if old_status in (OrderStatus.PENDING, OrderStatus.EXPIRED):
            if old_status == OrderStatus.PENDING:
                _release_voucher(order)
        else:
            Ticket.objects.filter(order_position__order=order, revoked=False).update(
                revoked=True, revoked_at=order.cancelled_at
            )
        _audit(
            actor=actor,
            order=order,
            action="order.cancelled",
            changes={"status": {"old": old_status, "new": OrderStatus.CANCELLED}, "refunded": None, "reason": reason},
        )
        notify(
            user_id=None,
            email=order.email,
            type=EntryType.ORDER_REFUNDED,
            data={"order": order.code},
            subject=_("Order %(code)s cancelled") % {"code": order.code},
            body=_("Your order %(code)s for %(event)s has been cancelled.")
            % {"code": order.code, "event": order.event.name},
        )
    return order


@transaction.atomic
def order_resend_confirmation(*, actor: User, order: Order) -> Order:
    """Send the confirmation e-mail of a paid order again (through the outbox)."""
    require_permission(actor, MANAGE, order.event)
    order = _locked(order)
    if order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
        raise errors.Conflict(_("Only a paid order has a confirmation to send."), code="not_paid")
    count = OrderPosition.objects.filter(order=order).count()
    notify(
        user_id=None,
        email=order.email,
        type=EntryType.ORDER_CONFIRMED,
        data={"order": order.code},
        subject=_("Your tickets for %(event)s (order %(code)s)") % {"event": order.event.name, "code": order.code},
        body=_("Order %(code)s for %(event)s is confirmed: %(count)s ticket(s), %(total)s %(currency)s.")
        % {
            "code": order.code,
            "event": order.event.name,
            "count": count,
            "total": order.total,
            "currency": order.currency,
        },
    )
    _audit(actor=actor, order=order, action="order.confirmation_resent", changes={"to": order.email})
    return order


@transaction.atomic
def position_update(
    *, actor: User, order: Order, position_id: int, attendee_name: str, attendee_email: str
) -> OrderPosition:
    """Change the attendee of one ticket (name and e-mail); the ticket carries the new name."""
    require_permission(actor, MANAGE, order.event)
    order = _locked(order)
    position = OrderPosition.objects.filter(order=order, pk=position_id).first()
    if position is None:
        raise errors.NotFound()
    name, email = attendee_name.strip(), attendee_email.strip()
    if not name:
        raise errors.Invalid(fields={"attendee_name": _("Enter the attendee's name.")})
    changes = {}
    if name != position.attendee_name:
        changes["attendee_name"] = {"old": position.attendee_name, "new": name}
    if email != position.attendee_email:
        changes["attendee_email"] = {"old": position.attendee_email, "new": email}
    if changes:
        position.attendee_name, position.attendee_email = name, email
        position.save(update_fields=["attendee_name", "attendee_email"])
        Ticket.objects.filter(order_position=position).update(attendee_name=name)
        _audit(actor=actor, order=order, action="order.attendee_changed", changes={"position": position.pk, **changes})
    return position


@transaction.atomic
def order_extend(*, actor: User, order: Order, until: datetime, now: datetime | None = None) -> Order:
    """Keep a pending (or expired) order reserved until ``until``. If its reservation had run
    out, its places are taken again under the quota locks (``Conflict`` ``sold_out``)."""
    require_permission(actor, MANAGE, order.event)
    now = now or timezone.now()
    order = _locked(order)
    if order.status not in (OrderStatus.PENDING, OrderStatus.EXPIRED):
        raise errors.Conflict(_("Only an unpaid order has a reservation to extend."), code="not_pending")
    if until <= now:
        raise errors.Invalid(fields={"until": _("Choose a time in the future.")})
    if order.status == OrderStatus.EXPIRED or (order.expires_at and order.expires_at <= now):
        _secure_capacity(order, now)
    old = order.expires_at
    old_status = order.status
    order.expires_at = until
    order.status = OrderStatus.PENDING
    order.save(update_fields=["expires_at", "status", "updated_at"])
    Payment.objects.filter(order=order, provider__in=MANUAL_PROVIDERS, status=PaymentStatus.CANCELLED).update(
        status=PaymentStatus.PENDING
    )
    changes: dict = {"expires_at": {"old": old.isoformat() if old else None, "new": until.isoformat()}}
    if old_status != order.status:
        changes["status"] = {"old": old_status, "new": order.status}
    _audit(actor=actor, order=order, action="order.reservation_extended", changes=changes)
    return order
