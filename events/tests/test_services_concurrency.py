"""Concurrent joins of one event: every ``participant.joined`` entry carries the true total.

Real concurrent requests (threads, each with its own database connection, through the whole
HTTP stack) released together by a barrier; the negative control turns the event lock off and
shows that the race then happens, so the positive test is not passing by luck of timing."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django_scopes import scopes_disabled

from eventhub.realtime.models import StreamEntry
from eventhub.testing.factories import EventFactory, UserFactory
from eventhub.testing.live import session_token_for
from events import services
from events.models import Participant

pytestmark = pytest.mark.django_db(transaction=True)

JOINERS = 8


def _join_concurrently(event, tokens: list[str]) -> list[int]:
    barrier = threading.Barrier(len(tokens))
    statuses: list[int] = []

    def join(token: str) -> None:
        try:
            client = Client(HTTP_X_SESSION_TOKEN=token)
            barrier.wait(timeout=10)
            statuses.append(client.post(f"/api/v1/events/{event.pk}/join").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=join, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return statuses


def _published_totals(event) -> list[int]:
    entries = StreamEntry.objects.filter(stream=event.staff_stream).order_by("seq")
    return [entry.data["participants"] for entry in entries]


def _round() -> tuple[list[int], list[int], int]:
    with scopes_disabled():
        event = EventFactory(open_registration=True)
    tokens = [session_token_for(UserFactory()) for _ in range(JOINERS)]
    statuses = _join_concurrently(event, tokens)
    with scopes_disabled():
        rows = Participant.objects.filter(event=event).count()
    return statuses, _published_totals(event), rows


def test_concurrent_joins_publish_every_total_once():
    statuses, totals, rows = _round()

    assert statuses == [201] * JOINERS
    assert rows == JOINERS
    # In seq order: the stream's order is commit order, and each join counted every earlier one.
    assert totals == list(range(1, JOINERS + 1))


def test_concurrent_joins_without_the_lock_publish_wrong_totals(monkeypatch):
    """Negative control: with the lock off, some joins miss each other's uncommitted rows."""
    monkeypatch.setattr(services, "_lock_event_participants", lambda event: None)

    reproduced = []
    for _ in range(5):  # the race is likely, not certain, in a single round
        statuses, totals, rows = _round()
        assert (statuses, rows) == ([201] * JOINERS, JOINERS)
        reproduced.append(totals != list(range(1, JOINERS + 1)))
        if reproduced[-1]:
            break

    assert reproduced[-1] is True
