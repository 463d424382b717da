"""Hostile input on the socket (issue 11): deeply nested frames, non-canonical stream names,
floods of bad credentials."""

import asyncio
import uuid

import pytest
from channels.db import database_sync_to_async
from rest_framework.test import APIClient
from websockets.exceptions import ConnectionClosed, InvalidStatus

from eventhub.realtime.streams import event_staff_stream, event_stream
from eventhub.testing.live import daphne, session_token_for, ws_url
from eventhub.testing.ws import StreamClient

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


def _bad_request(detail: str, ref=None) -> dict:
    return {"op": "error", "code": "bad_request", "detail": detail, "ref": ref}


async def test_deeply_nested_frame_is_bad_request_and_the_socket_keeps_working(event, ws):
    client = await StreamClient.open(ws)
    deep = '{"op": "ping", "x": ' + "[" * 4000 + "]" * 4000 + "}"  # 8 KiB, under the frame limit
    just_too_deep = '{"op": "ping", "x": ' + "[" * 32 + "]" * 32 + "}"

    await client.send(deep)
    first = await client.recv_op("error")
    await client.send(just_too_deep)
    second = await client.recv_op("error")
    await client.send({"op": "ping", "ref": 1})
    pong = await client.recv_op("pong")

    assert len(deep) < 8192
    assert first == second == _bad_request("Frames must be JSON objects.")
    assert pong == {"op": "pong", "ref": 1}
    assert (await client.subscribe(event_stream(event.pk)))["op"] == "subscribed"
    await client.close()


@pytest.mark.parametrize(
    "name",
    [
        "event:0{id}",  # a leading zero: a second name for event:<id> that nothing is broadcast to
        "event:{fullwidth}",  # full-width digits
        "event:{arabic_indic}",  # Arabic-Indic digits
        "user:0",
        "event:99999999999999999999",  # beyond a bigint
    ],
)
async def test_non_canonical_stream_name_is_refused_on_the_socket_and_the_catch_up_api(event, ws, name):
    digits = str(event.pk)
    name = name.format(
        id=digits,
        fullwidth="".join(chr(0xFF10 + int(d)) for d in digits),
        arabic_indic="".join(chr(0x0660 + int(d)) for d in digits),
    )
    client = await StreamClient.open(ws)

    answer = await client.subscribe(name, ref="x")
    catch_up = await database_sync_to_async(APIClient().get)(f"/api/v1/streams/{name}/entries", {"since": 0})

    assert answer == _bad_request(f"{name!r} is not a stream name.", "x")
    assert catch_up.status_code == 404
    assert catch_up.json()["error"]["code"] == "not_found"
    await client.close()


@pytest.fixture(scope="module")
def strict_server(tmp_path_factory, django_db_setup):
    """A server that allows 3 failed authentications a minute per address, behind one trusted
    proxy (so each test speaks from an address of its own, not the shared 127.0.0.1)."""
    with daphne(tmp_path_factory.mktemp("strict"), STREAM_AUTH_FAILURES_PER_MINUTE="3", TRUSTED_PROXY_COUNT="1") as url:
        yield ws_url(url)


def _from(address: str) -> dict[str, str]:
    return {"X-Forwarded-For": address}


def _address() -> str:
    n = uuid.uuid4().int
    return f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250 + 1}"


async def test_failed_token_authentications_per_address_are_limited(event, organizer, strict_server):
    address, elsewhere = _address(), _address()
    token = await database_sync_to_async(session_token_for)(organizer)
    refused = []
    for n in range(3):
        with pytest.raises(InvalidStatus) as handshake:
            await StreamClient.open(strict_server, token=f"bad-{n}", headers=_from(address))
        refused.append(handshake.value.response.status_code)

    limited = await StreamClient.open(strict_server, token=token, headers=_from(address))
    told = await asyncio.wait_for(limited.recv_op("error"), 5)
    with pytest.raises(ConnectionClosed) as closed:
        await limited.recv(timeout=5)
    by_frame = await StreamClient.open(strict_server, headers=_from(address))
    await by_frame.send({"op": "auth", "token": token, "ref": 1})
    by_frame_told = await asyncio.wait_for(by_frame.recv_op("error"), 5)
    other_address = await StreamClient.open(strict_server, token=token, headers=_from(elsewhere))

    assert refused == [403, 403, 403]
    assert told == {
        "op": "error",
        "code": "rate_limited",
        "detail": "Too many failed authentications from your address; try again in 60 s.",
        "ref": None,
    }
    assert closed.value.rcvd.code == 4029
    assert by_frame_told == {**told, "ref": 1}
    assert (await other_address.subscribe(event_staff_stream(event.pk)))["op"] == "subscribed"
    await by_frame.close()
    await other_address.close()


async def test_failed_frame_and_display_link_authentications_count_too(strict_server):
    address = _address()
    client = await StreamClient.open(strict_server, headers=_from(address))
    answers = []
    for n, frame in enumerate(
        [{"op": "auth", "token": "bad"}, {"op": "auth", "display": "bad"}, {"op": "auth", "token": "bad"}]
        + [{"op": "auth", "display": "bad"}]
    ):
        await client.send({**frame, "ref": n})
        answers.append((await asyncio.wait_for(client.recv_op("error"), 5))["code"])

    assert answers == ["forbidden", "forbidden", "forbidden", "rate_limited"]
    await client.close()
