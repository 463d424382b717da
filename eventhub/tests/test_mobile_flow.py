"""The mobile app's path end to end over HTTP and WebSocket against a live daphne: sign up, use
the API with the session token, join an event, and receive the personal stream entry."""

import asyncio

import httpx
import pytest
from django_scopes import scopes_disabled

from eventhub.testing.factories import EventFactory
from eventhub.testing.live import daphne, ws_url
from eventhub.testing.ws import StreamClient
from events.models import Participant

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

AUTH = "/_allauth/app/v1/auth"
PASSWORD = "a-long-Mobile-passw0rd"


@pytest.fixture
def server(tmp_path, transactional_db):
    with daphne(tmp_path) as url:
        yield url


async def _personal_entries(url: str, *, token: str, stream: str) -> tuple[dict, list[dict]]:
    client = await StreamClient.open(ws_url(url), token=token)
    try:
        subscribed = await client.subscribe(stream, since=0, ref="me")
        entries = await client.entries(stream, 1)
    finally:
        await client.close()
    return subscribed, entries


def test_mobile_signup_api_join_and_personal_stream(server):
    with scopes_disabled():
        event = EventFactory(open_registration=True)
    http = httpx.Client(base_url=server, timeout=10)

    signup = http.post(f"{AUTH}/signup", json={"email": "mobile@example.org", "password": PASSWORD})
    token = signup.json()["meta"]["session_token"]
    user_id = signup.json()["data"]["user"]["id"]
    me = http.get("/api/v1/me", headers={"X-Session-Token": token})
    join = http.post(f"/api/v1/events/{event.pk}/join", headers={"X-Session-Token": token})
    subscribed, entries = asyncio.run(_personal_entries(server, token=token, stream=f"user:{user_id}"))

    assert signup.status_code == 200
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["email"], me.json()["stream"]) == (
        user_id,
        "mobile@example.org",
        f"user:{user_id}",
    )
    assert join.status_code == 201
    assert join.json()["event"] == event.pk
    assert subscribed == {"op": "subscribed", "stream": f"user:{user_id}", "head": 1, "ref": "me"}
    assert [(e["seq"], e["type"], e["data"]) for e in entries] == [
        (1, "participation.created", {"event": event.pk, "kind": "attendee"})
    ]
    with scopes_disabled():
        assert list(Participant.objects.filter(event=event).values_list("user_id", "kind")) == [(user_id, "attendee")]


def test_mobile_login_and_logout_over_http(server):
    http = httpx.Client(base_url=server, timeout=10)
    signup = http.post(f"{AUTH}/signup", json={"email": "returning@example.org", "password": PASSWORD})
    first_token = signup.json()["meta"]["session_token"]

    login = http.post(f"{AUTH}/login", json={"email": "returning@example.org", "password": PASSWORD})
    second_token = login.json()["meta"]["session_token"]
    logout = http.delete(f"{AUTH}/session", headers={"X-Session-Token": second_token})
    after_logout = http.get("/api/v1/me", headers={"X-Session-Token": second_token})
    other_device = http.get("/api/v1/me", headers={"X-Session-Token": first_token})

    assert login.status_code == 200
    assert second_token != first_token
    assert logout.status_code == 401
    assert after_logout.status_code == 401
    assert after_logout.json()["error"]["code"] == "not_authenticated"
    assert other_device.status_code == 200
