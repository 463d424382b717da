"""Ticketing's part of the cross-tenant matrix (see eventhub.testing.tenant_matrix).

One ``TENANT_OBJECTS`` per app: the check-in part adds its kwargs to ``_MISSING``, its objects
in ``_populate`` and its tables in ``_TABLES``."""

from decimal import Decimal

from eventhub.testing.tenant_matrix import TenantObjects
from ticketing.enums import OrderStatus, PaymentProvider, PaymentStatus
from ticketing.models import (
    CheckIn,
    CheckInConfig,
    EventSigningKey,
    Gate,
    Order,
    OrderPosition,
    Payment,
    PaymentSettings,
    Quota,
    Refund,
    ScanLog,
    ScannerDevice,
    Ticket,
    TicketType,
    Voucher,
    WaitingListEntry,
)

_MISSING = {
    "order_code": "NOSUCHORDER",
    "ticket_type_id": 987654321,
    "quota_id": 987654321,
    "voucher_id": 987654321,
    "position_id": 987654321,
    # check-in
    "ticket_id": 987654321,
    "gate_id": 987654321,
    "device_id": 987654321,
}

# model -> the lookup from it to the event id
_TABLES = {
    TicketType: "event_id",
    Quota: "event_id",
    Voucher: "event_id",
    WaitingListEntry: "event_id",
    Order: "event_id",
    OrderPosition: "order__event_id",
    Payment: "order__event_id",
    Refund: "payment__order__event_id",
    Ticket: "event_id",
    Gate: "event_id",
    ScannerDevice: "event_id",
    CheckIn: "event_id",
    ScanLog: "event_id",
    CheckInConfig: "event_id",
    EventSigningKey: "event_id",
}


def _populate(tenant) -> dict:
    event = tenant.event
    ticket_type = TicketType.objects.create(event=event, name="Secret ticket", price=Decimal("25.00"))
    sold_out = TicketType.objects.create(event=event, name="Sold out ticket", price=Decimal("0"))
    quota = Quota.objects.create(event=event, name="Secret quota", size=10)
    quota.ticket_types.set([ticket_type])
    voucher = Voucher.objects.create(event=event, code="SECRET", value=Decimal("10"))
    order = Order.objects.create(
        event=event, user=tenant.owner, email=tenant.owner.email, status=OrderStatus.PAID, total=Decimal("25.00")
    )
    position = OrderPosition.objects.create(
        order=order, ticket_type=ticket_type, price=Decimal("25.00"), attendee_name="Secret", attendee_email="s@x.org"
    )
    payment = Payment.objects.create(
        order=order,
        provider=PaymentProvider.STRIPE,
        status=PaymentStatus.SUCCEEDED,
        amount=Decimal("25.00"),
        currency="EUR",
        stripe_payment_intent_id="pi_matrix",
    )
    Refund.objects.create(payment=payment, amount=Decimal("1.00"), reason="earlier")
    ticket = Ticket.objects.create(order_position=position, event=event, attendee_name="Secret")
    gate = Gate.objects.create(event=event, name="Secret gate")
    gate.ticket_types.set([ticket_type])
    device = ScannerDevice.objects.create(
        event=event, name="Secret scanner", token_hash=f"matrix-{event.pk}", gate=gate
    )
    checkin = CheckIn.objects.create(ticket=ticket, event=event, gate=gate, device=device, scanned_at=order.created_at)
    ScanLog.objects.create(
        event=event, device=device, gate=gate, ticket=ticket, checkin=checkin, result="ok", scanned_at=order.created_at
    )
    CheckInConfig.objects.create(event=event, capacity=100, inside=1, arrived=1)
    PaymentSettings.objects.create(
        organization=event.organization, bank_transfer_enabled=True, bank_transfer_details="IBAN secret"
    )
    WaitingListEntry.objects.create(event=event, ticket_type=sold_out, user=tenant.owner, email=tenant.owner.email)
    return {
        "order_code": order.code,
        "ticket_type_id": ticket_type.pk,
        "quota_id": quota.pk,
        "voucher_id": voucher.pk,
        "position_id": position.pk,
        "ticket_id": ticket.pk,
        "gate_id": gate.pk,
        "device_id": device.pk,
    }


def _rows(organization_id: int, event_ids: list[int]) -> dict:
    rows = {
        f"ticketing.{model.__name__}": list(model.objects.filter(**{f"{path}__in": event_ids}).order_by("pk").values())
        for model, path in _TABLES.items()
    }
    rows["ticketing.quota_ticket_types"] = list(
        Quota.ticket_types.through.objects.filter(quota__event_id__in=event_ids).order_by("pk").values()
    )
    rows["ticketing.gate_ticket_types"] = list(
        Gate.ticket_types.through.objects.filter(gate__event_id__in=event_ids).order_by("pk").values()
    )
    rows["ticketing.PaymentSettings"] = list(
        PaymentSettings.objects.filter(organization_id=organization_id).order_by("pk").values()
    )
    rows["ticketing.table_sizes"] = [model.objects.count() for model in (*_TABLES, PaymentSettings)]
    return rows


TENANT_OBJECTS = TenantObjects(
    missing=_MISSING,
    populate=_populate,
    rows=_rows,
    payload={
        "description": "changed by the matrix",
        "price": "10.00",
        "currency": "EUR",
        "min_per_order": "1",
        "max_per_order": "5",
        "participant_kind": "attendee",
        "position": "0",
        "active": "on",
        "size": "10",
        "code": "MATRIX",
        "discount_kind": "percent",
        "value": "10",
        "max_usages": "3",
        "amount": "1.00",
        "reason": "matrix",
        # check-in forms (a gate, a device, settings, a manual check-in)
        "kind": "entry",
        "capacity": "5",
        "alert_threshold_percent": "50",
        "q": "Secret",
        # order management and payment settings
        "refund": "on",
        "until": "2099-01-01T10:00",
        "attendee_name": "Changed",
        "attendee_email": "changed@example.org",
        "stripe_mode": "test",
        "manual_payment_days": "3",
        "pay_at_door_enabled": "on",
        "override": "on",
    },
)
