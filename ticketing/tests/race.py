"""Many buyers at once against a live server: shared by the race test and bench/checkout.py."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django_scopes import scopes_disabled

from accounts.models import User
from eventhub.testing.factories import EventFactory
from ticketing.enums import OrderStatus
from ticketing.models import Order, OrderPosition

from .factories import QuotaFactory, TicketTypeFactory


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
