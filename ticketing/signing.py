"""The ticket QR payload: compact, signed with the event's Ed25519 key, verifiable offline.

Layout (then base64url without padding, 130 characters)::

    version (1 byte, 0x01) | ticket id (8 bytes, big-endian) | secret (24 bytes) | signature (64 bytes)

The signature covers ``DOMAIN | event id (8 bytes) | the first 33 bytes``: a payload signed for
one event never verifies for another even if a key were reused, and nothing in it is
encrypted — it names a ticket, and only the holder of the event's private key can make one.
Revocation is by secret: reissuing gives the ticket a new secret, so the old payload still
verifies but names a secret the ticket no longer has (``revoked``); the scanner's ticket list
carries a hash of each current secret so it can tell offline as well.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

VERSION = 1
DOMAIN = b"eventhub-ticket\x00"
SECRET_BYTES = 24
_BODY = struct.Struct(">BQ")
BODY_LENGTH = _BODY.size + SECRET_BYTES  # 33
PAYLOAD_LENGTH = BODY_LENGTH + 64  # 97 bytes, 130 base64url characters


@dataclass(frozen=True)
class TicketClaim:
    """What a verified payload says: which ticket, with which secret."""

    ticket_id: int
    secret: bytes


def secret_bytes(secret: str) -> bytes:
    """The 24 bytes of a ticket secret (``secrets.token_urlsafe(24)``); any other string is
    hashed down to 24 bytes so that hand-made secrets still work."""
    try:
        raw = base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4))
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) == SECRET_BYTES and base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == secret:
        return raw
    return hashlib.sha256(secret.encode()).digest()[:SECRET_BYTES]


def secret_hash(secret: str) -> str:
    """What the offline ticket list carries instead of the secret: hex SHA-256 of its bytes."""
    return hashlib.sha256(secret_bytes(secret)).hexdigest()


def _message(event_id: int, body: bytes) -> bytes:
    return DOMAIN + struct.pack(">Q", event_id) + body


def encode(*, private_key: Ed25519PrivateKey, event_id: int, ticket_id: int, secret: str) -> str:
    body = _BODY.pack(VERSION, ticket_id) + secret_bytes(secret)
    signature = private_key.sign(_message(event_id, body))
    return base64.urlsafe_b64encode(body + signature).rstrip(b"=").decode()


def decode(*, payload: str, public_key: Ed25519PublicKey, event_id: int) -> TicketClaim | None:
    """The claim of a payload whose signature verifies with the event's public key; None for
    anything else (malformed, another version, tampered, forged, another event's)."""
    if not isinstance(payload, str) or len(payload) > 200:
        return None
    try:
        raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    except (binascii.Error, ValueError):
        return None
    # The decoder skips characters outside the alphabet (":::" + a real payload decoded to the
    # real bytes and was admitted — found by the fuzzer): only the canonical spelling of the
    # bytes is the payload.
    if len(raw) != PAYLOAD_LENGTH or base64.urlsafe_b64encode(raw).rstrip(b"=").decode() != payload:
        return None
    body, signature = raw[:BODY_LENGTH], raw[BODY_LENGTH:]
    version, ticket_id = _BODY.unpack_from(body)
    if version != VERSION:
        return None
    try:
        public_key.verify(signature, _message(event_id, body))
    except InvalidSignature:
        return None
    return TicketClaim(ticket_id=ticket_id, secret=body[_BODY.size :])


def public_key_from_bytes(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(bytes(raw))
