"""Regression tests of the events portal's bugs from issue 10, through the pages: the slug help
text (bug 1), a change of the event's time zone (bug 2), and the details of bug 14 that live in
the events portal (empty choice labels, names and zones in the audit log)."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from events.enums import SessionStatus
from events.models import Event, ScheduleVersion, Session, Speaker, Track
from events.services.agenda import session_create
from events.services.organizations import event_update
from events.services.schedule import schedule_publish

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture(autouse=True)
def _portal_settings(page_settings):
    pass


@pytest.fixture
def event(agenda_event):
    return agenda_event


def url(name: str, **kwargs) -> str:
    return reverse(f"portal:{name}", kwargs={"organization": "acme", "event": "acme-conf", **kwargs})


def talk(owner, event, title: str, hour: int, **fields) -> Session:
    start = datetime(2031, 5, 1, hour, 0, tzinfo=BERLIN)
    with scopes_disabled():
        return session_create(
            actor=owner, event=event, title=title, start=start, end=start + timedelta(hours=1), **fields
        )


def edit_form(event: Event, **overrides) -> dict:
    tz = event.tz
    data = {
        "name": event.name,
        "slug": event.slug,
        "timezone": event.timezone,
        "start": f"{event.start.astimezone(tz):%Y-%m-%dT%H:%M}",
        "end": f"{event.end.astimezone(tz):%Y-%m-%dT%H:%M}",
        "venue_name": "",
        "venue_address": "",
        "description": "",
        "status": event.status,
        "visibility": event.visibility,
    }
    data.update(overrides)
    return data


def local_times(event: Event, tz: ZoneInfo) -> list[tuple[str, str]]:
    with scopes_disabled():
        return [
            (s.title, f"{s.start.astimezone(tz):%H:%M}–{s.end.astimezone(tz):%H:%M}")
            for s in Session.objects.filter(event=event).order_by("start")
        ]


# --- bug 1: the slug help text -------------------------------------------------------------


def test_organization_slug_help_text_shows_its_placeholder(client, owner):
    client.force_login(owner)

    html = client.get(reverse("portal:organization-create")).content.decode()

    assert "Used in addresses, e.g. /portal/&lt;slug&gt;/." in html
    assert "/portal//." not in html


# --- bug 2: changing the event's time zone -------------------------------------------------


def test_zone_change_keeping_wall_clock_times_keeps_sessions_at_ten(logged_in, owner, event, hall_a):
    talk(owner, event, "Opening", 10, room=hall_a)

    response = logged_in.post(url("event-edit"), edit_form(event, timezone="America/New_York", session_times="wall"))

    assert response.status_code == 302
    with scopes_disabled():
        event.refresh_from_db()
    assert (event.timezone, f"{event.start.astimezone(NEW_YORK):%H:%M}") == ("America/New_York", "09:00")
    assert local_times(event, NEW_YORK) == [("Opening", "10:00–11:00")]


def test_zone_change_keeping_instants_keeps_the_moments(logged_in, owner, event, hall_a):
    talk(owner, event, "Opening", 10, room=hall_a)
    start_before = event.start

    response = logged_in.post(url("event-edit"), edit_form(event, timezone="America/New_York", session_times="instant"))

    assert response.status_code == 302
    with scopes_disabled():
        event.refresh_from_db()
    assert event.start == start_before
    assert local_times(event, NEW_YORK) == [("Opening", "04:00–05:00")]
    assert local_times(event, BERLIN) == [("Opening", "10:00–11:00")]


def test_zone_change_with_sessions_asks_what_to_keep_and_changes_nothing(logged_in, owner, event, hall_a):
    talk(owner, event, "Opening", 10, room=hall_a)

    response = logged_in.post(url("event-edit"), edit_form(event, timezone="America/New_York"))

    assert response.status_code == 200
    assert "choose whether they keep their wall-clock times or their instants" in response.content.decode()
    with scopes_disabled():
        event.refresh_from_db()
    assert event.timezone == "Europe/Berlin"
    assert local_times(event, BERLIN) == [("Opening", "10:00–11:00")]


def test_zone_change_that_pushes_sessions_out_warns_and_publishing_is_refused(logged_in, owner, event, hall_a):
    """The bug: 10:00 Berlin became 04:00 New York, outside the event's (re-entered) hours, and
    publishing still succeeded."""
    talk(owner, event, "Opening", 10, room=hall_a)

    saved = logged_in.post(
        url("event-edit"),
        edit_form(
            event,
            timezone="America/New_York",
            session_times="instant",
            start="2031-05-01T08:00",
            end="2031-05-01T19:00",
        ),
        follow=True,
    )
    published = logged_in.post(url("agenda-publish"), {"day": "2031-05-01"}, headers={"HX-Request": "true"})

    assert "cannot be published until it is fixed" in saved.content.decode()
    assert "lies outside the event&#x27;s hours" in published.content.decode()
    with scopes_disabled():
        assert ScheduleVersion.objects.filter(event=event).count() == 0


def test_grid_lists_the_drafts_conflicts(logged_in, owner, event, hall_a):
    talk(owner, event, "Opening", 10, room=hall_a)
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(start=datetime(2031, 5, 1, 11, 0, tzinfo=BERLIN))

    html = logged_in.get(url("agenda")).content.decode()

    assert 'id="agenda-problems"' in html
    assert "“Opening” (Thu 10:00) lies outside the event&#x27;s hours." in html


def test_title_edit_of_a_session_left_outside_the_hours_is_saved(logged_in, owner, event, hall_a):
    session = talk(owner, event, "Opening", 10, room=hall_a)
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(start=datetime(2031, 5, 1, 11, 0, tzinfo=BERLIN))

    response = logged_in.post(
        url("agenda-session", session_id=session.pk),
        {
            "title": "Welcome",
            "kind": "talk",
            "start": "2031-05-01T10:00",
            "end": "2031-05-01T11:00",
            "room": hall_a.pk,
            "language": "en",
        },
    )

    assert response.status_code == 302
    with scopes_disabled():
        session.refresh_from_db()
    assert session.title == "Welcome"


def test_publish_of_a_consistent_draft_still_works(owner, event, hall_a):
    talk(owner, event, "Opening", 10, room=hall_a)

    with scopes_disabled():
        version = schedule_publish(actor=owner, event=event)

    assert version.number == 1


# --- bug 14: empty labels, the audit log ------------------------------------------------------


@pytest.mark.parametrize("page", ["agenda-session-create", "agenda-announcements", "agenda-displays"])
def test_selects_have_a_proper_empty_label(logged_in, owner, event, hall_a, page):
    Track.objects.create(event=event, name="Web", colour="#d03050")
    talk(owner, event, "Opening", 10, room=hall_a)

    html = logged_in.get(url(page)).content.decode()

    assert "---------" not in html
    assert "<select" in html


def test_audit_log_names_rooms_speakers_and_shows_times_in_the_event_zone(logged_in, owner, event, hall_a):
    ada = Speaker.objects.create(event=event, name="Ada Lovelace")
    talk(owner, event, "Opening", 10, room=hall_a, speakers=[ada])

    html = logged_in.get(reverse("portal:audit-log", kwargs={"organization": "acme"})).content.decode()

    assert "<strong>room</strong>: Hall A" in html
    assert "<strong>speakers</strong>: Ada Lovelace" in html
    assert "<strong>start</strong>: 2031-05-01 10:00" in html
    assert "session.created</code> “Opening”" in html
    assert "Europe/Berlin" in html
    assert f"<strong>room</strong>: {hall_a.pk}<" not in html


def test_session_status_after_wall_clock_zone_change_of_a_published_session(owner, event, hall_a):
    session = talk(owner, event, "Opening", 10, room=hall_a)
    with scopes_disabled():
        schedule_publish(actor=owner, event=event)
        event_update(
            actor=owner,
            event=event,
            timezone="America/New_York",
            session_times="wall",
            start=datetime(2031, 5, 1, 9, 0, tzinfo=NEW_YORK),
            end=datetime(2031, 5, 1, 18, 0, tzinfo=NEW_YORK),
        )
        session.refresh_from_db()
    assert (session.status, session.start) == (SessionStatus.DELAYED, datetime(2031, 5, 1, 14, 0, tzinfo=UTC))
