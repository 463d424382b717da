"""The /ws/v1/ stream protocol of DESIGN §3 against a real daphne on PostgreSQL and Redis."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.db import transaction
from django.utils import timezone
from websockets.exceptions import ConnectionClosed, InvalidStatus

from eventhub.realtime.models import StreamEntry
from eventhub.realtime.services import stream_append, stream_purge_expired
from eventhub.realtime.streams import event_staff_stream, event_stream, user_stream
from eventhub.testing.factories import EventFactory, UserFactory
from eventhub.testing.live import session_token_for
from eventhub.testing.ws import StreamClient
from events.enums import EventStatus, EventVisibility

from .conftest import append

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


async def test_resubscribe_with_since_replays_exactly_the_missed_entries(event, ws):
    client = await StreamClient.open(ws)
    await client.subscribe(event_stream(event.pk))
    await append(event_stream(event.pk), 2)
    seen = await client.entries(event_stream(event.pk), 2)
    await client.close()

    await append(event_stream(event.pk), 5, start=2)

    client = await StreamClient.open(ws)
    subscribed = await client.subscribe(event_stream(event.pk), since=seen[-1]["seq"], ref=7)
    replayed = await client.entries(event_stream(event.pk), 5)
    extra = await client.quiet(1.5)

    assert subscribed == {"op": "subscribed", "stream": event_stream(event.pk), "head": 7, "ref": 7}
    assert [e["seq"] for e in replayed] == [3, 4, 5, 6, 7]
    assert [e["data"]["n"] for e in replayed] == [2, 3, 4, 5, 6]
    assert extra == []
    await client.close()


async def test_replay_then_live_entries_continue_without_gap_or_duplicate(event, ws):
    await append(event_stream(event.pk), 3)
    client = await StreamClient.open(ws)
    await client.subscribe(event_stream(event.pk), since=0)
    await append(event_stream(event.pk), 3, start=3)

    entries = await client.entries(event_stream(event.pk), 6)
    extra = await client.quiet(1.5)

    assert [e["seq"] for e in entries] == [1, 2, 3, 4, 5, 6]
    assert extra == []
    await client.close()


async def test_since_older_than_retention_gets_reset(event, ws):
    await append(event_stream(event.pk), 4)

    def age_and_purge() -> int:
        StreamEntry.objects.filter(stream=event_stream(event.pk), seq__lte=2).update(
            created_at=timezone.now() - timedelta(days=8)
        )
        return stream_purge_expired()

    assert await database_sync_to_async(age_and_purge)() == 2
    client = await StreamClient.open(ws)

    subscribed = await client.subscribe(event_stream(event.pk), since=1, ref="r")
    reset = await client.recv()
    await append(event_stream(event.pk), 1, start=4)
    live = await client.entries(event_stream(event.pk), 1)

    assert subscribed == {"op": "subscribed", "stream": event_stream(event.pk), "head": 4, "ref": "r"}
    assert reset == {"op": "reset", "stream": event_stream(event.pk), "head": 4, "ref": "r"}
    assert live[0]["seq"] == 5
    await client.close()


async def test_since_still_in_retention_is_replayed_after_purge_of_older_entries(event, ws):
    await append(event_stream(event.pk), 4)
    await database_sync_to_async(
        lambda: StreamEntry.objects.filter(stream=event_stream(event.pk), seq=1).update(
            created_at=timezone.now() - timedelta(days=8)
        )
    )()
    await database_sync_to_async(stream_purge_expired)()
    client = await StreamClient.open(ws)

    await client.subscribe(event_stream(event.pk), since=1)
    entries = await client.entries(event_stream(event.pk), 3)

    assert [e["seq"] for e in entries] == [2, 3, 4]
    await client.close()


async def test_rolled_back_append_is_never_delivered_and_leaves_no_gap(event, ws):
    client = await StreamClient.open(ws)
    await client.subscribe(event_stream(event.pk))

    def append_then_roll_back() -> None:
        with transaction.atomic():
            stream_append(stream=event_stream(event.pk), type="test.rolled_back", data={})
            raise RuntimeError("abort")

    with pytest.raises(RuntimeError):
        await database_sync_to_async(append_then_roll_back)()
    await append(event_stream(event.pk), 1)
    entries = await client.entries(event_stream(event.pk), 1)
    extra = await client.quiet(1.5)

    assert [(e["seq"], e["type"]) for e in entries] == [(1, "test.tick")]
    assert extra == []
    assert await database_sync_to_async(
        lambda: list(StreamEntry.objects.filter(stream=event_stream(event.pk)).values_list("seq", "type"))
    )() == [(1, "test.tick")]
    await client.close()


async def test_heartbeat_carries_the_head_of_each_subscribed_stream(event, ws):
    await append(event_stream(event.pk), 3)
    client = await StreamClient.open(ws)
    await client.subscribe(event_stream(event.pk))

    heartbeat = await client.recv(timeout=3)

    assert heartbeat == {"op": "heartbeat", "heads": {event_stream(event.pk): 3}}
    await client.close()


async def test_unsubscribe_stops_delivery(event, ws):
    client = await StreamClient.open(ws)
    await client.subscribe(event_stream(event.pk))

    await client.send({"op": "unsubscribe", "stream": event_stream(event.pk), "ref": 1})
    unsubscribed = await client.recv_op("unsubscribed")
    await append(event_stream(event.pk), 2)
    after = await client.quiet(1.5)
    await client.send({"op": "unsubscribe", "stream": event_stream(event.pk), "ref": 2})
    error = await client.recv_op("error")

    assert unsubscribed == {"op": "unsubscribed", "stream": event_stream(event.pk), "ref": 1}
    assert after == []
    assert error == {
        "op": "error",
        "code": "not_found",
        "detail": f"Not subscribed to '{event_stream(event.pk)}'.",
        "ref": 2,
    }
    await client.close()


async def test_ping_answers_pong_with_ref(ws):
    client = await StreamClient.open(ws)
    await client.send({"op": "ping", "ref": "abc"})
    assert await client.recv_op("pong") == {"op": "pong", "ref": "abc"}
    await client.close()


# -- authorization -----------------------------------------------------------------------------


@pytest.fixture
def private_event(transactional_db):
    return EventFactory(visibility=EventVisibility.PRIVATE)


async def _forbidden(client: StreamClient, stream: str) -> dict:
    return await client.subscribe(stream, ref="x")


def _forbidden_frame(stream: str) -> dict:
    return {"op": "error", "code": "forbidden", "detail": f"You may not read {stream}.", "ref": "x"}


async def test_private_streams_are_forbidden_without_leaking_existence(event, private_event, attendee_token, ws):
    other = await database_sync_to_async(lambda: UserFactory().pk)()
    await append(event_stream(private_event.pk), 2)
    client = await StreamClient.open(ws, token=attendee_token)

    frames = {
        stream: await _forbidden(client, stream)
        for stream in (
            event_stream(private_event.pk),
            event_staff_stream(event.pk),
            user_stream(other),
            event_stream(999999999),
            event_staff_stream(999999999),
        )
    }
    leaked = await client.quiet(1.5)

    assert frames == {stream: _forbidden_frame(stream) for stream in frames}
    assert leaked == []
    await client.close()


async def test_anonymous_socket_reads_public_event_only(event, private_event, attendee, ws):
    draft = await database_sync_to_async(lambda: EventFactory(status=EventStatus.DRAFT))()
    client = await StreamClient.open(ws)

    public = await client.subscribe(event_stream(event.pk))
    denied = [
        await _forbidden(client, s)
        for s in (
            event_stream(private_event.pk),
            event_stream(draft.pk),
            event_staff_stream(event.pk),
            user_stream(attendee.pk),
        )
    ]

    assert public["op"] == "subscribed"
    assert denied == [
        _forbidden_frame(s)
        for s in (
            event_stream(private_event.pk),
            event_stream(draft.pk),
            event_staff_stream(event.pk),
            user_stream(attendee.pk),
        )
    ]
    await client.close()


async def test_token_in_url_is_ignored(event, organizer_token, ws):
    client = await StreamClient.open(f"{ws}?token={organizer_token}&session_token={organizer_token}")
    assert await _forbidden(client, event_staff_stream(event.pk)) == _forbidden_frame(event_staff_stream(event.pk))
    await client.close()


async def test_token_header_and_first_frame_auth_both_authenticate(event, organizer_token, ws):
    by_header = await StreamClient.open(ws, token=organizer_token)
    by_frame = await StreamClient.open(ws)
    await by_frame.send({"op": "auth", "token": organizer_token, "ref": 1})

    authenticated = await by_frame.recv_op("authenticated")
    assert authenticated == {"op": "authenticated", "ref": 1}
    for client in (by_header, by_frame):
        assert (await client.subscribe(event_staff_stream(event.pk)))["op"] == "subscribed"
        await client.close()


async def test_invalid_token_is_refused(ws):
    with pytest.raises(InvalidStatus) as refused:
        await StreamClient.open(ws, token="not-a-session")
    assert refused.value.response.status_code == 403

    client = await StreamClient.open(ws)
    await client.send({"op": "auth", "token": "not-a-session", "ref": 2})
    assert await client.recv_op("error") == {
        "op": "error",
        "code": "forbidden",
        "detail": "Invalid or expired session token.",
        "ref": 2,
    }
    await client.close()


async def test_cookie_socket_from_foreign_origin_is_refused(event, organizer, server, ws):
    session = await database_sync_to_async(session_token_for)(organizer)
    cookie = {"Cookie": f"sessionid={session}"}

    with pytest.raises(InvalidStatus) as refused:
        await StreamClient.open(ws, headers={**cookie, "Origin": "https://evil.example.com"})
    with pytest.raises(InvalidStatus):
        await StreamClient.open(ws, headers=cookie)  # no Origin at all
    same_origin = await StreamClient.open(ws, headers={**cookie, "Origin": server})
    token_without_origin = await StreamClient.open(ws, token=session)

    assert refused.value.response.status_code == 403
    assert (await same_origin.subscribe(event_staff_stream(event.pk)))["op"] == "subscribed"
    assert (await token_without_origin.subscribe(event_staff_stream(event.pk)))["op"] == "subscribed"
    await same_origin.close()
    await token_without_origin.close()


async def test_token_socket_ignores_cookies(event, organizer, attendee_token, ws):
    organizer_session = await database_sync_to_async(session_token_for)(organizer)
    client = await StreamClient.open(ws, token=attendee_token, headers={"Cookie": f"sessionid={organizer_session}"})
    assert await _forbidden(client, event_staff_stream(event.pk)) == _forbidden_frame(event_staff_stream(event.pk))
    await client.close()


# -- bad input -----------------------------------------------------------------------------------


async def test_malformed_frames_get_error_frames_and_the_socket_keeps_working(event, ws):
    client = await StreamClient.open(ws)
    bad = [
        ("not json", "Frames must be JSON objects.", None),
        ("[1, 2]", "Frames must be JSON objects.", None),
        ('{"op": "dance", "ref": 1}', "Unknown op 'dance'.", 1),
        ('{"op": "subscribe", "ref": 2}', "subscribe needs a stream name.", 2),
        ('{"op": "subscribe", "stream": "nonsense", "ref": 3}', "'nonsense' is not a stream name.", 3),
        ('{"op": "subscribe", "stream": "event:1", "since": -1, "ref": 4}', "since must be a non-negative integer.", 4),
        (
            '{"op": "subscribe", "stream": "event:1", "since": "5", "ref": 5}',
            "since must be a non-negative integer.",
            5,
        ),
        ('{"op": "x", "pad": "' + "a" * 9000 + '"}', "Frames are limited to 8192 bytes.", None),
    ]
    answers = []
    for text, _, _ in bad:
        await client.send(text)
        answers.append(await client.recv_op("error"))
    await client.ws.send(b"\x00binary")
    binary = await client.recv_op("error")

    assert answers == [{"op": "error", "code": "bad_request", "detail": d, "ref": r} for _, d, r in bad]
    assert binary == {"op": "error", "code": "bad_request", "detail": "Frames must be JSON text.", "ref": None}
    assert (await client.subscribe(event_stream(event.pk)))["op"] == "subscribed"
    await client.close()


async def test_frame_beyond_the_server_limit_closes_only_that_socket(event, ws):
    bystander = await StreamClient.open(ws)
    await bystander.subscribe(event_stream(event.pk))
    client = await StreamClient.open(ws)

    with pytest.raises(ConnectionClosed):
        await _send_then_receive(client, '{"op": "ping", "pad": "' + "a" * (2 * 1024 * 1024) + '"}')
    await append(event_stream(event.pk), 1)

    assert [e["seq"] for e in await bystander.entries(event_stream(event.pk), 1)] == [1]
    await bystander.close()


async def _send_then_receive(client: StreamClient, text: str) -> None:
    await client.send(text)
    await client.recv(timeout=5)


async def _collect_until_closed(client: StreamClient, codes: list[str]) -> None:
    while True:
        frame = await client.recv(timeout=5)
        codes.append(frame.get("code") or frame["op"])


async def test_flood_is_rate_limited_then_closed_with_1008(event, ws, settings):
    bystander = await StreamClient.open(ws)
    await bystander.subscribe(event_stream(event.pk))
    client = await StreamClient.open(ws)

    for _ in range(400):
        try:
            await client.send({"op": "ping"})
        except ConnectionClosed:
            break
    codes: list[str] = []
    with pytest.raises(ConnectionClosed) as closed:
        await _collect_until_closed(client, codes)

    assert closed.value.rcvd.code == 1008
    # The burst passes (a little refill may add one or two), then rate_limited until the close.
    assert settings.STREAMS["FRAME_BURST"] <= codes.count("pong") <= settings.STREAMS["FRAME_BURST"] + 5
    assert "rate_limited" in codes
    await append(event_stream(event.pk), 1)
    assert [e["seq"] for e in await bystander.entries(event_stream(event.pk), 1)] == [1]
    await bystander.close()


async def test_subscriptions_per_socket_are_capped(ws):
    events = await database_sync_to_async(lambda: [EventFactory() for _ in range(51)])()
    client = await StreamClient.open(ws)
    answers = [await client.subscribe(event_stream(e.pk), ref=i) for i, e in enumerate(events)]

    assert [a["op"] for a in answers[:50]] == ["subscribed"] * 50
    assert answers[50] == {
        "op": "error",
        "code": "bad_request",
        "detail": "Too many subscriptions on this socket.",
        "ref": 50,
    }
    await client.close()
