import httpx
import pytest
from channels.db import database_sync_to_async

from eventhub.realtime.streams import event_staff_stream, event_stream
from eventhub.testing.factories import UserFactory
from eventhub.testing.live import session_token_for, ws_url
from eventhub.testing.ws import StreamClient

from .conftest import append

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_entry_appended_in_another_server_reaches_subscriber_in_order(
    event, organizer_token, server, second_server
):
    client = await StreamClient.open(ws_url(server), token=organizer_token)
    subscribed = await client.subscribe(event_staff_stream(event.pk), ref="s1")
    assert subscribed == {"op": "subscribed", "stream": event_staff_stream(event.pk), "head": 0, "ref": "s1"}

    joiners = [await _user() for _ in range(3)]
    async with httpx.AsyncClient(base_url=second_server) as http:
        for joiner in joiners:
            response = await http.post(f"/api/v1/events/{event.pk}/join", headers={"X-Session-Token": joiner})
            assert response.status_code == 201, response.text

    entries = await client.entries(event_staff_stream(event.pk), 3)
    assert [e["seq"] for e in entries] == [1, 2, 3]
    assert [e["type"] for e in entries] == ["participant.joined"] * 3
    assert [e["data"]["participants"] for e in entries] == [1, 2, 3]
    await client.close()


async def test_entry_appended_by_this_process_reaches_both_servers(event, server, second_server):
    clients = [await StreamClient.open(ws_url(url)) for url in (server, second_server)]
    for client in clients:
        assert (await client.subscribe(event_stream(event.pk)))["op"] == "subscribed"

    await append(event_stream(event.pk), 5)

    for client in clients:
        entries = await client.entries(event_stream(event.pk), 5)
        assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5]
        assert [e["data"] for e in entries] == [{"n": n} for n in range(5)]
        await client.close()


async def _user() -> str:
    return await database_sync_to_async(lambda: session_token_for(UserFactory()))()
