"""Check-in: letting a ticket in or out (``checkin_attempt``, behind every scan — a device's
QR scan or offline batch in ``scanner``, a staff member's manual check-in here), undo, the live
occupancy on the event's staff stream, and the check-in settings. Gates are in ``gates``.

Exactly one ``ok`` per ticket state change: every scan that may write locks the ticket row
(``SELECT … FOR UPDATE``) before it reads the ticket's last check-in, so two gates scanning the
same ticket at once serialize on that row and the second sees the first's check-in. The
occupancy counters live in one row per event (``CheckInConfig``), moved by one
``INSERT … ON CONFLICT DO UPDATE … RETURNING`` after the check-in row; the staff stream entry is
appended last in the same transaction (both hot rows are held only for the end of it).

Side effects of every accepted scan: a ``CheckIn`` row, an entry on ``event:<id>:staff``
(broadcast on commit), and, when occupancy crosses the threshold, a
``checkin.occupancy_alert`` entry. Every scan, accepted or rejected, writes a ``ScanLog`` row
(the stored, searchable scan log; a device's client scan id makes it the replay too).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from eventhub import errors
from eventhub.audit import audit_log, diff, snapshot
from eventhub.realtime.services import stream_append
from eventhub.realtime.streams import event_staff_stream
from eventhub.services import require_permission
from events.models import Event

from .. import signing
from ..enums import CheckInKind, EntryType, ScanResult
from ..locking import locked_row
from ..models import CheckIn, CheckInConfig, Gate, ScanLog, ScannerDevice, Ticket
from ..selectors import checkin as selectors
from ..selectors.checkin import DEFAULT_ALERT_THRESHOLD_PERCENT, PAID_STATUSES

MESSAGES = {
    ScanResult.OK: "Welcome.",
    ScanResult.ALREADY_CHECKED_IN: "This ticket is already checked in.",
    ScanResult.NOT_CHECKED_IN: "This ticket is not checked in; nothing to check out.",
    ScanResult.INVALID_SIGNATURE: "This is not a ticket of this event (signature check failed).",
    ScanResult.REVOKED: "This ticket was revoked or replaced by a newer one.",
    ScanResult.UNPAID: "The order of this ticket is not paid.",
    ScanResult.WRONG_GATE: "This ticket does not admit at this gate.",
    ScanResult.NOT_YET_VALID: "This ticket is not valid yet.",
}


def _lock_tickets() -> bool:
    # Test-only negative control (ticketing/tests/settings_nolock.py): without the row lock,
    # two gates scanning the same ticket at once can both answer ok.
    return getattr(settings, "TICKETING_LOCK_TICKETS", True)


# --- settings (organizer writes, audited) ------------------------------------------------------


def checkin_config_get_or_create(*, event: Event) -> CheckInConfig:
    config, _ = CheckInConfig.objects.get_or_create(event=event)
    return config


CONFIG_FIELDS = ["capacity", "alert_threshold_percent", "opens_at"]


def checkin_config_update(*, actor: User, event: Event, **fields: Any) -> CheckInConfig:
    require_permission(actor, "ticketing.manage_checkin", event)
    checkin_config_get_or_create(event=event)
    with transaction.atomic():
        config = locked_row(CheckInConfig.objects.all(), event=event)
        before = snapshot(config, CONFIG_FIELDS)
        for name in CONFIG_FIELDS:
            if name in fields:
                setattr(config, name, fields[name])
        try:
            config.full_clean(exclude=["event"])
        except ValidationError as error:
            raise errors.Invalid.from_validation_error(error) from None
        config.save(update_fields=CONFIG_FIELDS)
        changes = diff(before, snapshot(config, CONFIG_FIELDS))
        if changes:
            audit_log(
                actor=actor,
                organization_id=event.organization_id,
                event_id=event.pk,
                action="checkin_config.updated",
                obj=config,
                changes=changes,
            )
    return config


# --- checking a ticket in or out -------------------------------------------------------------


@dataclass
class ScanOutcome:
    """The answer to one scan; ``as_dict`` is what the API returns (and what the scan log
    keeps, so a retried or re-uploaded scan gets exactly the same answer)."""

    result: str
    kind: str = CheckInKind.ENTRY
    client_scan_id: str | None = None
    ticket: dict[str, Any] | None = None
    checkin: dict[str, Any] | None = None
    previous: dict[str, Any] | None = None
    occupancy: dict[str, Any] | None = None
    replayed: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.result == ScanResult.OK

    def as_dict(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "detail": MESSAGES.get(ScanResult(self.result), self.result) if self.result in ScanResult.values else "",
            "kind": self.kind,
            "client_scan_id": self.client_scan_id,
            "ticket": self.ticket,
            "checkin": self.checkin,
            "previous": self.previous,
            "occupancy": self.occupancy,
            **self.extra,
        }

    @classmethod
    def from_log(cls, log: ScanLog) -> ScanOutcome:
        data = dict(log.detail)
        return cls(
            result=data.get("result", log.result),
            kind=data.get("kind", log.kind),
            client_scan_id=log.client_scan_id,
            ticket=data.get("ticket"),
            checkin=data.get("checkin"),
            previous=data.get("previous"),
            occupancy=data.get("occupancy"),
            replayed=True,
        )


@dataclass(frozen=True)
class ScanContext:
    """Who scans where: a device (with its gate) or a staff member at a gate."""

    event: Event
    gate: Gate | None
    device: ScannerDevice | None = None
    actor: User | None = None
    config: CheckInConfig | None = None


def _gate_brief(gate: Gate | None) -> dict[str, Any] | None:
    return {"id": gate.pk, "name": gate.name} if gate is not None else None


def _ticket_brief(ticket: Ticket) -> dict[str, Any]:
    position = ticket.order_position
    return {
        "id": ticket.pk,
        "attendee_name": ticket.attendee_name,
        "ticket_type": {"id": position.ticket_type_id, "name": position.ticket_type.name},
        "order": position.order.code,
    }


_OCCUPANCY_SQL = """
INSERT INTO ticketing_checkinconfig (event_id, inside, arrived, alert_active)
VALUES (%s, %s, %s, false)
ON CONFLICT (event_id) DO UPDATE SET
    inside = ticketing_checkinconfig.inside + excluded.inside,
    arrived = ticketing_checkinconfig.arrived + excluded.arrived
