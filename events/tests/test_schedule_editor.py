"""The schedule editor's server side (issue 10, gap 3) through the portal: a drop, resize or
keyboard move (``place``) with the forms' conflict checks and the refusal on the block; the
sessions list with search, filters and all-or-nothing bulk moves and cancellations; discarding
the draft's unpublished changes."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from eventhub.realtime.models import StreamEntry
from eventhub.testing.factories import MemberFactory, RoomFactory
from events.enums import SessionStatus
from events.models import Session, Speaker, Track
from events.services.agenda import session_create, session_update
from events.services.schedule import schedule_publish

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _portal_settings(page_settings):
    pass


@pytest.fixture
def hall_b(agenda_event):
    return RoomFactory(event=agenda_event, name="Hall B", position=1)


def url(name: str, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"organization": "acme", "event": "acme-conf", **kwargs})


def at(clock: str, day: int = 1) -> datetime:
    hour, minute = map(int, clock.split(":"))
    return datetime(2031, 5, day, hour, minute, tzinfo=BERLIN)


def talk(owner, event, title: str, clock: str, minutes: int = 60, **fields) -> Session:
    with scopes_disabled():
        return session_create(
            actor=owner, event=event, title=title, start=at(clock), end=at(clock) + timedelta(minutes=minutes), **fields
        )


def state(event) -> dict[str, tuple]:
    with scopes_disabled():
        return {
            s.title: (
                f"{s.start.astimezone(BERLIN):%H:%M}",
                f"{s.end.astimezone(BERLIN):%H:%M}",
                s.room.name if s.room else None,
                s.status,
            )
            for s in Session.objects.filter(event=event).select_related("room")
        }


# --- place: drag, resize, keyboard ---------------------------------------------------------


def test_drop_moves_a_session_to_another_room_and_time(logged_in, owner, agenda_event, hall_a, hall_b):
    opening = talk(owner, agenda_event, "Opening", "10:00", room=hall_a)

    response = logged_in.post(
        url("agenda-session-place", session_id=opening.pk),
        {"room": hall_b.pk, "start": "2031-05-01T11:30", "end": "2031-05-01T12:30", "day": "2031-05-01"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert "“Opening” now Thu 11:30–12:30 in Hall B (draft)." in response.content.decode()
    assert state(agenda_event)["Opening"] == ("11:30", "12:30", "Hall B", SessionStatus.SCHEDULED)


def test_drop_onto_a_booked_slot_is_refused_on_the_block_and_changes_nothing(
    logged_in, owner, agenda_event, hall_a, hall_b
):
    opening = talk(owner, agenda_event, "Opening", "10:00", room=hall_a)
    talk(owner, agenda_event, "Workshop", "11:00", room=hall_b)
    before = state(agenda_event)

    response = logged_in.post(
        url("agenda-session-place", session_id=opening.pk),
        {"room": hall_b.pk, "start": "2031-05-01T11:30", "end": "2031-05-01T12:30"},
        headers=HTMX,
    )

    html = response.content.decode()
    block = html[html.index(f'id="session-{opening.pk}"') :]
    block = block[: block.index("</article>")]
    assert 'data-testid="block-error"' in block
    assert "Not moved: Hall B is already booked then: “Workshop” Thu 11:00." in block
    assert state(agenda_event) == before


def test_resize_changes_only_the_end(logged_in, owner, agenda_event, hall_a):
    opening = talk(owner, agenda_event, "Opening", "10:00", room=hall_a)

    logged_in.post(
        url("agenda-session-place", session_id=opening.pk),
        {"room": hall_a.pk, "start": "2031-05-01T10:00", "end": "2031-05-01T11:30"},
        headers=HTMX,
    )

    assert state(agenda_event)["Opening"] == ("10:00", "11:30", "Hall A", SessionStatus.SCHEDULED)


def test_drop_into_the_tray_unschedules_the_room(logged_in, owner, agenda_event, hall_a):
    opening = talk(owner, agenda_event, "Opening", "10:00", room=hall_a)

    logged_in.post(
        url("agenda-session-place", session_id=opening.pk),
        {"room": "", "start": "2031-05-01T10:00", "end": "2031-05-01T11:00"},
        headers=HTMX,
    )
    grid = logged_in.get(url("agenda")).content.decode()

    assert state(agenda_event)["Opening"][2] is None
    assert 'class="lane tray"' in grid


def test_place_without_htmx_redirects_and_get_is_not_allowed(logged_in, owner, agenda_event, hall_a):
    opening = talk(owner, agenda_event, "Opening", "10:00", room=hall_a)

    plain = logged_in.post(
        url("agenda-session-place", session_id=opening.pk),
        {"room": hall_a.pk, "start": "2031-05-01T10:15", "end": "2031-05-01T11:15"},
    )
    get = logged_in.get(url("agenda-session-place", session_id=opening.pk))

    assert (plain.status_code, plain["Location"]) == (302, url("agenda") + "?day=2031-05-01")
    assert get.status_code == 405


def test_grid_carries_what_the_editor_needs(logged_in, owner, agenda_event, hall_a):
    opening = talk(owner, agenda_event, "Opening", "10:00", room=hall_a)

    html = logged_in.get(url("agenda")).content.decode()

    assert 'data-first="2031-05-01T09:00" data-first-instant="2031-05-01T09:00:00+02:00"' in html
    assert (
        f'draggable="true" tabindex="0" aria-describedby="editor-help" data-start="2031-05-01T10:00" '
        f'data-end="2031-05-01T11:00" data-room="{hall_a.pk}" '
        f'data-place-url="{url("agenda-session-place", session_id=opening.pk)}"'
    ) in html
    assert "data-now-line" in html


# --- the sessions list -----------------------------------------------------------------------


def test_sessions_list_searches_titles_and_speakers_and_filters(logged_in, owner, agenda_event, hall_a, hall_b):
    ada = Speaker.objects.create(event=agenda_event, name="Ada Lovelace")
    web = Track.objects.create(event=agenda_event, name="Web", colour="#2f7de1")
    talk(owner, agenda_event, "Opening", "10:00", room=hall_a, speakers=[ada])
    talk(owner, agenda_event, "CSS grid", "10:00", room=hall_b, track=web)
    talk(owner, agenda_event, "Lost talk", "12:00")

    def titles(**query) -> list[str]:
        response = logged_in.get(url("agenda-sessions"), query)
        return [s.title for s in response.context["sessions"]]

    assert titles() == ["Opening", "CSS grid", "Lost talk"]
    assert titles(q="lovelace") == ["Opening"]
    assert titles(track=web.pk) == ["CSS grid"]
    assert titles(room=hall_b.pk) == ["CSS grid"]
    assert titles(unscheduled="on") == ["Lost talk"]
    assert titles(day="2031-05-02") == []


def test_bulk_shift_moves_the_chosen_sessions_together(logged_in, owner, agenda_event, hall_a):
    first = talk(owner, agenda_event, "First", "10:00", room=hall_a)
    second = talk(owner, agenda_event, "Second", "11:00", room=hall_a)

    response = logged_in.post(
        url("agenda-sessions"), {"action": "shift", "minutes": "60", "sessions": [first.pk, second.pk]}, follow=True
    )

    assert "2 sessions changed (draft)." in response.content.decode()
    assert (state(agenda_event)["First"][:2], state(agenda_event)["Second"][:2]) == (
        ("11:00", "12:00"),
        ("12:00", "13:00"),
    )


def test_bulk_shift_with_one_conflict_changes_nothing(logged_in, owner, agenda_event, hall_a):
    first = talk(owner, agenda_event, "First", "10:00", room=hall_a)
    talk(owner, agenda_event, "Blocker", "11:00", room=hall_a)
    lone = talk(owner, agenda_event, "Lone", "14:00", room=hall_a)
    before = state(agenda_event)

    response = logged_in.post(
        url("agenda-sessions"), {"action": "shift", "minutes": "60", "sessions": [first.pk, lone.pk]}, follow=True
    )

    assert "Nothing changed: “First”: Hall A is already booked then: “Blocker” Thu 11:00." in response.content.decode()
    assert state(agenda_event) == before


def test_bulk_cancel(logged_in, owner, agenda_event, hall_a):
    first = talk(owner, agenda_event, "First", "10:00", room=hall_a)
    talk(owner, agenda_event, "Kept", "11:00", room=hall_a)

    logged_in.post(url("agenda-sessions"), {"action": "cancel", "sessions": [first.pk]})

    assert {title: row[3] for title, row in state(agenda_event).items()} == {
        "First": SessionStatus.CANCELLED,
        "Kept": SessionStatus.SCHEDULED,
    }


def test_bulk_action_of_a_viewer_is_a_404_and_changes_nothing(client, org, owner, agenda_event, hall_a):
    first = talk(owner, agenda_event, "First", "10:00", room=hall_a)
    client.force_login(MemberFactory(organization=org, role="analyst").user)
    before = state(agenda_event)

    response = client.post(url("agenda-sessions"), {"action": "cancel", "sessions": [first.pk]})

    assert (response.status_code, state(agenda_event)) == (404, before)


def test_sessions_list_queries_do_not_grow(logged_in, owner, agenda_event, hall_a):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert logged_in.get(url("agenda-sessions")).status_code == 200
        return len(queries)

    talk(owner, agenda_event, "One", "10:00", room=hall_a)
    one = count()
    talk(owner, agenda_event, "Two", "11:00", room=hall_a)
    talk(owner, agenda_event, "Three", "12:00", room=hall_a)

    assert count() == one


# --- discard draft changes -------------------------------------------------------------------


def test_discard_restores_the_published_agenda_and_tells_no_attendee(logged_in, owner, agenda_event, hall_a, hall_b):
    opening = talk(owner, agenda_event, "Opening", "10:00", room=hall_a)
    with scopes_disabled():
        schedule_publish(actor=owner, event=agenda_event)
        session_update(actor=owner, session=opening, room=hall_b, title="Opening (moved)")
    talk(owner, agenda_event, "Draft only", "14:00", room=hall_a)
    with scopes_disabled():
        entries = StreamEntry.objects.count()

    response = logged_in.post(url("agenda-discard"), {"day": "2031-05-01"}, headers=HTMX)

    assert "2 unpublished changes discarded" in response.content.decode()
    assert state(agenda_event) == {"Opening": ("10:00", "11:00", "Hall A", SessionStatus.SCHEDULED)}
    with scopes_disabled():
        assert StreamEntry.objects.count() == entries
