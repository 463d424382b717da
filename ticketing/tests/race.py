"""Many buyers at once against a live server: shared by the race test and bench/checkout.py."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import httpx
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone
from django_scopes import scopes_disabled

from accounts.models import User
from eventhub.testing.factories import EventFactory
from ticketing.enums import OrderStatus, PaymentStatus
from ticketing.models import Order, OrderPosition, Payment, Voucher
from ticketing.services.tickets import event_signing_key_get_or_create

from .factories import QuotaFactory, TicketTypeFactory
from .stripe_events import sign, stripe_event


def make_buyers(n: int, *, prefix: str = "buyer") -> list[str]:
    """n users with an app session token each (as allauth headless issues them), in two bulk
    inserts."""
    users = User.objects.bulk_create(User(email=f"{prefix}{i}@race.example.org") for i in range(n))
    sessions = []
    for user in users:
        store = SessionStore()
        key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=store.get_expiry_date()))
    Session.objects.bulk_create(sessions)
    return [s.session_key for s in sessions]


def hot_quota(*, size: int = 100, left: int = 10):
    """A published event with one free ticket type whose quota has ``left`` of ``size`` left."""
    with scopes_disabled():
        event = EventFactory()
        ticket_type = TicketTypeFactory(event=event, name="Last call", max_per_order=10)
        QuotaFactory(event=event, name="Hall", size=size, ticket_types=[ticket_type])
        earlier = Order.objects.create(event=event, email="early@example.org", status=OrderStatus.PAID)
        OrderPosition.objects.bulk_create(
            OrderPosition(
                order=earlier, ticket_type=ticket_type, price=0, attendee_name="Early", attendee_email="e@x.org"
            )
            for _ in range(size - left)
        )
    return event, ticket_type


def positions_taken(event) -> int:
    with scopes_disabled():
        return OrderPosition.objects.filter(order__event=event, order__status=OrderStatus.PAID).count()


@dataclass(frozen=True)
class Attempt:
    status: int
    code: str | None  # error code, or None for a created order
    seconds: float


def buy_all_at_once(*, base_url: str, event_id: int, ticket_type_id: int, tokens: list[str]) -> list[Attempt]:
    """One thread and one connection per buyer; all requests leave together (a barrier), each
    buying one ticket."""
    barrier = threading.Barrier(len(tokens))
    url = f"{base_url}/api/v1/events/{event_id}/orders"

    def buy(index: int) -> Attempt:
        token = tokens[index]
        body = {
            "positions": [
                {
                    "ticket_type": ticket_type_id,
                    "attendee_name": f"Buyer {index}",
                    "attendee_email": f"b{index}@example.org",
                }
            ]
        }
        with httpx.Client(timeout=60, headers={"X-Session-Token": token}) as client:
            client.get(f"{base_url}/api/v1/me")  # open the connection before the start signal
            barrier.wait()
            started = time.perf_counter()
            response = client.post(url, json=body, headers={"Idempotency-Key": f"race-{index}"})
            seconds = time.perf_counter() - started
        try:
            code = None if response.status_code == 201 else response.json()["error"]["code"]
        except ValueError:
            code = f"non-json {response.text[:80]!r}"
        return Attempt(status=response.status_code, code=code, seconds=seconds)

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        return list(pool.map(buy, range(len(tokens))))


# --- mixed checkouts: plain orders, voucher orders and late payments at once -------------------


@dataclass(frozen=True)
class Shop:
    event_id: int
    free_id: int  # a free ticket type, bought plainly and with the voucher
    paid_id: int  # a paid one (50.00 EUR), whose late payments arrive by webhook
    voucher: str


def mixed_shop(*, size: int = 10_000) -> Shop:
    """A published event with a free and a paid ticket type in one quota and a voucher with
    uses enough for every buyer; its signing key exists (so no race creates it)."""
    with scopes_disabled():
        event = EventFactory()
        free = TicketTypeFactory(event=event, name="Community", max_per_order=10)
        paid = TicketTypeFactory(event=event, name="Regular", price=Decimal("50.00"), max_per_order=10)
        QuotaFactory(event=event, name="Hall", size=size, ticket_types=[free, paid])
        Voucher.objects.create(event=event, code="RACE", value=0, max_usages=size)
        event_signing_key_get_or_create(event_id=event.pk)
    return Shop(event_id=event.pk, free_id=free.pk, paid_id=paid.pk, voucher="RACE")


@dataclass(frozen=True)
class LatePayment:
    order_code: str
    payload: bytes  # a signed payment_intent.succeeded for the order's full amount


def late_payments(shop: Shop, n: int, *, prefix: str) -> list[LatePayment]:
    """n orders of the paid type whose reservation ran out before the money came (half still
    pending, half already expired by the sweep), each with its open payment attempt, and the
    webhook body Stripe would send for it."""
    late = []
    with scopes_disabled():
        users = User.objects.bulk_create(User(email=f"{prefix}-late{i}@race.example.org") for i in range(n))
        for i, user in enumerate(users):
            order = Order.objects.create(
                event_id=shop.event_id,
                user=user,
                email=user.email,
                total=Decimal("50.00"),
                currency="EUR",
                status=OrderStatus.PENDING if i % 2 else OrderStatus.EXPIRED,
                expires_at=timezone.now() - timedelta(minutes=1),
            )
            OrderPosition.objects.create(
                order=order,
                ticket_type_id=shop.paid_id,
                price=Decimal("50.00"),
                attendee_name="Late",
                attendee_email=user.email,
            )
            intent_id = f"pi_{prefix}_{i}_{uuid.uuid4().hex[:8]}"
            payment = Payment.objects.create(
                order=order,
                amount=Decimal("50.00"),
                currency="EUR",
                status=PaymentStatus.PENDING,
                stripe_payment_intent_id=intent_id,
            )
            intent = {
                "id": intent_id,
                "object": "payment_intent",
                "amount": 5000,
                "amount_received": 5000,
                "currency": "eur",
                "status": "succeeded",
                "metadata": {"order_code": order.code, "payment_attempt": str(payment.attempt_id)},
            }
            body = stripe_event(event_id=f"evt_{intent_id}", type="payment_intent.succeeded", obj=intent)
            late.append(LatePayment(order_code=order.code, payload=body))
    return late


@dataclass(frozen=True)
class Checkout:
    kind: str  # plain | voucher | late
    status: int
    code: str | None  # error code (or the webhook's status), None for a created order
    seconds: float


def checkouts_at_once(
    *, base_urls: list[str], shop: Shop, plain: list[str], voucher: list[str], late: list[LatePayment]
) -> list[Checkout]:
    """Plain buyers, voucher buyers (session tokens) and Stripe's late webhooks, one thread and
    one connection each, spread over the servers in turn and released together."""
    jobs: list[tuple[str, object]] = (
        [("plain", t) for t in plain] + [("voucher", t) for t in voucher] + [("late", p) for p in late]
    )
    barrier = threading.Barrier(len(jobs))

    def run(index: int) -> Checkout:
        kind, item = jobs[index]
        base_url = base_urls[index % len(base_urls)]
        if kind == "late":
            assert isinstance(item, LatePayment)
            url, headers, body = f"{base_url}/api/v1/stripe/webhook", {}, None
            content = item.payload
        else:
            url = f"{base_url}/api/v1/events/{shop.event_id}/orders"
            headers = {"X-Session-Token": str(item), "Idempotency-Key": f"mixed-{index}"}
            content = None
            body = {
                "positions": [
                    {"ticket_type": shop.free_id, "attendee_name": f"Buyer {index}", "attendee_email": "b@example.org"}
                ],
                **({"voucher": shop.voucher} if kind == "voucher" else {}),
            }
        with httpx.Client(timeout=120) as client:
            client.get(f"{base_url}/api/v1/me")  # open the connection before the start signal
            barrier.wait()
            started = time.perf_counter()
            if content is not None:
                headers = {"Stripe-Signature": sign(content), "Content-Type": "application/json"}
                response = client.post(url, content=content, headers=headers)
            else:
                response = client.post(url, json=body, headers=headers)
            seconds = time.perf_counter() - started
        try:
            answer = response.json()
            if response.status_code in (200, 201):
                code = answer.get("status") if kind == "late" else None
            else:
                code = answer["error"]["code"]
        except (ValueError, KeyError):
            code = f"non-json {response.text[:80]!r}"
        return Checkout(kind=kind, status=response.status_code, code=code, seconds=seconds)

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, range(len(jobs))))
