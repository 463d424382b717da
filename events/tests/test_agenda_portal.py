"""The agenda pages of the organizer portal through Django's test client: the grid with its
draft markers and pending changes, session forms with conflicts refused (nothing saved), move,
delay with cascade, cancel/restore/delete, publish and the changelog, speakers, rooms, tracks,
announcements and display links; permissions per role and N+1 guards on the lists."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from eventhub.models import AuditLogEntry
from eventhub.realtime.models import StreamEntry
from eventhub.testing.factories import (
    EventFactory,
    MemberFactory,
    ParticipantFactory,
    RoomFactory,
    UserFactory,
)
from events.enums import MemberRole, SessionStatus
from events.models import (
    Announcement,
    DisplayLink,
    PublishedSession,
    Room,
    ScheduleVersion,
    Session,
    Speaker,
    Track,
)
from events.services.agenda import session_cancel, session_create, session_update
from events.services.schedule import schedule_publish

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
ROLES = [role.value for role in MemberRole]
EDITORS = {"owner", "admin", "editor"}


def at(day: int, clock: str) -> datetime:
    """May <day> 2031, <clock> in Berlin (UTC+2 in May)."""
    hour, minute = map(int, clock.split(":"))
    return datetime(2031, 5, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture(autouse=True)
def _portal_settings(page_settings):
    pass


@pytest.fixture
def event(agenda_event):
    return agenda_event


@pytest.fixture
def hall_b(event):
    return RoomFactory(event=event, name="Hall B", position=1)


@pytest.fixture
def track(event):
    return Track.objects.create(event=event, name="Web", colour="#d03050")


@pytest.fixture
def ada(event):
    return Speaker.objects.create(event=event, name="Ada Lovelace")


def url(name: str, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"organization": "acme", "event": "acme-conf", **kwargs})


def make_session(owner, event, title: str, start: datetime, minutes: int = 45, **fields) -> Session:
    with scopes_disabled():
        return session_create(
            actor=owner, event=event, title=title, start=start, end=start + timedelta(minutes=minutes), **fields
        )


def publish(owner, event, comment: str = "") -> ScheduleVersion:
    with scopes_disabled():
        return schedule_publish(actor=owner, event=event, comment=comment)


def sessions_state(event) -> list[tuple]:
    with scopes_disabled():
        return list(
            Session.objects.filter(event=event)
            .order_by("id")
            .values_list("title", "start", "end", "room__name", "status")
        )


def published_state(event) -> list[tuple]:
    with scopes_disabled():
        return list(
            PublishedSession.objects.filter(event=event)
            .order_by("session_id")
            .values_list("title", "start", "end", "room__name", "status")
        )


def audit_actions() -> list[str]:
    with scopes_disabled():
        return list(AuditLogEntry.objects.order_by("id").values_list("action", flat=True))


def session_form(**overrides) -> dict:
    data = {
        "title": "Keynote",
        "kind": "keynote",
        "start": "2031-05-01T10:00",
        "end": "2031-05-01T10:45",
        "room": "",
        "track": "",
        "abstract": "",
        "capacity": "",
        "tags": "web, future",
        "language": "en",
        "materials_url": "",
        "recording_url": "",
    }
    data.update(overrides)
    return data


# --- grid -------------------------------------------------------------------------------------


def test_grid_shows_sessions_per_room_with_draft_markers_and_pending_changes(
    logged_in, owner, event, hall_a, hall_b, track, ada
):
    talk = make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a, track=track, speakers=[ada])
    publish(owner, event)
    make_session(owner, event, "Workshop", at(1, "11:00"), minutes=90, room=hall_b)
    with scopes_disabled():
        session_update(actor=owner, session=talk, room=hall_b, start=at(1, "14:00"), end=at(1, "14:45"))

    page = logged_in.get(url("agenda"), {"day": "2031-05-01"}).content.decode()

    assert 'class="room-name">Hall A<' in page
    assert 'class="room-name">Hall B<' in page
    assert f'id="session-{talk.pk}"' in page
    assert "14:00–14:45" in page  # the draft's time, in Berlin time
    assert "--track: #d03050" in page
    assert "● draft: moved" in page
    assert "● draft<" in page
    assert 'data-testid="pending-count">2<' in page
    assert "Publish version 2" in page
    assert "Hall A</span> → " in page  # old room struck through in the pending list


def test_grid_day_tabs_follow_the_event_zone(logged_in, owner, event, hall_a):
    make_session(owner, event, "Day two talk", at(2, "09:30"), room=hall_a)

    day_one = logged_in.get(url("agenda"), {"day": "2031-05-01"}).content.decode()
    day_two = logged_in.get(url("agenda"), {"day": "2031-05-02"}).content.decode()

    assert "Thu 1 May" in day_one
    assert "Fri 2 May" in day_one
    assert 'data-title="Day two talk"' not in day_one  # (the pending list shows every day's changes)
    assert 'data-title="Day two talk"' in day_two


def test_grid_fragment_is_the_grid_without_the_layout(logged_in, owner, event, hall_a):
    make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)

    response = logged_in.get(url("agenda-grid"), {"day": "2031-05-01"})

    assert response.status_code == 200
    content = response.content.decode()
    assert "Opening" in content
    assert "<html" not in content


def test_grid_queries_do_not_grow_with_sessions(logged_in, owner, event, hall_a, hall_b, track, ada):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert logged_in.get(url("agenda"), {"day": "2031-05-01"}).status_code == 200
        return len(queries)

    make_session(owner, event, "One", at(1, "10:00"), room=hall_a, track=track, speakers=[ada])
    one = count_queries()
    make_session(owner, event, "Two", at(1, "11:00"), room=hall_b, track=track, speakers=[ada])
    make_session(owner, event, "Three", at(1, "12:00"), room=hall_a, track=track)

    assert count_queries() == one


# --- session forms and conflicts --------------------------------------------------------------


def test_create_session_times_are_in_the_event_zone(logged_in, event, hall_a, track, ada):
    response = logged_in.post(
        url("agenda-session-create"),
        session_form(room=hall_a.pk, track=track.pk, speakers=[ada.pk]),
    )

    assert response.status_code == 302
    assert response["Location"] == url("agenda") + "?day=2031-05-01"
    with scopes_disabled():
        session = Session.objects.get(title="Keynote")
        assert (session.start, session.end) == (
            datetime(2031, 5, 1, 8, 0, tzinfo=UTC),
            datetime(2031, 5, 1, 8, 45, tzinfo=UTC),
        )
        assert [s.name for s in session.speakers.all()] == ["Ada Lovelace"]
        assert session.tags == ["web", "future"]
    assert audit_actions()[-1] == "session.created"
    assert published_state(event) == []  # a draft until published


def test_edit_form_shows_times_in_the_event_zone(logged_in, owner, event, hall_a):
    talk = make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)

    page = logged_in.get(url("agenda-session", session_id=talk.pk)).content.decode()

    assert 'value="2031-05-01T10:00"' in page
    assert 'value="2031-05-01T10:45"' in page


def test_double_booked_room_is_a_form_error_and_nothing_is_saved(logged_in, owner, event, hall_a):
    make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)
    before, audit_before = sessions_state(event), audit_actions()

    response = logged_in.post(
        url("agenda-session-create"), session_form(start="2031-05-01T10:30", end="2031-05-01T11:00", room=hall_a.pk)
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "Hall A is already booked then: “Opening” Thu 10:00." in content
    assert 'data-field="room"' in content
    assert "has-error" in content
    assert sessions_state(event) == before
    assert audit_actions() == audit_before


def test_speaker_in_two_places_is_a_form_error_and_nothing_is_saved(logged_in, owner, event, hall_a, hall_b, ada):
    make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a, speakers=[ada])
    second = make_session(owner, event, "Later", at(1, "12:00"), room=hall_b)
    before = sessions_state(event)

    response = logged_in.post(
        url("agenda-session", session_id=second.pk),
        session_form(
            title="Later", start="2031-05-01T10:15", end="2031-05-01T11:00", room=hall_b.pk, speakers=[ada.pk]
        ),
    )

    assert response.status_code == 200
    assert "Ada Lovelace speaks elsewhere then: “Opening” Thu 10:00." in response.content.decode()
    assert sessions_state(event) == before
    with scopes_disabled():
        assert list(second.speakers.all()) == []


def test_session_outside_event_hours_is_a_form_error(logged_in, event):
    response = logged_in.post(
        url("agenda-session-create"), session_form(start="2031-05-01T07:00", end="2031-05-01T08:00")
    )

    assert response.status_code == 200
    assert "Sessions must lie within the event (2031-05-01 09:00 – 2031-05-02 18:00)." in response.content.decode()
    assert sessions_state(event) == []


def test_end_before_start_is_a_form_error(logged_in, event):
    response = logged_in.post(
        url("agenda-session-create"), session_form(start="2031-05-01T11:00", end="2031-05-01T10:00")
    )

    assert "A session must end after it starts." in response.content.decode()
    assert sessions_state(event) == []


def test_room_of_another_event_cannot_be_chosen(logged_in, event):
    foreign_room = RoomFactory(event=EventFactory(), name="Elsewhere")

    response = logged_in.post(url("agenda-session-create"), session_form(room=foreign_room.pk))

    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert sessions_state(event) == []


# --- move, delay, cancel, restore, delete ----------------------------------------------------------


def test_move_to_another_room_keeps_the_length(logged_in, owner, event, hall_a, hall_b):
    talk = make_session(owner, event, "Opening", at(1, "10:00"), minutes=50, room=hall_a)
    publish(owner, event)

    assert logged_in.get(url("agenda-session-move", session_id=talk.pk)).status_code == 200
    response = logged_in.post(
        url("agenda-session-move", session_id=talk.pk), {"room": hall_b.pk, "start": "2031-05-01T11:00"}
    )

    assert response.status_code == 302
    assert sessions_state(event) == [
        ("Opening", at(1, "11:00"), at(1, "11:50"), "Hall B", SessionStatus.MOVED),
    ]
    assert published_state(event) == [("Opening", at(1, "10:00"), at(1, "10:50"), "Hall A", SessionStatus.SCHEDULED)]


def test_move_into_a_booked_room_is_refused(logged_in, owner, event, hall_a, hall_b):
    talk = make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)
    make_session(owner, event, "Busy", at(1, "11:00"), room=hall_b)
    before = sessions_state(event)

    response = logged_in.post(
        url("agenda-session-move", session_id=talk.pk), {"room": hall_b.pk, "start": "2031-05-01T11:15"}
    )

    assert response.status_code == 200
    assert "Hall B is already booked then: “Busy” Thu 11:00." in response.content.decode()
    assert sessions_state(event) == before


def test_delay_with_cascade_shifts_the_later_sessions_in_that_room_only(logged_in, owner, event, hall_a, hall_b):
    first = make_session(owner, event, "First", at(1, "10:00"), room=hall_a)
    make_session(owner, event, "Second", at(1, "11:00"), room=hall_a)
    make_session(owner, event, "Elsewhere", at(1, "11:00"), room=hall_b)
    make_session(owner, event, "Earlier", at(1, "09:00"), room=hall_a)
    publish(owner, event)

    response = logged_in.post(url("agenda-session-delay", session_id=first.pk), {"minutes": "15", "cascade": "on"})

    assert response.status_code == 302
    assert response["Location"] == url("agenda") + "?day=2031-05-01"
    assert sessions_state(event) == [
        ("First", at(1, "10:15"), at(1, "11:00"), "Hall A", SessionStatus.DELAYED),
        ("Second", at(1, "11:15"), at(1, "12:00"), "Hall A", SessionStatus.DELAYED),
        ("Elsewhere", at(1, "11:00"), at(1, "11:45"), "Hall B", SessionStatus.SCHEDULED),
        ("Earlier", at(1, "09:00"), at(1, "09:45"), "Hall A", SessionStatus.SCHEDULED),
    ]
    assert published_state(event)[0][1] == at(1, "10:00")  # attendees see nothing yet


def test_delay_without_cascade_over_htmx_returns_the_grid_with_a_notice(logged_in, owner, event, hall_a):
    first = make_session(owner, event, "First", at(1, "10:00"), room=hall_a)
    make_session(owner, event, "Second", at(1, "11:00"), room=hall_a)

    response = logged_in.post(
        url("agenda-session-delay", session_id=first.pk), {"minutes": "15"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    content = response.content.decode()
    assert "“First” shifted +15 min (draft)." in content
    assert "<html" not in content
    assert [row[1] for row in sessions_state(event)] == [at(1, "10:15"), at(1, "11:00")]


def test_delay_into_a_conflict_is_refused_and_nothing_moves(logged_in, owner, event, hall_a, ada, hall_b):
    first = make_session(owner, event, "First", at(1, "10:00"), room=hall_a, speakers=[ada])
    make_session(owner, event, "Ada elsewhere", at(1, "11:00"), room=hall_b, speakers=[ada])
    before = sessions_state(event)

    response = logged_in.post(
        url("agenda-session-delay", session_id=first.pk), {"minutes": "30"}, headers={"HX-Request": "true"}
    )

    content = response.content.decode()
    assert "Not delayed: Ada Lovelace speaks elsewhere then: “Ada elsewhere” Thu 11:00." in content
    assert 'role="alert"' in content
    assert sessions_state(event) == before


def test_cancel_restore_and_delete(logged_in, owner, event, hall_a):
    talk = make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)
    draft_only = make_session(owner, event, "Never published", at(1, "12:00"), room=hall_a)
    publish(owner, event, "first")
    scratch = make_session(owner, event, "Scratch", at(1, "14:00"), room=hall_a)

    cancel = logged_in.post(url("agenda-session-cancel", session_id=talk.pk))
    cancelled = sessions_state(event)[0][4]
    restore = logged_in.post(url("agenda-session-restore", session_id=talk.pk))
    restored = sessions_state(event)[0][4]
    refused = logged_in.post(url("agenda-session-delete", session_id=talk.pk), follow=True)
    deleted = logged_in.post(url("agenda-session-delete", session_id=scratch.pk))

    assert (cancel.status_code, restore.status_code, deleted.status_code) == (302, 302, 302)
    assert (cancelled, restored) == (SessionStatus.CANCELLED, SessionStatus.SCHEDULED)
    assert "This session has been published: cancel it instead." in refused.content.decode()
    assert [row[0] for row in sessions_state(event)] == ["Opening", "Never published"]
    assert draft_only.pk
    assert audit_actions()[-3:] == ["session.cancelled", "session.restored", "session.deleted"]


@pytest.mark.parametrize("action", ["delay", "cancel", "restore", "delete", "publish"])
def test_action_routes_answer_get_with_405(logged_in, owner, event, hall_a, action):
    talk = make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)
    kwargs = {} if action == "publish" else {"session_id": talk.pk}
    name = "agenda-publish" if action == "publish" else f"agenda-session-{action}"

    assert logged_in.get(url(name, **kwargs)).status_code == 405


# --- publish and versions ----------------------------------------------------------------------


def test_draft_edits_do_not_reach_published_sessions_until_publish(logged_in, owner, event, hall_a, hall_b):
    talk = make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)
    publish(owner, event)
    published_before = published_state(event)
    entries_before = StreamEntry.objects.filter(stream=f"event:{event.pk}").count()

    logged_in.post(url("agenda-session", session_id=talk.pk), session_form(title="Opening!", room=hall_b.pk))
    logged_in.post(url("agenda-session-delay", session_id=talk.pk), {"minutes": "15"})

    assert published_state(event) == published_before
    assert StreamEntry.objects.filter(stream=f"event:{event.pk}").count() == entries_before

    response = logged_in.post(url("agenda-publish"), {"comment": "Room B it is", "day": "2031-05-01"})

    assert response.status_code == 302
    assert published_state(event) == [("Opening!", at(1, "10:15"), at(1, "11:00"), "Hall B", SessionStatus.MOVED)]
    with scopes_disabled():
        version = ScheduleVersion.objects.get(event=event, number=2)
    assert version.comment == "Room B it is"
    assert [c["change"] for c in version.changes] == ["moved"]
    types = list(StreamEntry.objects.filter(stream=f"event:{event.pk}").order_by("seq").values_list("type", flat=True))[
        entries_before:
    ]
    assert types == ["session.updated", "schedule.published"]


def test_publish_over_htmx_returns_the_grid_and_nothing_to_publish_is_an_error(logged_in, owner, event, hall_a):
    make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)

    first = logged_in.post(url("agenda-publish"), {"day": "2031-05-01"}, headers={"HX-Request": "true"})
    again = logged_in.post(url("agenda-publish"), {"day": "2031-05-01"}, headers={"HX-Request": "true"})

    assert "Version 1 published." in first.content.decode()
    assert "All changes are published" in first.content.decode()
    assert "There are no unpublished changes." in again.content.decode()
    with scopes_disabled():
        assert ScheduleVersion.objects.filter(event=event).count() == 1


def test_versions_changelog_lists_each_version_with_its_diff(logged_in, owner, event, hall_a, hall_b):
    talk = make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)
    doomed = make_session(owner, event, "Doomed", at(1, "12:00"), room=hall_a)
    publish(owner, event, "First cut")
    with scopes_disabled():
        session_update(actor=owner, session=talk, room=hall_b)
        session_cancel(actor=owner, session=doomed)
    publish(owner, event, "Hall A flooded")

    page = logged_in.get(url("agenda-versions")).content.decode()
    single = logged_in.get(url("agenda-version", version=1)).content.decode()

    assert page.index("Version 2") < page.index("Version 1")
    assert "“Hall A flooded”" in page
    assert "“First cut”" in page
    assert '<span class="muted">Thu 1 May, 10:00–10:45</span>' in page  # same time
    assert '<span class="old">Hall A</span> → <span class="new">Hall B</span>' in page
    assert 'change-kind cancelled">cancelled<' in page
    assert "Version 1" in single
    assert "Version 2" not in single
    assert logged_in.get(url("agenda-version", version=3)).status_code == 404


# --- speakers, rooms, tracks --------------------------------------------------------------------


def test_speaker_create_links_an_account_by_email(logged_in, event):
    UserFactory(email="grace@example.org")

    unknown = logged_in.post(url("agenda-speaker-create"), {"name": "Grace", "email": "nobody@example.org"})
    created = logged_in.post(
        url("agenda-speaker-create"),
        {"name": "Grace Hopper", "email": "Grace@example.org", "links": "Site | https://grace.example.org"},
    )

    assert "There is no EventHub account with this address." in unknown.content.decode()
    assert created.status_code == 302
    with scopes_disabled():
        speaker = Speaker.objects.get(event=event)
    assert (speaker.name, speaker.user.email, speaker.links) == (
        "Grace Hopper",
        "grace@example.org",
        [{"label": "Site", "url": "https://grace.example.org"}],
    )
    listing = logged_in.get(url("agenda-speakers")).content.decode()
    assert "Grace Hopper" in listing
    assert "grace@example.org" in listing


def test_speaker_edit(logged_in, event, ada):
    page = logged_in.get(url("agenda-speaker", speaker_id=ada.pk)).content.decode()
    response = logged_in.post(url("agenda-speaker", speaker_id=ada.pk), {"name": "Ada King", "company": "Analytical"})

    assert 'value="Ada Lovelace"' in page
    assert response.status_code == 302
    with scopes_disabled():
        ada.refresh_from_db()
    assert (ada.name, ada.company) == ("Ada King", "Analytical")


def test_rooms_create_edit_and_delete_refused_while_used(logged_in, owner, event, hall_a):
    created = logged_in.post(url("agenda-room-create"), {"name": "Hall C", "capacity": "80", "position": "2"})
    duplicate = logged_in.post(url("agenda-room-create"), {"name": "Hall A", "position": "3"})
    with scopes_disabled():
        hall_c = Room.objects.get(event=event, name="Hall C")
    edited = logged_in.post(
        url("agenda-room-edit", room_id=hall_c.pk), {"name": "Hall C (upstairs)", "floor": "1", "position": "2"}
    )
    make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)
    refused = logged_in.post(url("agenda-room-delete", room_id=hall_a.pk), follow=True)
    deleted = logged_in.post(url("agenda-room-delete", room_id=hall_c.pk))

    assert (created.status_code, edited.status_code, deleted.status_code) == (302, 302, 302)
    assert duplicate.status_code == 200
    assert "A room with this name already exists." in duplicate.content.decode()
    assert "Sessions use this room: move them first." in refused.content.decode()
    with scopes_disabled():
        assert list(Room.objects.filter(event=event).values_list("name", flat=True)) == ["Hall A"]
    assert "room.deleted" in audit_actions()


def test_tracks_create_and_edit(logged_in, event):
    bad = logged_in.post(url("agenda-track-create"), {"name": "Data", "colour": "red", "position": "0"})
    created = logged_in.post(url("agenda-track-create"), {"name": "Data", "colour": "#22aa66", "position": "0"})
    with scopes_disabled():
        data = Track.objects.get(event=event)
    edited = logged_in.post(
        url("agenda-track", track_id=data.pk), {"name": "Data & AI", "colour": "#22aa66", "position": "1"}
    )

    assert "Use a colour like #3056d3." in bad.content.decode()
    assert (created.status_code, edited.status_code) == (302, 302)
    listing = logged_in.get(url("agenda-tracks")).content.decode()
    assert "Data &amp; AI" in listing
    assert "#22aa66" in listing


@pytest.mark.parametrize("name", ["agenda-speakers", "agenda-rooms", "agenda-tracks", "agenda-announcements"])
def test_list_pages_do_not_grow_queries(logged_in, owner, event, name):
    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert logged_in.get(url(name)).status_code == 200
        return len(queries)

    def add(n: int) -> None:
        with scopes_disabled():
            room = RoomFactory(event=event, name=f"Room {n}")
            track = Track.objects.create(event=event, name=f"Track {n}")
            speaker = Speaker.objects.create(event=event, name=f"Speaker {n}", user=UserFactory())
            session = make_session(owner, event, f"S{n}", at(1, "10:00"), room=room, track=track, speakers=[speaker])
            Announcement.objects.create(event=event, author=owner, text=f"News {n}", track=track, session=session)

    add(1)
    one = count_queries()
    add(2)
    add(3)

    assert count_queries() == one


# --- announcements and display links -----------------------------------------------------------------


def test_announcement_post_appends_a_stream_entry_and_lists_it(logged_in, owner, event, hall_a):
    response = logged_in.post(
        url("agenda-announcements"), {"text": "Lunch is served", "priority": "important", "target": "everyone"}
    )
    missing_track = logged_in.post(
        url("agenda-announcements"), {"text": "Track news", "priority": "info", "target": "track"}
    )

    assert response.status_code == 302
    assert "Choose the track this announcement is for." in missing_track.content.decode()
    entry = StreamEntry.objects.filter(stream=f"event:{event.pk}").order_by("-seq").first()
    assert (entry.type, entry.data["announcement"]["text"]) == ("announcement.posted", "Lunch is served")
    listing = logged_in.get(url("agenda-announcements")).content.decode()
    assert "Lunch is served" in listing
    assert "Track news" not in listing


def test_display_links_create_show_and_revoke(logged_in, event, hall_a):
    created = logged_in.post(url("agenda-displays"), {"name": "Hall A door", "room": hall_a.pk})
    venue = logged_in.post(url("agenda-displays"), {"name": "Lobby", "room": ""})
    with scopes_disabled():
        door = DisplayLink.objects.get(name="Hall A door")
    listing = logged_in.get(url("agenda-displays")).content.decode()
    revoked = logged_in.post(url("agenda-display-revoke", display_id=door.pk))

    assert (created.status_code, venue.status_code, revoked.status_code) == (302, 302, 302)
    assert f"http://testserver/displays/{door.token}" in listing
    assert "The whole venue" in listing
    with scopes_disabled():
        door.refresh_from_db()
    assert door.revoked_at is not None
    assert audit_actions()[-3:] == ["display_link.created", "display_link.created", "display_link.revoked"]
    after = logged_in.get(url("agenda-displays")).content.decode()
    assert f"/displays/{door.token}" not in after
    assert "Revoked" in after


# --- permissions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_agenda_pages_by_role(client, org, owner, event, hall_a, ada, track, role):
    user = owner if role == "owner" else MemberFactory(organization=org, role=role).user
    client.force_login(user)
    talk = make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)
    publish(owner, event)

    reads = ["agenda", "agenda-grid", "agenda-versions", "agenda-speakers", "agenda-rooms", "agenda-tracks",
             "agenda-announcements", "agenda-displays"]  # fmt: skip
    forms = {
        "agenda-session-create": {},
        "agenda-session": {"session_id": talk.pk},
        "agenda-session-move": {"session_id": talk.pk},
        "agenda-speaker-create": {},
        "agenda-speaker": {"speaker_id": ada.pk},
        "agenda-room-create": {},
        "agenda-room-edit": {"room_id": hall_a.pk},
        "agenda-track-create": {},
        "agenda-track": {"track_id": track.pk},
    }
    read_codes = {name: client.get(url(name)).status_code for name in reads}
    form_codes = {name: client.get(url(name, **kwargs)).status_code for name, kwargs in forms.items()}
    grid = client.get(url("agenda")).content.decode()

    assert read_codes == dict.fromkeys(reads, 200)
    assert form_codes == dict.fromkeys(forms, 200 if role in EDITORS else 404)
    assert ("Publish version" in grid or "+15" in grid) == (role in EDITORS)
    assert ("New session" in grid) == (role in EDITORS)


@pytest.mark.parametrize("role", ["operator", "analyst"])
def test_readers_cannot_write(client, org, owner, event, hall_a, role):
    client.force_login(MemberFactory(organization=org, role=role).user)
    talk = make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)
    before, published_before, audit_before = sessions_state(event), published_state(event), audit_actions()

    codes = [
        client.post(url("agenda-session-create"), session_form()).status_code,
        client.post(url("agenda-session", session_id=talk.pk), session_form(title="Hijacked")).status_code,
        client.post(url("agenda-session-delay", session_id=talk.pk), {"minutes": "15"}).status_code,
        client.post(url("agenda-session-cancel", session_id=talk.pk)).status_code,
        client.post(url("agenda-session-delete", session_id=talk.pk)).status_code,
        client.post(url("agenda-publish")).status_code,
        client.post(url("agenda-announcements"), {"text": "x", "priority": "info", "target": "everyone"}).status_code,
        client.post(url("agenda-displays"), {"name": "Door"}).status_code,
        client.post(url("agenda-room-delete", room_id=hall_a.pk)).status_code,
    ]

    assert codes == [404] * len(codes)
    assert (sessions_state(event), published_state(event), audit_actions()) == (before, published_before, audit_before)
    with scopes_disabled():
        assert not Announcement.objects.exists()
        assert not DisplayLink.objects.exists()


def test_outsider_and_attendee_get_404(client, owner, event, hall_a):
    talk = make_session(owner, event, "Opening", at(1, "10:00"), room=hall_a)
    paths = [url("agenda"), url("agenda-versions"), url("agenda-session", session_id=talk.pk), url("agenda-displays")]

    client.force_login(UserFactory())
    outsider = [client.get(path).status_code for path in paths]
    client.force_login(ParticipantFactory(event=event).user)
    attendee = [client.get(path).status_code for path in paths]

    assert outsider == attendee == [404] * len(paths)
