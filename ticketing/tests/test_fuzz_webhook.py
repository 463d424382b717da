"""Fuzzing the Stripe webhook with hostile bodies (issue 11): random bytes and JSON, and
Stripe-shaped events with random types, ids, amounts, currencies and metadata aimed at one
pending order — signed with the real scheme (a random share with a wrong signature). Every
answer is a JSON 200 (processed, ignored, duplicate), 400, or 503 ``payment_unavailable`` when
a refund cannot reach Stripe (stood in by a closed port) — never a 500 — and the order is paid
only by an event carrying exactly its amount and currency.
``FUZZ_MINUTES=10 scripts/fuzz ticketing/tests/test_fuzz_webhook.py`` runs it long."""

import json
from decimal import Decimal

import pytest
from django.test import Client
from django_scopes import scopes_disabled
from hypothesis import given
from hypothesis import strategies as st

from eventhub.testing.factories import EventFactory, UserFactory
from eventhub.testing.fuzz import fuzz

from ..enums import OrderStatus
from ..models import Order, Payment
from .factories import TicketTypeFactory
from .stripe_events import WEBHOOK_SECRET, sign

pytestmark = [pytest.mark.django_db, pytest.mark.fuzz]

INTENT = "pi_fuzz_order"
MONEY = ("payment_intent.succeeded", "checkout.session.completed")
TYPES = (*MONEY, "payment_intent.payment_failed", "payment_intent.canceled", "charge.refunded")
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)


def _minor(value):
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 12:
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _pays(event, *, code: str, attempt: str) -> bool:
    """Whether this event may pay the order: a money event for its payment, 5.00 EUR exactly."""
    if not isinstance(event, dict) or event.get("type") not in MONEY or not isinstance(event.get("id"), str):
        return False
    obj = (event.get("data") or {}).get("object") if isinstance(event.get("data"), dict) else None
    if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
        return False
    if obj["metadata"].get("order_code") != code:
        return False
    if event["type"] == "checkout.session.completed":
        intent, minor = obj.get("payment_intent"), obj.get("amount_total")
        if obj.get("payment_status") != "paid":
            return False
    else:
        intent, minor = obj.get("id"), obj.get("amount_received") or obj.get("amount")
    return (
        (intent == INTENT or obj["metadata"].get("payment_attempt") == attempt)
        and _minor(minor) == 500
        and (isinstance(obj.get("currency"), str) and obj["currency"].upper() == "EUR")
    )


def _events(code: str, attempt: str) -> st.SearchStrategy:
    amounts = st.one_of(st.sampled_from([500, "500", 499, 501, 0, 50000, -500]), st.integers(), st.text(max_size=5))
    obj = st.fixed_dictionaries(
        {},
        optional={
            "id": st.sampled_from([INTENT, "pi_other", ""]) | st.text(max_size=10),
            "amount": amounts,
            "amount_received": amounts,
            "amount_total": amounts,
            "currency": st.sampled_from(["eur", "EUR", "usd", "jpy", "eu", "€ur"]) | st.text(max_size=4),
            "payment_status": st.sampled_from(["paid", "unpaid"]),
            "payment_intent": st.sampled_from([INTENT, None, 7]),
            "metadata": st.fixed_dictionaries(
                {},
                optional={
                    "order_code": st.sampled_from([code, code.lower(), "X" * 17]) | JSON,
                    "payment_attempt": st.sampled_from([attempt, attempt.upper(), "not-a-uuid"]) | JSON,
                },
            )
            | JSON,
        },
    )
    return st.fixed_dictionaries(
        {"type": st.sampled_from(TYPES) | st.text(max_size=30)},
        optional={
            "id": st.uuids().map(lambda u: f"evt_{u.hex}") | JSON,
            "data": st.fixed_dictionaries({"object": obj}),
        },
    )


def test_hostile_webhook_bodies_are_never_a_5xx_and_pay_only_the_exact_amount(settings):
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    # Refunds (a mismatch, a refused late payment) call Stripe: here a closed local port, so they
    # answer 503 ``payment_unavailable`` (Stripe redelivers later) and nothing leaves the machine.
    settings.STRIPE_SECRET_KEY = "sk_test_fuzz"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    with scopes_disabled():
        event = EventFactory()
        ticket_type = TicketTypeFactory(event=event, price=Decimal("5.00"))
        order = Order.objects.create(
            event=event,
            user=UserFactory(),
            email="buyer@example.org",
            status=OrderStatus.PENDING,
            total=Decimal("5.00"),
        )
        order.positions.create(ticket_type=ticket_type, price=Decimal("5.00"), attendee_name="A", position=0)
        payment = Payment.objects.create(
            order=order, amount=Decimal("5.00"), currency="EUR", stripe_payment_intent_id=INTENT
        )
    code, attempt = order.code, str(payment.attempt_id)
    client = Client()
    paying_sent = []

    bodies = st.one_of(
        st.binary(max_size=300),
        JSON.map(lambda v: json.dumps(v).encode()),
        _events(code, attempt).map(lambda e: json.dumps(e).encode()),
    )

    @given(body=bodies, signed=st.booleans() | st.just(True))
    def deliver(body: bytes, signed: bool) -> None:
        signature = sign(body) if signed else sign(body, secret="whsec_wrong")
        response = client.post(
            "/api/v1/stripe/webhook",
            data=body,
            content_type="application/json",
            headers={"Stripe-Signature": signature},
        )
        assert response.status_code in (200, 400, 503), (body[:300], response.content[:300])
        assert response["Content-Type"] == "application/json"
        if response.status_code == 503:
            assert response.json()["error"]["code"] == "payment_unavailable"
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if signed and response.status_code == 200 and _pays(parsed, code=code, attempt=attempt):
            paying_sent.append(body)
        with scopes_disabled():
            status = Order.objects.filter(pk=order.pk).values_list("status", flat=True).get()
        assert status == OrderStatus.PENDING or paying_sent, (status, body[:300])

    fuzz(deliver, label="Stripe webhook bodies")
