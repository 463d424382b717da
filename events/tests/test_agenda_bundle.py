"""The offline bundle: one gzip response with everything a phone needs, current up to the stream
heads it names; replaying the streams from there ends exactly where a fresh bundle is."""

import copy
import gzip
import json
from typing import Any

import pytest
from django.db import connection
from django_scopes import scopes_disabled

from eventhub.testing.factories import UserFactory
from events.enums import AnnouncementPriority
from events.services.agenda import (
    announcement_post,
    room_delete,
    room_save,
    session_cancel,
    session_create,
    session_delay,
    session_update,
    speaker_save,
    track_save,
)
from events.tests.agenda_world import NOT_FOUND, World, berlin, build_world, client_for

pytestmark = pytest.mark.django_db


def _bundle(client, world: World, **headers) -> dict[str, Any]:
    response = client.get(world.url("bundle"), HTTP_ACCEPT_ENCODING="gzip", **headers)
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Encoding"] == "gzip"
    return json.loads(gzip.decompress(response.content))


def _entries(client, stream: str, since: int) -> list[dict[str, Any]]:
    """Catch up over REST, page by page, as a phone does after being offline."""
    entries: list[dict[str, Any]] = []
    while True:
        page = client.get(f"/api/v1/streams/{stream}/entries", {"since": since, "limit": 5}).json()
        assert page["reset"] is False
        entries += page["entries"]
        if not page["has_more"]:
            return entries
        since = page["entries"][-1]["seq"]


# --- the reference reducer (docs/realtime.md, "Offline bundle") --------------------------------

_BY_ID = ("rooms", "tracks", "speakers", "sessions", "announcements")


class RefetchBundle(Exception):
    pass


def apply_entry(bundle: dict[str, Any], stream: str, entry: dict[str, Any]) -> None:
    """Apply one stream entry to a bundle held as JSON, the way docs/realtime.md tells clients."""
    event_id = bundle["event"]["id"]
    kind, data = entry["type"], entry["data"]
    if stream.startswith("user:"):
        if data.get("event") != event_id:
            pass  # another event's personal entry
        elif kind == "bookmark.added":
            bundle["bookmarks"] = sorted(set(bundle["bookmarks"]) | {data["session"]})
        elif kind == "bookmark.removed":
            bundle["bookmarks"] = [pk for pk in bundle["bookmarks"] if pk != data["session"]]
        elif kind == "note.saved":
            notes = [note for note in bundle["notes"] if note["session"] != data["session"]]
            if data["text"]:
                notes.append({"session": data["session"], "text": data["text"]})
            bundle["notes"] = sorted(notes, key=lambda note: note["session"])
        bundle["heads"][stream] = entry["seq"]
        return
    if kind in ("session.created", "session.updated", "session.cancelled"):
        _replace(bundle["sessions"], data["session"])
    elif kind in ("room.created", "room.updated"):
        _replace(bundle["rooms"], data["room"])
    elif kind == "room.deleted":
        bundle["rooms"] = [room for room in bundle["rooms"] if room["id"] != data["room"]["id"]]
    elif kind in ("track.created", "track.updated"):
        _replace(bundle["tracks"], data["track"])
    elif kind in ("speaker.created", "speaker.updated"):
        _replace(bundle["speakers"], data["speaker"])
    elif kind == "announcement.posted":
        _replace(bundle["announcements"], data["announcement"])
    elif kind == "schedule.published":
        if bundle["schedule_version"] is None:
            raise RefetchBundle  # reference data from before the first publish was never streamed
        bundle["schedule_version"] = data["version"]
    elif kind == "event.updated":
        raise RefetchBundle
    bundle["heads"][stream] = entry["seq"]


def _replace(items: list[dict[str, Any]], obj: dict[str, Any]) -> None:
    for index, item in enumerate(items):
        if item["id"] == obj["id"]:
            items[index] = obj
            return
    items.append(obj)


def _state(bundle: dict[str, Any]) -> dict[str, Any]:
    """A bundle without its heads, lists keyed by id (their order is for display only)."""
    state = copy.deepcopy(bundle)
    del state["heads"]
    for name in _BY_ID:
        state[name] = {item["id"]: item for item in state[name]}
    return state


# --- tests -------------------------------------------------------------------------------------


