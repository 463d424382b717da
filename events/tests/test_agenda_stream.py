"""Agenda changes on the wire: real daphne, real Redis, WebSocket clients (DESIGN §3)."""

from datetime import timedelta

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled
from websockets.exceptions import ConnectionClosed

from eventhub.realtime.streams import event_staff_stream, event_stream
from eventhub.testing.factories import EventFactory, MemberFactory, ParticipantFactory, RoomFactory
from eventhub.testing.live import daphne, session_token_for, ws_url
from eventhub.testing.ws import StreamClient
from events.enums import MemberRole
from events.models import Bookmark, DisplayLink
from events.services.agenda import session_create, session_delay
from events.services.schedule import schedule_publish

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def server(tmp_path_factory, django_db_setup):
    with daphne(tmp_path_factory.mktemp("agenda"), STREAM_REAUTHORIZE_SECONDS="1") as url:
        yield url


@pytest.fixture
def agenda(transactional_db):
    """A published agenda: two rooms, a delayed-able row of three sessions in room A."""
    with scopes_disabled():
        editor = MemberFactory(role=MemberRole.EDITOR).user
        event = EventFactory(organization=editor.memberships.get().organization)
        hall_a, hall_b = RoomFactory(event=event, name="Hall A"), RoomFactory(event=event, name="Hall B")
        start = event.start
        sessions = [
            session_create(
                actor=editor,
                event=event,
                title=f"Talk {n}",
                start=start + timedelta(hours=n),
                end=start + timedelta(hours=n, minutes=45),
                room=hall_a,
            )
            for n in range(3)
        ]
        other_room = session_create(
            actor=editor, event=event, title="Elsewhere", start=start, end=start + timedelta(hours=1), room=hall_b
        )
        schedule_publish(actor=editor, event=event)
    return {"editor": editor, "event": event, "a": hall_a, "b": hall_b, "sessions": sessions, "other": other_room}


def _sync(fn):
    def run():
        with scopes_disabled():
            return fn()

    return database_sync_to_async(run)


async def test_delay_with_cascade_shifts_exactly_the_later_sessions_in_that_room_in_one_seq_range(server, agenda):
    event = agenda["event"]
    attendee = await _sync(lambda: ParticipantFactory(event=event).user)()
    client = await StreamClient.open(ws_url(server), token=await _sync(lambda: session_token_for(attendee))())
    subscribed = await client.subscribe(event_stream(event.pk))
    _earlier, delayed, later = agenda["sessions"]

    await _sync(
        lambda: (
            session_delay(actor=agenda["editor"], session=delayed, minutes=15, cascade=True),
            schedule_publish(actor=agenda["editor"], event=event),
        )
    )()
    entries = await client.entries(event_stream(event.pk), 3)

    assert [entry["seq"] for entry in entries] == list(range(subscribed["head"] + 1, subscribed["head"] + 4))
    assert [entry["type"] for entry in entries] == ["session.updated", "session.updated", "schedule.published"]
    for entry, session in zip(entries[:2], (delayed, later), strict=True):
        assert entry["data"]["session"]["id"] == session.pk
        expected = (session.start + timedelta(minutes=15)).astimezone(event.tz).isoformat()
        assert entry["data"]["session"]["start"] == expected
        assert entry["data"]["changes"]["start"]["old"] == session.start.astimezone(event.tz).isoformat()
        assert entry["data"]["session"]["status"] == "delayed"
    assert await client.quiet(1.5) == []  # the earlier talk and "Elsewhere" in Hall B did not move
    await client.close()


async def test_room_change_reaches_subscribers_and_only_bookmarkers_get_a_personal_entry(server, agenda):
    event, moved = agenda["event"], agenda["sessions"][2]
    bookmarker, bystander = await _sync(
        lambda: (ParticipantFactory(event=event).user, ParticipantFactory(event=event).user)
    )()
    await _sync(lambda: Bookmark.objects.create(user=bookmarker, session=moved))()
    watcher = await StreamClient.open(ws_url(server), token=await _sync(lambda: session_token_for(bystander))())
    fan = await StreamClient.open(ws_url(server), token=await _sync(lambda: session_token_for(bookmarker))())
    await watcher.subscribe(event_stream(event.pk))
    await watcher.subscribe(f"user:{bystander.pk}")
    await fan.subscribe(f"user:{bookmarker.pk}")

    def move_and_publish_in_the_portal() -> list[int]:
        portal = Client()
        portal.force_login(agenda["editor"], backend="django.contrib.auth.backends.ModelBackend")
        kwargs = {"organization": event.organization.slug, "event": event.slug}
        local_start = moved.start.astimezone(event.tz).strftime("%Y-%m-%dT%H:%M")
        move = portal.post(
            reverse("portal:agenda-session-move", kwargs={**kwargs, "session_id": moved.pk}),
            {"room": agenda["b"].pk, "start": local_start},
        )
        publish = portal.post(reverse("portal:agenda-publish", kwargs=kwargs), {"comment": "Hall A flooded"})
        return [move.status_code, publish.status_code]

    assert await database_sync_to_async(move_and_publish_in_the_portal)() == [302, 302]
    updated, published = await watcher.entries(event_stream(event.pk), 2)
    (personal,) = await fan.entries(f"user:{bookmarker.pk}", 1)

    assert updated["type"] == "session.updated"
    assert updated["data"]["changes"]["room"] == {
        "old": {"id": agenda["a"].pk, "name": "Hall A"},
        "new": {"id": agenda["b"].pk, "name": "Hall B"},
    }
    assert updated["data"]["session"]["room"] == agenda["b"].pk
    assert published["type"] == "schedule.published"
    assert personal["type"] == "agenda.changed"
    assert personal["data"]["message"] == f"Room changed: {moved.title} now in Hall B"
    assert await watcher.quiet(1.5) == []  # the bystander's user stream stayed silent
    await watcher.close()
    await fan.close()


async def test_door_display_reads_its_event_stream_with_its_link_until_revoked(server, agenda):
    event = agenda["event"]
    link = await _sync(lambda: DisplayLink.objects.create(event=event, room=agenda["a"], name="Hall A door"))()
    client = await StreamClient.open(ws_url(server))
    await client.send({"op": "auth", "display": link.token, "ref": 1})
    assert await client.recv_op("authenticated") == {"op": "authenticated", "ref": 1}
    subscribed = await client.subscribe(event_stream(event.pk), since=0)
    replayed = await client.entries(event_stream(event.pk), subscribed["head"])
    await client.send({"op": "subscribe", "stream": event_staff_stream(event.pk), "ref": 2})
    refused = await client.recv_op("error")

    await _sync(lambda: DisplayLink.objects.filter(pk=link.pk).update(revoked_at=timezone.now()))()
    with pytest.raises(ConnectionClosed) as closed:
        await client.quiet(5)

    assert replayed[-1]["type"] == "schedule.published"
    assert refused["code"] == "forbidden"
    assert closed.value.rcvd.code == 4001


async def test_revoked_display_link_cannot_authenticate(server, agenda):
    link = await _sync(
        lambda: DisplayLink.objects.create(event=agenda["event"], name="Lobby", revoked_at=timezone.now())
    )()
    client = await StreamClient.open(ws_url(server))
    await client.send({"op": "auth", "display": link.token, "ref": 7})

    assert await client.recv_op("error") == {
        "op": "error",
        "code": "forbidden",
        "detail": "Invalid or revoked link.",
        "ref": 7,
    }
    await client.close()
