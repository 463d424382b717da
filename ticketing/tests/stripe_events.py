"""Stripe webhook bodies as Stripe sends them, signed with the real scheme (shared by the
payment tests, the race harness and bench/checkout.py)."""

import hashlib
import hmac
import json
import time

WEBHOOK_SECRET = "whsec_test_eventhub"


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> str:
    """The real Stripe-Signature scheme: t=<unix>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""
    timestamp = timestamp or int(time.time())
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def stripe_event(*, event_id: str, type: str, obj: dict) -> bytes:
    return json.dumps(
        {
            "id": event_id,
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "type": type,
            "data": {"object": obj},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
        }
    ).encode()