def test_bundle_is_one_gzip_response_with_everything_and_the_heads():
    world = build_world()
    client = client_for(world.attendee)
    keynote, pandas = world.sessions["keynote"], world.sessions["pandas"]
    client.put(world.url(f"sessions/{keynote.pk}/bookmark"))
    client.put(world.url(f"sessions/{pandas.pk}/note"), {"text": "Bring laptop"}, format="json")

    response = client.get(world.url("bundle"), HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    bundle = json.loads(gzip.decompress(response.content))

    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert len(response.content) < len(json.dumps(bundle))
    assert bundle["event"]["id"] == world.event.pk
    assert bundle["event"]["timezone"] == "Europe/Berlin"
    assert bundle["schedule_version"] == 1
    assert [room["name"] for room in bundle["rooms"]] == ["Hall A", "Hall B", "Workshop"]
    assert sorted(track["name"] for track in bundle["tracks"]) == ["Data", "Python"]
    assert [speaker["name"] for speaker in bundle["speakers"]] == ["Ada Lovelace", "Grace Hopper", "Linus Example"]
    assert [session["title"] for session in bundle["sessions"]] == [
        "Opening keynote",
        "Async Django",
        "Pandas tricks",
        "Lunch",
        "Day two keynote",
    ]
    assert bundle["sessions"][0]["start"] == "2031-06-10T09:00:00+02:00"
    assert bundle["bookmarks"] == [keynote.pk]
    assert bundle["notes"] == [{"session": pandas.pk, "text": "Bring laptop"}]
    assert bundle["heads"] == {
        f"event:{world.event.pk}": client.get(f"/api/v1/streams/event:{world.event.pk}/entries", {"since": 0}).json()[
            "head"
        ],
        f"user:{world.attendee.pk}": 2,
    }


def test_bundle_without_gzip_in_accept_encoding_is_plain_json_with_its_own_etag():
    world = build_world()
    client = client_for(world.attendee)

    plain = client.get(world.url("bundle"))
    refused = client.get(world.url("bundle"), HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    zipped = client.get(world.url("bundle"), HTTP_ACCEPT_ENCODING="gzip")

    assert plain.has_header("Content-Encoding") is False
    assert refused.has_header("Content-Encoding") is False
    assert plain.json() == json.loads(gzip.decompress(zipped.content))
    assert plain["ETag"] == refused["ETag"] != zipped["ETag"]


def test_bundle_etag_answers_304_until_a_published_change_or_my_own_change():
    world = build_world()
    client = client_for(world.attendee)
    first = client.get(world.url("bundle"), HTTP_ACCEPT_ENCODING="gzip")
    etag = first["ETag"]

    unchanged = client.get(world.url("bundle"), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
    with scopes_disabled():
        session_update(actor=world.editor, session=world.sessions["lunch"], title="Long lunch")
    after_draft = client.get(world.url("bundle"), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)
    client.put(world.url(f"sessions/{world.sessions['lunch'].pk}/bookmark"))
    after_bookmark = client.get(world.url("bundle"), HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag)

    assert (unchanged.status_code, unchanged.content, unchanged["ETag"]) == (304, b"", etag)
    assert after_draft.status_code == 304
    assert after_bookmark.status_code == 200
    assert after_bookmark["ETag"] != etag


def test_bundle_hides_drafts_until_published():
    world = build_world()
    client = client_for(world.attendee)
    with scopes_disabled():
        session_update(actor=world.editor, session=world.sessions["lunch"], title="Long lunch")
        draft = session_create(
            actor=world.editor, event=world.event, title="Secret draft", start=berlin(2, 14), end=berlin(2, 15)
        )

    before = _bundle(client, world)
    world.publish()
    after = _bundle(client, world)

    assert "Secret draft" not in json.dumps(before)
    assert [s["title"] for s in before["sessions"] if s["id"] == world.sessions["lunch"].pk] == ["Lunch"]
    assert [s["title"] for s in after["sessions"] if s["id"] in (draft.pk, world.sessions["lunch"].pk)] == [
        "Long lunch",
        "Secret draft",
    ]


def test_bundle_of_event_i_may_not_see_is_404_like_missing():
    world = build_world(visibility="private")
    outsider = client_for(UserFactory())

    foreign = outsider.get(world.url("bundle"))
    missing = outsider.get("/api/v1/events/987654321/bundle")

    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json()) == (404, NOT_FOUND)


def test_phone_offline_during_ten_changes_catches_up_from_the_bundle_heads_to_a_fresh_bundle():
    world = build_world()
    phone = client_for(world.attendee)
    speaker_phone = client_for(world.speaker_user)
    s = world.sessions
    phone.put(world.url(f"sessions/{s['async'].pk}/bookmark"))
    phone.put(world.url(f"sessions/{s['pandas'].pk}/bookmark"))
    phone.put(world.url(f"sessions/{s['keynote'].pk}/note"), {"text": "Front row"}, format="json")
    offline = _bundle(phone, world)
    event_stream, user_stream = f"event:{world.event.pk}", f"user:{world.attendee.pk}"
    since = dict(offline["heads"])

    # Ten changes publish while the phone is offline.
    with scopes_disabled():
        editor, event = world.editor, world.event
        # 1. a room change
        session_update(actor=editor, session=s["pandas"], room=world.rooms["Workshop"])
        world.publish("Pandas moves")
        # 2. a delay with cascade (the keynote and Async Django after it in Hall A)
        session_delay(actor=editor, session=s["keynote"], minutes=15, cascade=True)
        world.publish("Keynote runs late")
        # 3. a cancellation
        session_cancel(actor=editor, session=s["lunch"])
        # 4. a new session, published together with the cancellation
        session_create(
            actor=editor,
            event=event,
            title="Lightning talks",
            start=berlin(2, 11),
            end=berlin(2, 12),
            room=world.rooms["Hall B"],
            speakers=[world.speakers["grace"], world.speakers["linus"]],
            tags=["lightning"],
        )
        world.publish("Lunch cancelled, lightning talks added")
    # 5. a speaker edits their own profile through the API
    assert (
        speaker_phone.patch(
            world.url("speakers/me"), {"bio": "Mathematician and writer.", "job_title": "Countess"}, format="json"
        ).status_code
        == 200
    )
    with scopes_disabled():
        # 6. an announcement
        announcement_post(actor=editor, event=event, text="Coffee in the foyer", priority=AnnouncementPriority.INFO)
        # 7. a room renamed, 8. a room added and removed again
        room_save(actor=editor, event=event, room=world.rooms["Hall B"], name="Hall B (upstairs)", floor="1")
        spare = room_save(actor=editor, event=event, name="Spare room", position=9)
        room_delete(actor=editor, room=spare)
        # 9. a new track and a new speaker
        track_save(actor=editor, event=event, name="Ops", colour="#00aa00", position=3)
        speaker_save(actor=editor, event=event, name="Margaret Hamilton", company="MIT")
        # 10. a title edit of the day-two keynote
        session_update(actor=editor, session=s["day2"], title="Day two keynote: Apollo")
        world.publish("Title")
    # Meanwhile the phone's own account changed from another device (the user stream).
    other_device = client_for(world.attendee)
    other_device.delete(world.url(f"sessions/{s['async'].pk}/bookmark"))
    other_device.put(world.url(f"sessions/{s['day2'].pk}/bookmark"))
    other_device.put(world.url(f"sessions/{s['pandas'].pk}/note"), {"text": "Now in the workshop room"}, format="json")
    other_device.delete(world.url(f"sessions/{s['keynote'].pk}/note"))

    # Back online: resume both streams from the bundle's heads and apply the entries.
    event_entries = _entries(phone, event_stream, since[event_stream])
    user_entries = _entries(phone, user_stream, since[user_stream])
    for entry in event_entries:
        apply_entry(offline, event_stream, entry)
    for entry in user_entries:
        apply_entry(offline, user_stream, entry)
    fresh = _bundle(phone, world)

    types = [entry["type"] for entry in event_entries]
    assert types.count("schedule.published") == 4
    assert {"session.created", "session.updated", "session.cancelled", "speaker.updated", "speaker.created"} <= set(
        types
    )
    assert {"announcement.posted", "room.created", "room.updated", "room.deleted", "track.created"} <= set(types)
    assert offline["heads"] == fresh["heads"]
    assert _state(offline) == _state(fresh)
    # ... and the state is the one the changes describe.
    sessions = {session["id"]: session for session in fresh["sessions"]}
    assert sessions[s["pandas"].pk]["room"] == world.rooms["Workshop"].pk
    assert sessions[s["async"].pk]["start"] == "2031-06-10T10:30:00+02:00"
    assert sessions[s["lunch"].pk]["status"] == "cancelled"
    assert fresh["bookmarks"] == sorted([s["pandas"].pk, s["day2"].pk])
    assert fresh["notes"] == [{"session": s["pandas"].pk, "text": "Now in the workshop room"}]
    assert fresh["schedule_version"] == 5


def test_bundle_outside_a_test_transaction_reads_one_repeatable_read_snapshot(transactional_db):
    """Outside a surrounding transaction (as in production) the bundle runs its own REPEATABLE
    READ transaction; replaying from its heads still converges."""
    world = build_world()
    phone = client_for(world.attendee)
    statements: list[str] = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        offline = _bundle(phone, world)
    with scopes_disabled():
        session_update(actor=world.editor, session=world.sessions["day2"], start=berlin(2, 9, 30))
    world.publish()
    after = _bundle(phone, world)
    event_stream = f"event:{world.event.pk}"

    for entry in _entries(phone, event_stream, offline["heads"][event_stream]):
        apply_entry(offline, event_stream, entry)

    assert "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY" in statements
    assert _state(offline) == _state(after)
    assert offline["heads"][event_stream] == after["heads"][event_stream] > 0