RETURNING inside, arrived, capacity, alert_threshold_percent, alert_active
"""


def _occupancy_move(*, event_id: int, inside: int, arrived: int) -> dict[str, Any]:
    """Move the event's counters (locks its config row until commit) and append the alert
    entry when occupancy crosses the threshold (either way)."""
    with connection.cursor() as cursor:
        cursor.execute(_OCCUPANCY_SQL, [event_id, inside, arrived])
        now_inside, now_arrived, capacity, threshold, alert_active = cursor.fetchone()
    threshold = threshold or DEFAULT_ALERT_THRESHOLD_PERCENT
    percent = round(now_inside * 100 / capacity, 1) if capacity else None
    occupancy = {"inside": now_inside, "arrived": now_arrived, "capacity": capacity, "percent": percent}
    if capacity:
        above = now_inside * 100 >= threshold * capacity
        if above != alert_active:
            CheckInConfig.objects.filter(event_id=event_id).update(alert_active=above)
            stream_append(
                stream=event_staff_stream(event_id),
                type=EntryType.CHECKIN_OCCUPANCY_ALERT,
                data={**occupancy, "threshold_percent": threshold, "active": above},
            )
    return occupancy


def scan_log_write(
    *,
    context: ScanContext,
    outcome: ScanOutcome,
    ticket_id: int | None,
    checkin: CheckIn | None,
    scanned_at: datetime,
    offline: bool,
) -> None:
    ScanLog.objects.create(
        event=context.event,
        device=context.device,
        gate=context.gate,
        ticket_id=ticket_id,
        checkin=checkin,
        kind=outcome.kind,
        result=outcome.result,
        detail=outcome.as_dict(),
        # Only device scans are deduplicated by client id (the constraint is per device).
        client_scan_id=outcome.client_scan_id if context.device is not None else None,
        offline=offline,
        scanned_at=scanned_at,
    )


def _locked_ticket(*, event_id: int, ticket_id: int, gate: Gate | None = None) -> Ticket | None:
    """The ticket, locked for the rest of the transaction, with its order and type and whether
    ``gate`` admits its type (``gate_admits``), in one query.

    Its check-ins must be read in a later statement (``_last_checkin``): a subquery in this one
    would be evaluated with the snapshot taken before waiting for the lock, and miss the
    check-in of the transaction that held it."""
    tickets = Ticket.objects.filter(pk=ticket_id, event_id=event_id).select_related(
        "order_position__order", "order_position__ticket_type"
    )
    if gate is not None:
        admitted = Gate.ticket_types.through.objects.filter(gate_id=gate.pk)
        tickets = tickets.annotate(
            gate_admits=~Exists(admitted)
            | Exists(admitted.filter(tickettype_id=OuterRef("order_position__ticket_type_id")))
        )
    if _lock_tickets():
        tickets = tickets.select_for_update(of=("self",))
    return tickets.first()


def _last_checkin(ticket_id: int) -> CheckIn | None:
    return (
        CheckIn.objects.filter(ticket_id=ticket_id, undone_at__isnull=True)
        .select_related("gate")
        .order_by("-id")
        .first()
    )


def checkin_attempt(
    *,
    context: ScanContext,
    ticket_id: int,
    secret: bytes | None,
    kind: str,
    scanned_at: datetime,
    client_scan_id: str | None,
    offline: bool,
    override: bool = False,
) -> ScanOutcome:
    """Precondition: inside ``transaction.atomic``. ``secret`` None: a manual check-in by
    staff (no QR), which skips the secret check but nothing else; ``override`` (staff only)
    admits before check-in opens. A ``not_yet_valid`` answer names the opening time in the
    event's zone ("opens at 08:00") and carries it as ``opens_at``."""
    event = context.event
    ticket = _locked_ticket(event_id=event.pk, ticket_id=ticket_id, gate=context.gate)

    def reject(
        result: str, *, previous: dict[str, Any] | None = None, extra: dict[str, Any] | None = None
    ) -> ScanOutcome:
        outcome = ScanOutcome(
            result=result,
            kind=kind,
            client_scan_id=client_scan_id,
            ticket=_ticket_brief(ticket) if ticket is not None and result != ScanResult.REVOKED else None,
            previous=previous,
            extra=extra or {},
        )
        scan_log_write(
            context=context,
            outcome=outcome,
            ticket_id=ticket.pk if ticket else None,
            checkin=None,
            scanned_at=scanned_at,
            offline=offline,
        )
        return outcome

    if ticket is None:
        # Signed by this event's key but no longer there: treat like a revoked ticket.
        return reject(ScanResult.REVOKED)
    if ticket.revoked or (
        secret is not None and not secrets.compare_digest(secret, signing.secret_bytes(ticket.secret))
    ):
        return reject(ScanResult.REVOKED)
    position = ticket.order_position
    if position.order.status not in PAID_STATUSES:
        return reject(ScanResult.UNPAID)
    if context.gate is not None and not ticket.gate_admits:  # type: ignore[attr-defined]  # annotated by the scan's query
        return reject(ScanResult.WRONG_GATE)
    opens_at = selectors.checkin_opens_at(event=event, config=context.config)
    if scanned_at < opens_at and not (override and secret is None and context.actor is not None):
        return reject(ScanResult.NOT_YET_VALID, extra=_opens_at_detail(event, opens_at))
    last = _last_checkin(ticket.pk)
    inside = last is not None and last.kind == CheckInKind.ENTRY
    if kind == CheckInKind.ENTRY and inside:
        assert last is not None
        return reject(
            ScanResult.ALREADY_CHECKED_IN,
            previous={"checkin_id": last.pk, "scanned_at": last.scanned_at.isoformat(), "gate": _gate_brief(last.gate)},
        )
    if kind == CheckInKind.EXIT and not inside:
        return reject(ScanResult.NOT_CHECKED_IN)

    checkin = CheckIn.objects.create(
        ticket=ticket,
        event=event,
        gate=context.gate,
        device=context.device,
        kind=kind,
        scanned_at=scanned_at,
        client_scan_id=client_scan_id if context.device is not None else None,
        created_by=context.actor,
    )
    first_entry = kind == CheckInKind.ENTRY and last is None
    occupancy = _occupancy_move(
        event_id=event.pk, inside=1 if kind == CheckInKind.ENTRY else -1, arrived=1 if first_entry else 0
    )
    outcome = ScanOutcome(
        result=ScanResult.OK,
        kind=kind,
        client_scan_id=client_scan_id,
        ticket=_ticket_brief(ticket),
        checkin={
            "id": checkin.pk,
            "scanned_at": scanned_at.isoformat(),
            "gate": _gate_brief(context.gate),
            "manual": context.device is None,
        },
        occupancy=occupancy,
    )
    # Every scan is in the log (the portal's scan log page); a device's also replays from it.
    scan_log_write(
        context=context,
        outcome=outcome,
        ticket_id=ticket.pk,
        checkin=checkin,
        scanned_at=scanned_at,
        offline=offline,
    )
    stream_append(
        stream=event_staff_stream(event.pk),
        type=EntryType.CHECKIN_ENTRY if kind == CheckInKind.ENTRY else EntryType.CHECKIN_EXIT,
        data={
            "checkin_id": checkin.pk,
            "ticket_id": ticket.pk,
            "attendee_name": ticket.attendee_name,
            "ticket_type_id": position.ticket_type_id,
            "gate_id": context.gate.pk if context.gate else None,
            "gate": context.gate.name if context.gate else None,
            "device_id": context.device.pk if context.device else None,
            "manual": context.device is None,
            "offline": offline,
            "scanned_at": scanned_at,
            **occupancy,
        },
    )
    return outcome


