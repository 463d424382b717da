"""Ticket types, quotas and vouchers: organizer writes, each with an audit entry. Refusals are
``Invalid`` (with the field) or ``PermissionDenied``."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from accounts.models import User
from eventhub import errors
from eventhub.audit import audit_log, diff, snapshot
from eventhub.services import require_permission, unique_or_invalid
from events.models import Event

from ..locking import locked_row
from ..models import Quota, TicketType, Voucher
from ..selectors import sales as selectors

TICKET_TYPE_FIELDS = [
    "name",
    "description",
    "price",
    "currency",
    "sales_start",
    "sales_end",
    "min_per_order",
    "max_per_order",
    "max_per_account",
    "participant_kind",
    "active",
    "position",
]
QUOTA_FIELDS = ["name", "size"]
VOUCHER_FIELDS = [
    "code",
    "discount_kind",
    "value",
    "max_usages",
    "valid_from",
    "valid_until",
    "ticket_type",
    "comment",
]
_TAKEN: dict[type[Model], tuple[str, str]] = {
    TicketType: ("name", "Another ticket type of this event has this name."),
    Quota: ("name", "Another quota of this event has this name."),
    Voucher: ("code", "Another voucher of this event has this code."),
}


def _taken(obj: Model) -> bool:
    field, _ = _TAKEN[type(obj)]
    others = type(obj).objects.filter(event_id=obj.event_id, **{field: getattr(obj, field)})  # type: ignore[attr-defined]  # every _TAKEN model has event
    return others.exclude(pk=obj.pk).exists()


def _save(obj: Model) -> None:
    field, message = _TAKEN[type(obj)]
    try:
        obj.full_clean(exclude=["event"], validate_unique=False, validate_constraints=True)
    except ValidationError as error:
        raise errors.Invalid.from_validation_error(error) from None
    if _taken(obj):
        raise errors.Invalid(fields={field: message})
    with unique_or_invalid(field=field, message=message, taken=lambda: _taken(obj)):
        obj.save()


def _snapshot(obj: Model, fields: list[str]) -> dict[str, Any]:
    """The audit snapshot with money as strings (the audit log is JSON)."""
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in snapshot(obj, fields).items()}


def _write(
    *, actor: User, event: Event, obj: Model, fields: list[str], values: dict[str, Any], action: str
) -> dict[str, Any]:
    require_permission(actor, "ticketing.manage_catalogue", event)
    before = _snapshot(obj, fields) if obj.pk else {}
    for name, value in values.items():
        if name not in fields:
            raise errors.Invalid(fields={name: "This field cannot be changed."})
        setattr(obj, name, value)
    if isinstance(obj, TicketType):
        currency = selectors.event_currency(event=event, exclude=obj.pk)
        if currency is not None and obj.currency != currency:
            raise errors.Invalid(
                fields={
                    "currency": _("Every ticket type of this event is sold in %(currency)s: one currency per event.")
                    % {"currency": currency}
                }
            )
    if isinstance(obj, Voucher) and obj.ticket_type is not None and obj.ticket_type.event_id != event.pk:
        raise errors.Invalid(fields={"ticket_type": "Choose a ticket type of this event."})
    _save(obj)
    changes = diff(before, _snapshot(obj, fields))
    if changes:
        audit_log(
            actor=actor,
            organization_id=event.organization_id,
            event_id=event.pk,
            action=action,
            obj=obj,
            changes=changes,
        )
    return changes


def _set_ticket_types(*, quota: Quota, ticket_types: list[TicketType] | None) -> None:
    if ticket_types is None:
        return
    if any(t.event_id != quota.event_id for t in ticket_types):
        raise errors.Invalid(fields={"ticket_types": "Choose ticket types of this event."})
    quota.ticket_types.set(ticket_types)


@transaction.atomic
def ticket_type_create(*, actor: User, event: Event, **fields: Any) -> TicketType:
    ticket_type = TicketType(event=event)
    _write(
        actor=actor,
        event=event,
        obj=ticket_type,
        fields=TICKET_TYPE_FIELDS,
        values=fields,
        action="ticket_type.created",
    )
    return ticket_type


@transaction.atomic
def ticket_type_update(*, actor: User, ticket_type: TicketType, **fields: Any) -> TicketType:
    ticket_type = locked_row(TicketType.objects.all(), pk=ticket_type.pk)
    _write(
        actor=actor,
        event=ticket_type.event,
        obj=ticket_type,
        fields=TICKET_TYPE_FIELDS,
        values=fields,
        action="ticket_type.updated",
    )
    return ticket_type


@transaction.atomic
def quota_create(*, actor: User, event: Event, ticket_types: list[TicketType] | None = None, **fields: Any) -> Quota:
    quota = Quota(event=event)
    _write(actor=actor, event=event, obj=quota, fields=QUOTA_FIELDS, values=fields, action="quota.created")
    _set_ticket_types(quota=quota, ticket_types=ticket_types)
    return quota


@transaction.atomic
def quota_update(*, actor: User, quota: Quota, ticket_types: list[TicketType] | None = None, **fields: Any) -> Quota:
    """Change a quota. Shrinking it below what is sold is allowed (the organizer decides); the
    overview then shows nothing available, and no further order gets through."""
    quota = locked_row(Quota.objects.all(), pk=quota.pk)
    _write(actor=actor, event=quota.event, obj=quota, fields=QUOTA_FIELDS, values=fields, action="quota.updated")
    _set_ticket_types(quota=quota, ticket_types=ticket_types)
    return quota


@transaction.atomic
def voucher_create(*, actor: User, event: Event, **fields: Any) -> Voucher:
    voucher = Voucher(event=event)
    _write(actor=actor, event=event, obj=voucher, fields=VOUCHER_FIELDS, values=fields, action="voucher.created")
    return voucher


@transaction.atomic
def voucher_update(*, actor: User, voucher: Voucher, **fields: Any) -> Voucher:
    voucher = locked_row(Voucher.objects.all(), pk=voucher.pk)
    if "max_usages" in fields and fields["max_usages"] < voucher.times_used:
        raise errors.Invalid(fields={"max_usages": f"Already used {voucher.times_used} times."})
    _write(
        actor=actor, event=voucher.event, obj=voucher, fields=VOUCHER_FIELDS, values=fields, action="voucher.updated"
    )
    return voucher
