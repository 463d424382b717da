"""No overselling: 200 buyers at once over real HTTP (a live daphne, real PostgreSQL) for the
last 10 tickets — and a negative control without the quota locks that does oversell."""

from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.models import Session
from django_scopes import scopes_disabled

from accounts.models import User
from eventhub.testing.factories import EventFactory
from eventhub.testing.live import daphne
from ticketing.enums import OrderStatus
from ticketing.models import Order, OrderPosition

from .factories import QuotaFactory, TicketTypeFactory
from .race import buy_all_at_once

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live]

BUYERS = 200
SIZE = 100
ALREADY_SOLD = 90


def make_buyers(n: int) -> list[str]:
    """n users with an app session token each, in a few bulk inserts."""
    users = User.objects.bulk_create(User(email=f"buyer{i}@race.example.org") for i in range(n))
    sessions = []
    for user in users:
        store = SessionStore()
        store._session_key = store._get_new_session_key()
        data = {
            SESSION_KEY: str(user.pk),
            BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
            HASH_SESSION_KEY: user.get_session_auth_hash(),
        }
        sessions.append(
            Session(
                session_key=store._session_key, session_data=store.encode(data), expire_date=store.get_expiry_date()
            )
        )
    Session.objects.bulk_create(sessions)
    return [s.session_key for s in sessions]


def hot_quota():
    """A published event whose quota of 100 has 90 sold: 10 left."""
    with scopes_disabled():
        event = EventFactory()
        ticket_type = TicketTypeFactory(event=event, name="Last call", price=Decimal("0.00"), max_per_order=10)
        quota = QuotaFactory(event=event, name="Hall", size=SIZE, ticket_types=[ticket_type])
        earlier = Order.objects.create(event=event, email="early@example.org", status=OrderStatus.PAID)
        OrderPosition.objects.bulk_create(
            OrderPosition(
                order=earlier, ticket_type=ticket_type, price=0, attendee_name="Early", attendee_email="e@x.org"
            )
            for _ in range(ALREADY_SOLD)
        )
    return event, ticket_type, quota


def _taken(event) -> int:
    with scopes_disabled():
        return OrderPosition.objects.filter(order__event=event, order__status=OrderStatus.PAID).count()


def test_200_concurrent_buyers_for_the_last_10_tickets_exactly_10_succeed(tmp_path):
    event, ticket_type, quota = hot_quota()
    tokens = make_buyers(BUYERS)

    with daphne(tmp_path) as base_url:
        attempts = buy_all_at_once(base_url=base_url, event_id=event.pk, ticket_type_id=ticket_type.pk, tokens=tokens)

    outcomes = Counter((a.status, a.code) for a in attempts)
    assert outcomes == {(201, None): 10, (409, "sold_out"): 190}
    assert _taken(event) == SIZE  # never more than the quota
    with scopes_disabled():
        assert Order.objects.filter(event=event).count() == 1 + 10


def test_negative_control_without_quota_locks_oversells(tmp_path):
    """The same race with the lock switched off (test-only flag in the server's environment):
    more than 10 get through, so the test above can see the race it guards against."""
    event, ticket_type, quota = hot_quota()
    tokens = make_buyers(BUYERS)

    with daphne(tmp_path, TICKETING_LOCK_QUOTAS="0") as base_url:
        attempts = buy_all_at_once(base_url=base_url, event_id=event.pk, ticket_type_id=ticket_type.pk, tokens=tokens)

    assert all(a.status < 500 for a in attempts)
    created = sum(1 for a in attempts if a.status == 201)
    assert created > 10
    assert _taken(event) > SIZE
