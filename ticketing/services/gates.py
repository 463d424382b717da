"""Gates: where people get in, and which ticket types each admits (organizer writes, audited)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import User
from eventhub import errors
from eventhub.audit import audit_log, diff
from eventhub.services import require_permission, unique_or_invalid
from events.models import Event

from ..models import Gate, TicketType


def _full_clean(gate: Gate) -> None:
    try:
        gate.full_clean(exclude=["event"], validate_unique=False)
    except ValidationError as error:
        raise errors.Invalid.from_validation_error(error) from None


def gate_create(*, actor: User, event: Event, name: str, ticket_types: list[TicketType]) -> Gate:
    require_permission(actor, "ticketing.manage_checkin", event)
    gate = Gate(event=event, name=name.strip())
    _full_clean(gate)

    def taken() -> bool:
        return Gate.objects.filter(event=event, name=gate.name).exclude(pk=gate.pk).exists()

    if taken():
        raise errors.Invalid(fields={"name": "Another gate of this event has this name."})
    with transaction.atomic():
        with unique_or_invalid(field="name", message="Another gate of this event has this name.", taken=taken):
            gate.save()
        gate.ticket_types.set([t for t in ticket_types if t.event_id == event.pk])
        audit_log(
            actor=actor,
            organization_id=event.organization_id,
            event_id=event.pk,
            action="gate.created",
            obj=gate,
            changes={"name": {"old": None, "new": gate.name}},
        )
    return gate


def gate_update(*, actor: User, gate: Gate, event: Event, name: str, ticket_types: list[TicketType]) -> Gate:
    require_permission(actor, "ticketing.manage_checkin", event)
    before = {"name": gate.name, "ticket_types": sorted(gate.ticket_types.values_list("pk", flat=True))}
    gate.name = name.strip()
    _full_clean(gate)

    def taken() -> bool:
        return Gate.objects.filter(event=event, name=gate.name).exclude(pk=gate.pk).exists()

    if taken():
        raise errors.Invalid(fields={"name": "Another gate of this event has this name."})
    with transaction.atomic():
        with unique_or_invalid(field="name", message="Another gate of this event has this name.", taken=taken):
            gate.save(update_fields=["name"])
        gate.ticket_types.set([t for t in ticket_types if t.event_id == event.pk])
        after = {"name": gate.name, "ticket_types": sorted(gate.ticket_types.values_list("pk", flat=True))}
        if before != after:
            audit_log(
                actor=actor,
                organization_id=event.organization_id,
                event_id=event.pk,
                action="gate.updated",
                obj=gate,
                changes=diff(before, after),
            )
    return gate