def _opens_at_detail(event: Event, opens_at: datetime) -> dict[str, Any]:
    local = timezone.localtime(opens_at, event.tz)
    same_day = local.date() == timezone.localtime(timezone.now(), event.tz).date()
    when = f"{local:%H:%M}" if same_day else f"{local:%d %b %Y, %H:%M}"
    return {
        "opens_at": opens_at.isoformat(),
        "detail": _("This ticket is not valid yet: check-in opens at %(when)s.") % {"when": when},
    }


def checkin_manual(
    *, actor: User, event: Event, ticket: Ticket, gate: Gate | None, kind: str, override: bool = False
) -> ScanOutcome:
    """A staff member checks a ticket in (or out) by name, without its QR code. Same rules as a
    scan except the secret (staff saw the person); recorded with ``created_by``. ``override``
    admits before check-in opens (audited as ``checkin.early_override``)."""
    require_permission(actor, "ticketing.manage_checkin", event)
    if gate is not None and gate.event_id != event.pk:
        raise errors.Invalid(fields={"gate": "Choose a gate of this event."})
    context = ScanContext(event=event, gate=gate, actor=actor, config=CheckInConfig.objects.filter(event=event).first())
    now = timezone.now()
    with transaction.atomic():
        outcome = checkin_attempt(
            context=context,
            ticket_id=ticket.pk,
            secret=None,
            kind=kind,
            scanned_at=now,
            client_scan_id=None,
            offline=False,
            override=override,
        )
        if override and outcome.ok and now < selectors.checkin_opens_at(event=event, config=context.config):
            audit_log(
                actor=actor,
                organization_id=event.organization_id,
                event_id=event.pk,
                action="checkin.early_override",
                obj=ticket,
                changes={"checkin": outcome.checkin["id"] if outcome.checkin else None},
            )
        return outcome


