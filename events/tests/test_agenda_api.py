"""The attendee agenda API: the published agenda and its filters, detail reads, now/next, the
changelog, ETags, the personal agenda and a speaker's own profile. Organizer-side changes are made
through the agenda services; everything is asserted through HTTP."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from eventhub.models import IdempotencyRecord
from eventhub.testing.factories import UserFactory
from events.api import personal as personal_api
from events.enums import EventStatus
from events.models import Bookmark, Event, SessionNote, Speaker
from events.services.agenda import session_cancel, session_create, session_update
from events.tests.agenda_world import NOT_FOUND, World, berlin, build_world, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content[:300]
    return [session["title"] for session in response.json()["results"]]


# --- the agenda ------------------------------------------------------------------------------


def test_agenda_lists_published_sessions_in_time_order_in_the_event_zone(world):
    response = client_for(world.attendee).get(world.url("sessions"))

    keynote = world.sessions["keynote"]
    assert _titles(response) == ["Opening keynote", "Async Django", "Pandas tricks", "Lunch", "Day two keynote"]
    assert response.json()["results"][0] == {
        "id": keynote.pk,
        "title": "Opening keynote",
        "abstract": "Welcome to the conference.",
        "kind": "keynote",
        "status": "scheduled",
        "start": "2031-06-10T09:00:00+02:00",
        "end": "2031-06-10T10:00:00+02:00",
        "room": world.rooms["Hall A"].pk,
        "track": world.tracks["Python"].pk,
        "speakers": [world.speakers["ada"].pk],
        "capacity": None,
        "tags": ["keynote", "opening"],
        "language": "en",
        "materials_url": "",
        "recording_url": "",
        "version": 1,
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"day": "2031-06-11"}, ["Day two keynote"]),
        ({"day": "2031-06-12"}, []),
        ({"track": "Data"}, ["Pandas tricks"]),
        ({"room": "Hall A"}, ["Opening keynote", "Async Django", "Day two keynote"]),
        ({"speaker": "ada"}, ["Opening keynote", "Day two keynote"]),
        ({"tag": "keynote"}, ["Opening keynote", "Day two keynote"]),
        ({"q": "BLOCKING"}, ["Async Django"]),  # abstract, any case
        ({"q": "pandas"}, ["Pandas tricks"]),  # title
        ({"q": "hopper"}, ["Async Django"]),  # speaker name
        ({"room": "Hall A", "day": "2031-06-10", "q": "keynote"}, ["Opening keynote"]),
    ],
)
def test_agenda_filters(world, params, expected):
    ids = {**{k: v.pk for k, v in world.rooms.items()}, **{k: v.pk for k, v in world.tracks.items()}}
    ids.update({k: v.pk for k, v in world.speakers.items()})
    query = {
        name: ids.get(value, value) if name in ("room", "track", "speaker") else value for name, value in params.items()
    }

    response = client_for(world.attendee).get(world.url("sessions"), query)

    assert _titles(response) == expected


def test_agenda_day_is_the_event_zones_day():
    """A session at 00:30 Berlin time is on that Berlin day, though it is the previous UTC day."""
    world = build_world(publish=False)
    with scopes_disabled():
        session_create(
            actor=world.editor, event=world.event, title="Midnight hack", start=berlin(2, 0, 30), end=berlin(2, 1, 30)
        )
    world.publish()

    response = client_for(world.attendee).get(world.url("sessions"), {"day": "2031-06-11"})

    assert _titles(response) == ["Midnight hack", "Day two keynote"]


def test_agenda_times_render_in_another_zone_on_request(world):
    response = client_for(world.attendee).get(world.url("sessions"), {"tz": "America/New_York"})

    first = response.json()["results"][0]
    assert (first["start"], first["end"]) == ("2031-06-10T03:00:00-04:00", "2031-06-10T04:00:00-04:00")


@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"tz": "Mars/Olympus_Mons"}, {"tz": ["'Mars/Olympus_Mons' is not an IANA time zone."]}),
        ({"tz": "../../etc/passwd"}, {"tz": ["'../../etc/passwd' is not an IANA time zone."]}),
        # zoneinfo raises OSError (name too long) for these: it was a 500 (issue 11, Medium 5).
        ({"tz": "A" * 300}, {"tz": ["Give an IANA time zone name (at most 64 characters)."]}),
        ({"tz": "Europe/" + "B" * 250}, {"tz": ["Give an IANA time zone name (at most 64 characters)."]}),
        ({"day": "2031-13-01"}, {"day": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
        ({"room": "hall"}, {"room": ["A valid integer is required."]}),
    ],
)
def test_agenda_bad_parameters_are_json_400_with_fields(world, params, fields):
    response = client_for(world.attendee).get(world.url("sessions"), params)

    assert response.status_code == 400
    assert response.json() == {
        "error": {"code": "invalid", "detail": "The request has invalid fields.", "fields": fields}
    }


def test_agenda_list_queries_do_not_grow_with_sessions(world):
    client = client_for(world.attendee)
    client.get(world.url("rooms"))  # the process now knows the event's organization
    with CaptureQueriesContext(connection) as five:
        client.get(world.url("sessions"))
    with scopes_disabled():
        for hour in (14, 15, 16):
            session_create(
                actor=world.editor,
                event=world.event,
                title=f"Extra {hour}",
                start=berlin(3, hour),
                end=berlin(3, hour, 45),
                room=world.rooms["Hall B"],
                speakers=[world.speakers["grace"]],
            )
    world.publish()

    with CaptureQueriesContext(connection) as eight:
        response = client.get(world.url("sessions"))

    assert len(_titles(response)) == 8
    assert len(eight) == len(five)


def test_session_detail_embeds_speakers_room_and_track(world):
    session = world.sessions["async"]

    response = client_for(world.attendee).get(world.url(f"sessions/{session.pk}"))

    body = response.json()
    assert response.status_code == 200
    assert body["speaker_profiles"] == [
        {
            "id": world.speakers["grace"].pk,
            "name": "Grace Hopper",
            "bio": "",
            "company": "Navy",
            "job_title": "",
            "photo": None,
            "links": [],
        }
    ]
    assert body["room_detail"]["name"] == "Hall A"
    assert body["track_detail"] == {
        "id": world.tracks["Python"].pk,
        "name": "Python",
        "colour": "#3056d3",
        "position": 0,
    }
    assert body["start"] == "2031-06-10T10:15:00+02:00"


def test_drafts_are_invisible_to_attendees_until_published(world):
    client = client_for(world.attendee)
    lunch = world.sessions["lunch"]
    with scopes_disabled():
        draft = session_create(
            actor=world.editor, event=world.event, title="Secret draft", start=berlin(3, 9), end=berlin(3, 10)
        )
        session_update(actor=world.editor, session=lunch, title="Long lunch", end=berlin(1, 14))
        session_cancel(actor=world.editor, session=world.sessions["pandas"])
    before = (
        _titles(client.get(world.url("sessions"))),
        client.get(world.url(f"sessions/{draft.pk}")),
        client.get(world.url(f"sessions/{lunch.pk}")).json(),
        client.put(world.url(f"sessions/{draft.pk}/bookmark")),
        client.get(world.url("versions")).json()["results"],
    )

    world.publish("Second")

    after = _titles(client.get(world.url("sessions")))
    assert before[0] == ["Opening keynote", "Async Django", "Pandas tricks", "Lunch", "Day two keynote"]
    assert (before[1].status_code, before[1].json()) == (404, NOT_FOUND)
    assert (before[2]["title"], before[2]["end"]) == ("Lunch", "2031-06-10T13:00:00+02:00")
    assert (before[3].status_code, before[3].json()) == (404, NOT_FOUND)
    assert [version["number"] for version in before[4]] == [1]
    assert after == [
        "Opening keynote",
        "Async Django",
        "Pandas tricks",
        "Long lunch",
        "Day two keynote",
        "Secret draft",
    ]
    assert client.get(world.url(f"sessions/{world.sessions['pandas'].pk}")).json()["status"] == "cancelled"
    with scopes_disabled():
        assert Bookmark.objects.filter(session=draft).exists() is False


def test_private_event_is_404_like_missing_for_outsiders_and_readable_for_participants():
    world = build_world(visibility="private")
    outsider = client_for(UserFactory())

    foreign = outsider.get(world.url("sessions"))
    missing = outsider.get("/api/v1/events/987654321/sessions")
    participant = client_for(world.attendee).get(world.url("sessions"))

    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content)
    assert foreign.json() == NOT_FOUND
    assert participant.status_code == 200


def test_public_agenda_is_readable_anonymously_but_the_personal_agenda_is_not(world):
    anonymous = client_for()

    assert anonymous.get(world.url("sessions")).status_code == 200
    assert anonymous.get(world.url("me/bookmarks")).status_code == 401
    assert anonymous.put(world.url(f"sessions/{world.sessions['async'].pk}/bookmark")).status_code == 401


def test_session_of_another_event_is_404_like_missing(world):
    elsewhere = build_world()
    client = client_for(world.attendee)

    foreign = client.get(world.url(f"sessions/{elsewhere.sessions['async'].pk}"))
    missing = client.get(world.url("sessions/987654321"))

    assert (foreign.status_code, foreign.content) == (missing.status_code, missing.content) == (404, missing.content)


# --- speakers, rooms, tracks ---------------------------------------------------------------------


def test_speakers_rooms_and_tracks(world):
    client = client_for(world.attendee)
    ada = world.speakers["ada"]

    speakers = client.get(world.url("speakers")).json()["results"]
    detail = client.get(world.url(f"speakers/{ada.pk}")).json()
    rooms = client.get(world.url("rooms")).json()["results"]
    tracks = client.get(world.url("tracks")).json()["results"]

    assert [speaker["name"] for speaker in speakers] == ["Ada Lovelace", "Grace Hopper", "Linus Example"]
    assert detail == {
        "id": ada.pk,
        "name": "Ada Lovelace",
        "bio": "Analyst.",
        "company": "",
        "job_title": "",
        "photo": None,
        "links": [],
        "sessions": [world.sessions["keynote"].pk, world.sessions["day2"].pk],
    }
    assert [(room["name"], room["capacity"]) for room in rooms] == [("Hall A", 500), ("Hall B", 200), ("Workshop", 30)]
    assert sorted(track["name"] for track in tracks) == ["Data", "Python"]


def test_reference_data_reaches_attendees_with_the_first_publish():
    world = build_world(publish=False)
    client = client_for(world.attendee)

    before = [client.get(world.url(path)).json()["results"] for path in ("rooms", "tracks", "speakers", "sessions")]
    world.publish()
    after = [client.get(world.url(path)).json()["results"] for path in ("rooms", "tracks", "speakers", "sessions")]

    assert before == [[], [], [], []]
    assert [len(items) for items in after] == [3, 2, 3, 5]


# --- now / next ------------------------------------------------------------------------------------


def test_now_and_next_per_room(world):
    with scopes_disabled():
        session_cancel(actor=world.editor, session=world.sessions["lunch"])
    world.publish()
    client = client_for(world.attendee)

    body = client.get(world.url("now"), {"at": "2031-06-10T10:45:00+02:00"}).json()

    assert [session["title"] for session in body["now"]] == ["Async Django", "Pandas tricks"]
    # Next per room: Hall A's day-two keynote; Hall B has nothing more; the cancelled lunch is out.
    assert [session["title"] for session in body["next"]] == ["Day two keynote"]
    assert body["until"] == "2031-06-10T11:00:00+02:00"


def test_now_in_another_zone_and_before_anything_starts(world):
    body = client_for(world.attendee).get(world.url("now"), {"at": "2031-06-10T06:00:00Z", "tz": "UTC"}).json()

    assert body["now"] == []
    assert [(session["title"], session["start"]) for session in body["next"]] == [
        ("Opening keynote", "2031-06-10T07:00:00+00:00"),
        ("Pandas tricks", "2031-06-10T08:30:00+00:00"),
        ("Lunch", "2031-06-10T10:00:00+00:00"),
    ]
    assert body["until"] == "2031-06-10T07:00:00+00:00"


def test_now_without_offset_is_json_400(world):
    response = client_for(world.attendee).get(world.url("now"), {"at": "2031-06-10T10:45:00"})

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["at"]


# --- versions ---------------------------------------------------------------------------------------


def test_versions_changelog_and_structured_diff(world):
    pandas = world.sessions["pandas"]
    with scopes_disabled():
        session_update(actor=world.editor, session=pandas, room=world.rooms["Workshop"])
    world.publish("Pandas moves to the workshop room")
    client = client_for(world.attendee)

    versions = client.get(world.url("versions")).json()["results"]
    diff = client.get(world.url("versions/2")).json()
    in_tokyo = client.get(world.url("versions/2"), {"tz": "Asia/Tokyo"}).json()

    assert [(v["number"], v["comment"], v["change_count"]) for v in versions] == [
        (2, "Pandas moves to the workshop room", 1),
        (1, "First agenda", 5),
    ]
    assert diff["changes"] == [
        {
            "session": pandas.pk,
            "title": "Pandas tricks",
            "change": "moved",
            "fields": {
                "room": {
                    "old": {"id": world.rooms["Hall B"].pk, "name": "Hall B"},
                    "new": {"id": world.rooms["Workshop"].pk, "name": "Workshop"},
                },
                "status": {"old": "scheduled", "new": "moved"},
            },
            "old": {
                "start": "2031-06-10T10:30:00+02:00",
                "end": "2031-06-10T11:15:00+02:00",
                "room": {"id": world.rooms["Hall B"].pk, "name": "Hall B"},
            },
            "new": {
                "start": "2031-06-10T10:30:00+02:00",
                "end": "2031-06-10T11:15:00+02:00",
                "room": {"id": world.rooms["Workshop"].pk, "name": "Workshop"},
            },
        }
    ]
    assert in_tokyo["changes"][0]["new"]["start"] == "2031-06-10T17:30:00+09:00"
    assert client.get(world.url("versions/3")).json() == NOT_FOUND


# --- ETags ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["sessions", "sessions?room={room}", "speakers", "rooms", "tracks", "versions", "now"])
def test_etag_unchanged_agenda_is_304_and_a_published_change_changes_it(world, path):
    client = client_for(world.attendee)
    url = world.url(path.format(room=world.rooms["Hall A"].pk))
    etag = client.get(url)["ETag"]

    unchanged = client.get(url, HTTP_IF_NONE_MATCH=etag)
    with scopes_disabled():
        session_update(actor=world.editor, session=world.sessions["keynote"], title="Opening keynote!")
    after_draft = client.get(url, HTTP_IF_NONE_MATCH=etag)
    world.publish()
    after_publish = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert (unchanged.status_code, unchanged.content, unchanged["ETag"]) == (304, b"", etag)
    assert after_draft.status_code == 304
    assert after_publish.status_code == 200
    assert after_publish["ETag"] not in (None, etag)


def test_etag_changes_with_announcements_speaker_edits_and_query(world):
    client = client_for(world.attendee)
    etag = client.get(world.url("speakers"))["ETag"]

    other_query = client.get(world.url("speakers"), {"page_size": 1}, HTTP_IF_NONE_MATCH=etag)
    client_for(world.speaker_user).patch(world.url("speakers/me"), {"bio": "New bio"}, format="json")
    after_edit = client.get(world.url("speakers"), HTTP_IF_NONE_MATCH=etag)

    assert other_query.status_code == 200
    assert after_edit.status_code == 200
    assert after_edit.json()["results"][0]["bio"] == "New bio"


def test_personal_etag_changes_with_my_bookmarks_only(world):
    client = client_for(world.attendee)
    etag = client.get(world.url("me/bookmarks"))["ETag"]

    client_for(world.other_attendee).put(world.url(f"sessions/{world.sessions['async'].pk}/bookmark"))
    others = client.get(world.url("me/bookmarks"), HTTP_IF_NONE_MATCH=etag)
    client.put(world.url(f"sessions/{world.sessions['async'].pk}/bookmark"))
    mine = client.get(world.url("me/bookmarks"), HTTP_IF_NONE_MATCH=etag)

    assert others.status_code == 304
    assert mine.status_code == 200


# --- personal agenda ----------------------------------------------------------------------------------


def test_bookmarks_flag_overlapping_sessions_and_cancelled_ones_conflict_with_nothing(world):
    client = client_for(world.attendee)
    s = world.sessions

    first = client.put(world.url(f"sessions/{s['async'].pk}/bookmark"))
    again = client.put(world.url(f"sessions/{s['async'].pk}/bookmark"))
    overlapping = client.put(world.url(f"sessions/{s['pandas'].pk}/bookmark"))
    client.put(world.url(f"sessions/{s['keynote'].pk}/bookmark"))
    listed = client.get(world.url("me/bookmarks")).json()["results"]
    with scopes_disabled():
        session_cancel(actor=world.editor, session=s["pandas"])
    world.publish()
    after_cancel = client.get(world.url("me/bookmarks")).json()["results"]

    assert (first.status_code, first.json()) == (201, {"session": s["async"].pk, "bookmarked": True, "conflicts": []})
    assert again.status_code == 200
    assert overlapping.json() == {"session": s["pandas"].pk, "bookmarked": True, "conflicts": [s["async"].pk]}
    assert [(item["session"]["title"], item["conflicts"]) for item in listed] == [
        ("Opening keynote", []),
        ("Async Django", [s["pandas"].pk]),
        ("Pandas tricks", [s["async"].pk]),
    ]
    assert [(item["session"]["status"], item["conflicts"]) for item in after_cancel] == [
        ("scheduled", []),
        ("scheduled", []),
        ("cancelled", []),
    ]


def test_bookmark_delete_is_idempotent_and_only_mine(world):
    session = world.sessions["async"]
    client_for(world.other_attendee).put(world.url(f"sessions/{session.pk}/bookmark"))
    client = client_for(world.attendee)
    client.put(world.url(f"sessions/{session.pk}/bookmark"))

    first = client.delete(world.url(f"sessions/{session.pk}/bookmark"))
    second = client.delete(world.url(f"sessions/{session.pk}/bookmark"))

    assert (first.status_code, second.status_code) == (204, 204)
    assert client.get(world.url("me/bookmarks")).json()["results"] == []
    with scopes_disabled():
        assert list(Bookmark.objects.values_list("user_id", flat=True)) == [world.other_attendee.pk]


def test_bookmark_with_idempotency_key_replays_the_first_answer(world):
    client = client_for(world.attendee)
    url = world.url(f"sessions/{world.sessions['async'].pk}/bookmark")

    first = client.put(url, HTTP_IDEMPOTENCY_KEY="bm-1")
    retry = client.put(url, HTTP_IDEMPOTENCY_KEY="bm-1")

    assert first.status_code == retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert retry.json() == first.json()
    assert IdempotencyRecord.objects.filter(user=world.attendee, key="bm-1").count() == 1


def test_notes_read_set_and_delete(world):
    client = client_for(world.attendee)
    url = world.url(f"sessions/{world.sessions['pandas'].pk}/note")

    empty = client.get(url).json()
    saved = client.put(url, {"text": "  Ask about Arrow  "}, format="json").json()
    read = client.get(url).json()
    other = client_for(world.other_attendee).get(url).json()
    deleted = client.delete(url)

    assert empty == {"session": world.sessions["pandas"].pk, "text": "", "updated_at": None}
    assert saved["text"] == read["text"] == "Ask about Arrow"
    assert read["updated_at"].endswith("+01:00") or read["updated_at"].endswith("+02:00")
    assert other["text"] == ""
    assert deleted.status_code == 204
    assert client.get(url).json()["text"] == ""


@pytest.mark.parametrize(("path", "body"), [("bookmark", None), ("note", {"text": "Ask about Arrow"})])
def test_bookmark_or_note_on_a_session_hidden_meanwhile_is_json_404_and_saves_nothing(world, monkeypatch, path, body):
    """The view has found the published session when an organizer takes the event back to draft:
    the service's own visibility check refuses, and the API answers as for a missing session (it
    was a 500: the service raised ``Session.DoesNotExist``)."""
    find_session = personal_api.published_session_access

    def found_then_hidden(**kwargs):
        session = find_session(**kwargs)
        Event.objects.filter(pk=world.event.pk).update(status=EventStatus.DRAFT)
        return session

    monkeypatch.setattr(personal_api, "published_session_access", found_then_hidden)
    client = client_for(world.attendee)
    client.raise_request_exception = False  # a 500 is an answer here, not an error of the test

    response = client.put(world.url(f"sessions/{world.sessions['pandas'].pk}/{path}"), body, format="json")

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    with scopes_disabled():
        assert (Bookmark.objects.count(), SessionNote.objects.count()) == (0, 0)


def test_note_too_long_or_missing_is_json_400_and_saves_nothing(world):
    client = client_for(world.attendee)
    url = world.url(f"sessions/{world.sessions['pandas'].pk}/note")

    too_long = client.put(url, {"text": "x" * 10_001}, format="json")
    missing = client.put(url, {}, format="json")

    assert too_long.status_code == missing.status_code == 400
    assert too_long.json()["error"]["fields"] == {"text": ["Ensure this field has no more than 10000 characters."]}
    assert missing.json()["error"]["fields"] == {"text": ["This field is required."]}
    with scopes_disabled():
        assert SessionNote.objects.exists() is False


# --- a speaker's own profile ----------------------------------------------------------------------------


def test_speaker_reads_and_edits_own_profile(world):
    client = client_for(world.speaker_user)
    ada = world.speakers["ada"]

    mine = client.get(world.url("speakers/me"))
    edited = client.patch(
        world.url("speakers/me"),
        {"bio": "Mathematician.", "links": [{"label": "Notes", "url": "https://example.org/notes"}]},
        format="json",
    )
    public = client_for(world.attendee).get(world.url(f"speakers/{ada.pk}")).json()

    assert (mine.status_code, mine.json()["name"]) == (200, "Ada Lovelace")
    assert edited.status_code == 200
    assert edited.json()["bio"] == public["bio"] == "Mathematician."
    assert public["links"] == [{"label": "Notes", "url": "https://example.org/notes"}]


def test_speaker_profile_cannot_be_edited_by_another_user(world):
    attendee = client_for(world.attendee)
    ada = world.speakers["ada"]

    own = attendee.patch(world.url("speakers/me"), {"bio": "Hijacked"}, format="json")
    by_id = attendee.patch(world.url(f"speakers/{ada.pk}"), {"bio": "Hijacked"}, format="json")

    assert (own.status_code, own.json()) == (404, NOT_FOUND)
    assert by_id.status_code == 405
    with scopes_disabled():
        assert Speaker.objects.get(pk=ada.pk).bio == "Analyst."


def test_speaker_self_edit_validation_errors_are_json_400_and_change_nothing(world):
    client = client_for(world.speaker_user)

    bad_link = client.patch(
        world.url("speakers/me"), {"links": [{"label": "x", "url": "javascript:alert(1)"}]}, format="json"
    )
    blank_name = client.patch(world.url("speakers/me"), {"name": ""}, format="json")

    assert bad_link.status_code == blank_name.status_code == 400
    assert list(bad_link.json()["error"]["fields"]) == ["links"]
    assert blank_name.json()["error"]["fields"] == {"name": ["This field may not be blank."]}
    with scopes_disabled():
        ada = Speaker.objects.get(pk=world.speakers["ada"].pk)
    assert (ada.name, ada.links) == ("Ada Lovelace", [])
