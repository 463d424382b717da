"""GET /api/v1/streams/<stream>/entries: the offline catch-up returns what the socket sends."""

from datetime import timedelta

import httpx
import pytest
from django.utils import timezone

from eventhub.realtime.models import StreamEntry
from eventhub.realtime.services import stream_purge_expired
from eventhub.realtime.streams import event_stream
from eventhub.testing.factories import EventFactory
from eventhub.testing.ws import StreamClient
from events.enums import EventVisibility

from .conftest import append, append_sync

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_catch_up_returns_exactly_what_the_websocket_replays(event, server, ws):
    await append(event_stream(event.pk), 5)
    client = await StreamClient.open(ws)
    await client.subscribe(event_stream(event.pk), since=1)
    over_socket = await client.entries(event_stream(event.pk), 4)
    await client.close()

    async with httpx.AsyncClient(base_url=server) as http:
        response = await http.get(f"/api/v1/streams/{event_stream(event.pk)}/entries", params={"since": 1})

    assert response.status_code == 200
    assert response.json() == {
        "stream": event_stream(event.pk),
        "head": 5,
        "reset": False,
        "has_more": False,
        "entries": over_socket,
    }


def _get(client, stream: str, **params):
    return client.get(f"/api/v1/streams/{stream}/entries", params)


def test_catch_up_pages_with_limit_and_has_more(client, event):
    append_sync(event_stream(event.pk), 5)

    first = _get(client, event_stream(event.pk), since=0, limit=2).json()
    second = _get(client, event_stream(event.pk), since=first["entries"][-1]["seq"], limit=2).json()
    last = _get(client, event_stream(event.pk), since=4, limit=2).json()

    assert [e["seq"] for e in first["entries"]] == [1, 2]
    assert first["has_more"] is True
    assert [e["seq"] for e in second["entries"]] == [3, 4]
    assert [e["seq"] for e in last["entries"]] == [5]
    assert last["has_more"] is False


def test_catch_up_older_than_retention_says_reset(client, event):
    append_sync(event_stream(event.pk), 3)
    StreamEntry.objects.filter(stream=event_stream(event.pk), seq=1).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    stream_purge_expired()

    assert _get(client, event_stream(event.pk), since=0).json() == {
        "stream": event_stream(event.pk),
        "head": 3,
        "reset": True,
        "has_more": False,
        "entries": [],
    }
    assert [e["seq"] for e in _get(client, event_stream(event.pk), since=1).json()["entries"]] == [2, 3]


def test_catch_up_of_a_stream_you_may_not_read_is_a_404_like_a_missing_one(client, transactional_db):
    private = EventFactory(visibility=EventVisibility.PRIVATE)
    append_sync(event_stream(private.pk), 2)

    hidden = _get(client, event_stream(private.pk), since=0)
    missing = _get(client, event_stream(999999999), since=0)

    assert hidden.status_code == missing.status_code == 404
    assert hidden.content == missing.content


def test_catch_up_rejects_a_bad_since(client, event):
    response = _get(client, event_stream(event.pk), since="x")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"since": ["A valid integer is required."]}
