"""Tickets: issuing (one per order position, idempotent), the event's signing key, the signed
QR payload and its images, revoking and reissuing.

Key storage: the private key is encrypted with Fernet under a key derived (HKDF-SHA256) from
``settings.TICKET_SIGNING_SECRET`` (falling back to ``SECRET_KEY``); see docs/decisions.md.
"""

from __future__ import annotations

import base64
import io
from functools import lru_cache

import qrcode
import qrcode.image.svg
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from eventhub.audit import audit_log
from eventhub.realtime.services import stream_append
from eventhub.realtime.streams import user_stream
from eventhub.services import require_permission
from events.models import Event

from .. import signing
from ..enums import EntryType
from ..locking import locked_row
from ..models import EventSigningKey, Order, Ticket, new_ticket_secret


def _fernet() -> Fernet:
    secret = settings.TICKET_SIGNING_SECRET or settings.SECRET_KEY
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"eventhub ticket signing keys").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def event_signing_key_get_or_create(*, event_id: int) -> EventSigningKey:
    """The event's key pair, created on first use. Concurrent first uses create one (the
    one-to-one constraint; ``get_or_create`` re-reads after losing the race)."""
    existing = EventSigningKey.objects.filter(event_id=event_id).first()
    if existing is not None:
        return existing
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key, _ = EventSigningKey.objects.get_or_create(
        event_id=event_id,
        defaults={"public_key": raw_public, "private_key_encrypted": _fernet().encrypt(raw_private)},
    )
    return key


@lru_cache(maxsize=1024)
def _private_key(event_id: int, encrypted: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(_fernet().decrypt(encrypted))


@lru_cache(maxsize=4096)
def _public_key(raw: bytes) -> Ed25519PublicKey:
    return signing.public_key_from_bytes(raw)


_public_keys: dict[int, Ed25519PublicKey] = {}


def event_public_key(*, event_id: int) -> Ed25519PublicKey:
    """The event's public key, cached per process (an event's key pair never changes, and
    event ids are never reused), so a scan verifies without a query for it."""
    cached = _public_keys.get(event_id)
    if cached is None:
        key = event_signing_key_get_or_create(event_id=event_id)
        cached = _public_keys[event_id] = _public_key(bytes(key.public_key))
    return cached


def event_public_key_b64(*, event_id: int) -> str:
    key = event_signing_key_get_or_create(event_id=event_id)
    return base64.urlsafe_b64encode(bytes(key.public_key)).rstrip(b"=").decode()


def ticket_claim(*, event_id: int, payload: str) -> signing.TicketClaim | None:
    """The ticket id and secret a QR payload names, if this event's key signed it; else None
    (checked with the public key alone: no ticket is looked up)."""
    return signing.decode(payload=payload, public_key=event_public_key(event_id=event_id), event_id=event_id)


def ticket_payload(*, ticket: Ticket) -> str:
    """The signed QR payload of the ticket's current secret (Ed25519 is deterministic, so the
    same ticket always gives the same payload until it is reissued)."""
    key = event_signing_key_get_or_create(event_id=ticket.event_id)
    private = _private_key(ticket.event_id, bytes(key.private_key_encrypted))
    return signing.encode(private_key=private, event_id=ticket.event_id, ticket_id=ticket.pk, secret=ticket.secret)


def ticket_qr_png(*, payload: str, box_size: int = 8) -> bytes:
    image = qrcode.make(payload, box_size=box_size, border=4, error_correction=qrcode.constants.ERROR_CORRECT_M)
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def ticket_qr_svg(*, payload: str) -> bytes:
    image = qrcode.make(
        payload, image_factory=qrcode.image.svg.SvgPathImage, error_correction=qrcode.constants.ERROR_CORRECT_M
    )
    out = io.BytesIO()
    image.save(out)
    return out.getvalue()


def tickets_issue(*, order: Order) -> list[Ticket]:
    """One ticket per position of a confirmed order; idempotent (positions that already have a
    ticket keep it, so calling it again — or concurrently — issues nothing twice).

    Call it inside the transaction that confirms the order. Side effects: creates the event's
    signing key on first use."""
    event_id = order.event_id
    event_signing_key_get_or_create(event_id=event_id)
    tickets = []
    with transaction.atomic():
        for position in order.positions.all().order_by("position", "pk"):
            ticket, _ = Ticket.objects.get_or_create(
                order_position=position,
                defaults={"event_id": event_id, "attendee_name": position.attendee_name},
            )
            tickets.append(ticket)
    return tickets


def _ticket_changed(*, ticket: Ticket, type: EntryType) -> None:
    order = ticket.order_position.order
    if order.user_id is not None:
        stream_append(
            stream=user_stream(order.user_id),
            type=type,
            data={"ticket_id": ticket.pk, "event_id": ticket.event_id, "version": ticket.version},
        )


def ticket_reissue(*, actor: User | None, ticket: Ticket, event: Event) -> Ticket:
    """A new secret (and version) for the ticket: its old QR payload is ``revoked`` from now
    on, the new one admits. Also lifts a revocation. Locks the ticket row; audits; tells the
    holder on their user stream."""
    if actor is not None:
        require_permission(actor, "ticketing.manage_checkin", event)
    with transaction.atomic():
        locked = locked_row(Ticket.objects.select_related("order_position__order"), pk=ticket.pk)
        locked.secret = new_ticket_secret()
        locked.version += 1
        locked.revoked = False
        locked.revoked_at = None
        locked.save(update_fields=["secret", "version", "revoked", "revoked_at"])
        audit_log(
            actor=actor,
            organization_id=event.organization_id,
            event_id=event.pk,
            action="ticket.reissued",
            obj=locked,
            changes={"version": {"old": locked.version - 1, "new": locked.version}},
        )
        _ticket_changed(ticket=locked, type=EntryType.TICKET_REISSUED)
    return locked


def ticket_revoke(*, actor: User | None, ticket: Ticket, event: Event) -> Ticket:
    """Revoke the ticket: every payload of it scans as ``revoked``. Audited."""
    if actor is not None:
        require_permission(actor, "ticketing.manage_checkin", event)
    with transaction.atomic():
        locked = locked_row(Ticket.objects.select_related("order_position__order"), pk=ticket.pk)
        if not locked.revoked:
            locked.revoked = True
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked", "revoked_at"])
            audit_log(
                actor=actor,
                organization_id=event.organization_id,
                event_id=event.pk,
                action="ticket.revoked",
                obj=locked,
                changes={"revoked": {"old": False, "new": True}},
            )
            _ticket_changed(ticket=locked, type=EntryType.TICKET_REVOKED)
    return locked
