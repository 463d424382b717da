"""Scanner devices and what they send: registering and revoking a device (its token is shown
once, only its hash is kept), authenticating its requests, QR scans and offline batches. The
check-in of the ticket a scan names is ``checkin.checkin_attempt``."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from eventhub import errors, metrics
from eventhub.audit import audit_log
from eventhub.services import require_permission
from events.models import Event

from ..enums import CheckInKind, ScanResult
from ..models import CheckInConfig, Gate, ScanLog, ScannerDevice
from ..selectors import checkin as selectors
from .checkin import ScanContext, ScanOutcome, checkin_attempt, scan_log_write
from .tickets import ticket_claim

DEVICE_TOKEN_PREFIX = "ehd_"  # noqa: S105  (a visible prefix, not a secret)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def device_register(*, actor: User, event: Event, name: str, gate: Gate | None) -> tuple[ScannerDevice, str]:
    """A new scanner device and its token. The token is returned once and only its SHA-256 is
    stored (a database leak gives no working token)."""
    require_permission(actor, "ticketing.manage_checkin", event)
    if gate is not None and gate.event_id != event.pk:
        raise errors.Invalid(fields={"gate": "Choose a gate of this event."})
    token = DEVICE_TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        device = ScannerDevice.objects.create(
            event=event, name=name.strip() or "Scanner", token_hash=_hash_token(token), gate=gate, created_by=actor
        )
        audit_log(
            actor=actor,
            organization_id=event.organization_id,
            event_id=event.pk,
            action="scanner_device.registered",
            obj=device,
            changes={
                "name": {"old": None, "new": device.name},
                "gate": {"old": None, "new": gate.pk if gate else None},
            },
        )
    return device, token


PAIRING_VERSION = 1


def device_pairing_payload(*, server: str, event: Event, token: str) -> str:
    """What the pairing QR code carries (JSON): the server's base URL, the event's id and the
    device token — all a scanner app needs to call ``/api/v1/events/<event>/scanner/…`` with
    ``Authorization: Device <token>``. Shown once, with the token."""
    return json.dumps(
        {"eventhub_scanner": PAIRING_VERSION, "server": server.rstrip("/"), "event": event.pk, "token": token},
        separators=(",", ":"),
    )


def device_revoke(*, actor: User, device: ScannerDevice, event: Event) -> ScannerDevice:
    """Revoke the device: its token stops working at once (the next request is a 401)."""
    require_permission(actor, "ticketing.manage_checkin", event)
    with transaction.atomic():
        updated = ScannerDevice.objects.filter(pk=device.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
        if updated:
            audit_log(
                actor=actor,
                organization_id=event.organization_id,
                event_id=event.pk,
                action="scanner_device.revoked",
                obj=device,
                changes={"revoked": {"old": False, "new": True}},
            )
    try:
        device.refresh_from_db()
    except ScannerDevice.DoesNotExist:
        raise errors.NotFound() from None
    return device


def device_authenticate(*, token: str, event_id: int) -> ScannerDevice | None:
    """The active device with this token registered for this event (with its gate, event and
    check-in config loaded), else None. Notes ``last_seen_at`` at most once a minute."""
    if not token or len(token) > 100:  # new tokens start with DEVICE_TOKEN_PREFIX; the demo's does not
        return None
    device = (
        ScannerDevice.objects.select_related("gate", "event", "event__checkin_config")
        .filter(token_hash=_hash_token(token), event_id=event_id, revoked_at__isnull=True)
        .first()
    )
    if device is not None:
        now = timezone.now()
        if device.last_seen_at is None or now - device.last_seen_at > timedelta(minutes=1):
            ScannerDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
            device.last_seen_at = now
    return device


def scan_context(
    *, event: Event, device: ScannerDevice | None = None, actor: User | None = None, gate_id: int | None = None
) -> ScanContext:
    """Who scans where: a device (of ``event``, as ``device_authenticate`` loaded it) at its own
    gate, or a staff member (``actor``) at no gate; ``gate_id`` names another gate of the event
    (``Invalid`` if it has none such)."""
    if device is not None:
        gate = device.gate
        try:
            config: CheckInConfig | None = device.event.checkin_config  # loaded with the device
        except CheckInConfig.DoesNotExist:
            config = None
    else:
        gate = None
        config = CheckInConfig.objects.filter(event=event).first()
    if gate_id is not None and (gate is None or gate.pk != gate_id):
        gate = Gate.objects.filter(event=event, pk=gate_id).first()
        if gate is None:
            raise errors.Invalid("No such gate at this event.")
    return ScanContext(event=event, gate=gate, device=device, actor=actor, config=config)


def _replay(context: ScanContext, client_scan_id: str | None) -> ScanOutcome | None:
    if context.device is None or not client_scan_id:
        return None
    log = ScanLog.objects.filter(device=context.device, client_scan_id=client_scan_id).first()
    return ScanOutcome.from_log(log) if log is not None else None


def scan(
    *,
    context: ScanContext,
    payload: str,
    kind: str = CheckInKind.ENTRY,
    scanned_at: datetime | None = None,
    client_scan_id: str | None = None,
    offline: bool = False,
) -> ScanOutcome:
    """Check a ticket in (or out, ``kind=exit``) from its QR payload and answer in one word.

    The signature is checked first, with the event's public key alone: a forged or tampered
    payload is ``invalid_signature`` without looking the ticket up. Then, under the ticket's row
    lock: ``revoked`` (revoked, or an older secret), ``unpaid``, ``wrong_gate``,
    ``not_yet_valid``, ``already_checked_in`` (with when and where) or ``ok``. A scan with a
    ``client_scan_id`` the device used before gets the stored answer and changes nothing."""
    replay = _replay(context, client_scan_id)
    if replay is not None:
        return replay
    event = context.event
    now = timezone.now()
    scanned_at = scanned_at or now
    claim = ticket_claim(event_id=event.pk, payload=payload)
    if claim is None:
        outcome = ScanOutcome(result=ScanResult.INVALID_SIGNATURE, kind=kind, client_scan_id=client_scan_id)
        try:
            with transaction.atomic():
                scan_log_write(
                    context=context,
                    outcome=outcome,
                    ticket_id=None,
                    checkin=None,
                    scanned_at=scanned_at,
                    offline=offline,
                )
        except IntegrityError:  # the same client scan, concurrently
            return _replay(context, client_scan_id) or outcome
        metrics.count_scan(outcome.result)
        return outcome
    try:
        with transaction.atomic():
            outcome = checkin_attempt(
                context=context,
                ticket_id=claim.ticket_id,
                secret=claim.secret,
                kind=kind,
                scanned_at=scanned_at,
                client_scan_id=client_scan_id,
                offline=offline,
            )
    except IntegrityError:
        replay = _replay(context, client_scan_id)
        if replay is None:
            raise
        return replay
    metrics.count_scan(outcome.result)  # replays are answers given before, not new scans
    return outcome


@dataclass(frozen=True)
class BatchScan:
    client_scan_id: str
    payload: str
    scanned_at: datetime
    kind: str = CheckInKind.ENTRY


# How far an offline device's clock may be off, and how long after the event's end exits may
# still be scanned.
SCAN_CLOCK_LEEWAY = timedelta(minutes=10)
SCAN_AFTER_END = timedelta(hours=12)


def _check_scan_times(*, context: ScanContext, scans: list[BatchScan], now: datetime) -> None:
    """Every ``scanned_at`` lies between check-in opening and the event's end (plus exits after
    it), with ``SCAN_CLOCK_LEEWAY`` either way, and never after the server's time (plus the
    leeway): a device with a wrong clock would otherwise win every conflict. ``Invalid``
    ``invalid_scan_time`` naming each bad row (``scans[<index>].scanned_at``)."""
    event = context.event
    earliest = selectors.checkin_opens_at(event=event, config=context.config) - SCAN_CLOCK_LEEWAY
    latest = min(now, event.end + SCAN_AFTER_END) + SCAN_CLOCK_LEEWAY
    bad = {
        f"scans[{index}].scanned_at": f"{item.scanned_at.isoformat()} is outside {earliest.isoformat()} – "
        f"{latest.isoformat()} (check-in opening to the event's end, never after the server's time)."
        for index, item in enumerate(scans)
        if not earliest <= item.scanned_at <= latest
    }
    if bad:
        raise errors.Invalid(
            f"{len(bad)} scan(s) carry a time this event and the server's clock rule out; check the device's "
            "clock. Nothing of this batch was applied.",
            code="invalid_scan_time",
            fields=bad,
        )


def scan_batch(*, context: ScanContext, scans: list[BatchScan]) -> list[ScanOutcome]:
    """An offline device's scans, uploaded together; answers in the order given. Refused as a
    whole (``Invalid`` ``invalid_scan_time``, nothing applied) if a scan's time is impossible
    (``_check_scan_times``).

    Conflicts: within the batch the earliest ``scanned_at`` wins (scans are applied in that
    order, ties by position), so a ticket scanned twice offline gets one check-in and the later
    scan ``already_checked_in``. Idempotent: each scan is keyed by (device, client scan id), so
    uploading the batch again (or a batch that overlaps) returns the stored answers and changes
    nothing. Each scan is its own transaction: a failure halfway keeps what was applied, and
    the retry applies the rest."""
    if context.device is None:
        raise errors.Invalid("Offline batches come from a scanner device.", code="device_required")
    _check_scan_times(context=context, scans=scans, now=timezone.now())
    order = sorted(range(len(scans)), key=lambda i: (scans[i].scanned_at, i))
    outcomes: list[ScanOutcome | None] = [None] * len(scans)
    for index in order:
        item = scans[index]
        outcomes[index] = scan(
            context=context,
            payload=item.payload,
            kind=item.kind,
            scanned_at=item.scanned_at,
            client_scan_id=item.client_scan_id,
            offline=True,
        )
    return [outcome for outcome in outcomes if outcome is not None]