def checkin_undo(*, context: ScanContext, ticket_id: int | None = None) -> CheckIn | None:
    """Undo the last check-in (or check-out) of a ticket — or, without a ticket, the device's
    own last one. Moves the occupancy back and appends ``checkin.undone``. None when there is
    nothing to undo."""
    event = context.event
    own_only = ticket_id is None
    with transaction.atomic():
        if ticket_id is None:
            if context.device is None:
                return None
            ticket_id = (
                CheckIn.objects.filter(event=event, device=context.device, undone_at__isnull=True)
                .order_by("-id")
                .values_list("ticket_id", flat=True)
                .first()
            )
            if ticket_id is None:
                return None
        ticket = _locked_ticket(event_id=event.pk, ticket_id=ticket_id)
        if ticket is None:
            return None
        last = _last_checkin(ticket.pk)
        if last is None or (own_only and context.device is not None and last.device_id != context.device.pk):
            return None
        last.undone_at = timezone.now()
        last.save(update_fields=["undone_at"])
        if last.kind == CheckInKind.ENTRY:
            entries_left = CheckIn.objects.filter(
                ticket=ticket, kind=CheckInKind.ENTRY, undone_at__isnull=True
            ).exists()
            occupancy = _occupancy_move(event_id=event.pk, inside=-1, arrived=0 if entries_left else -1)
        else:
            occupancy = _occupancy_move(event_id=event.pk, inside=1, arrived=0)
        if context.actor is not None:
            audit_log(
                actor=context.actor,
                organization_id=event.organization_id,
                event_id=event.pk,
                action="checkin.undone",
                obj=last,
                changes={"undone": {"old": False, "new": True}},
            )
        stream_append(
            stream=event_staff_stream(event.pk),
            type=EntryType.CHECKIN_UNDONE,
            data={
                "checkin_id": last.pk,
                "ticket_id": ticket.pk,
                "kind": last.kind,
                "gate_id": last.gate_id,
                "attendee_name": ticket.attendee_name,
                **occupancy,
            },
        )
    return last
