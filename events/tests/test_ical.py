"""iCalendar export: the public agenda feed and the private, revocable personal feed. Parsed with
the icalendar library, as calendar apps parse it."""

from datetime import datetime
from urllib.parse import urlsplit

import icalendar
import pytest
from django.test import Client
from django_scopes import scopes_disabled

from eventhub.testing.factories import UserFactory
from events.models import CalendarFeed, ScheduleVersion
from events.services.agenda import session_cancel, session_create, session_delay, session_update
from events.tests.agenda_world import BERLIN, NOT_FOUND, World, berlin, build_world, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> World:
    return build_world()


def _calendar(response) -> icalendar.Calendar:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    return icalendar.Calendar.from_ical(response.content)


def _vevents(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(vevent["SUMMARY"]): vevent for vevent in calendar.walk("VEVENT")}


def test_agenda_ics_parses_and_round_trips_times_in_the_event_zone(world):
    calendar = _calendar(Client().get(world.url("agenda.ics")))

    vevents = _vevents(calendar)
    keynote = vevents["Opening keynote"]
    assert sorted(vevents) == ["Async Django", "Day two keynote", "Lunch", "Opening keynote", "Pandas tricks"]
    assert [str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")] == ["Europe/Berlin"]
    assert keynote["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert keynote.decoded("DTSTART") == berlin(1, 9)
    assert keynote.decoded("DTSTART").tzinfo.key == "Europe/Berlin"
    assert keynote.decoded("DTEND") == berlin(1, 10)
    assert str(keynote["LOCATION"]) == "Hall A"
    assert str(keynote["STATUS"]) == "CONFIRMED"
    assert keynote["SEQUENCE"] == 0
    assert str(keynote["UID"]) == f"session-{world.sessions['keynote'].pk}@event-{world.event.pk}.eventhub"
    assert "Ada Lovelace" in str(keynote["DESCRIPTION"])
    assert isinstance(keynote.decoded("LAST-MODIFIED"), datetime)
    assert keynote.decoded("DTSTAMP") == keynote.decoded("LAST-MODIFIED")
    assert "LOCATION" not in vevents["Lunch"]


def test_the_vtimezone_knows_summer_and_winter_time():
    world = build_world(publish=False)
    with scopes_disabled():
        world.event.end = datetime(2031, 11, 30, 18, tzinfo=BERLIN)
        world.event.save()
        session_create(
            actor=world.editor,
            event=world.event,
            title="Winter session",
            start=datetime(2031, 11, 20, 9, tzinfo=BERLIN),
            end=datetime(2031, 11, 20, 10, tzinfo=BERLIN),
        )
    world.publish()

    calendar = _calendar(Client().get(world.url("agenda.ics")))

    winter = _vevents(calendar)["Winter session"]
    assert winter.decoded("DTSTART").isoformat() == "2031-11-20T09:00:00+01:00"
    assert _vevents(calendar)["Opening keynote"].decoded("DTSTART").isoformat() == "2031-06-10T09:00:00+02:00"
    timezone = calendar.walk("VTIMEZONE")[0]
    assert {component.name for component in timezone.subcomponents} == {"STANDARD", "DAYLIGHT"}


def test_published_changes_bump_sequence_and_cancelled_sessions_say_so_with_the_same_uid(world):
    before = _vevents(_calendar(Client().get(world.url("agenda.ics"))))
    with scopes_disabled():
        session_delay(actor=world.editor, session=world.sessions["pandas"], minutes=30)
        session_cancel(actor=world.editor, session=world.sessions["lunch"])
    world.publish()

    after = _vevents(_calendar(Client().get(world.url("agenda.ics"))))

    assert after["Pandas tricks"]["UID"] == before["Pandas tricks"]["UID"]
    assert after["Pandas tricks"]["SEQUENCE"] == 1
    assert after["Pandas tricks"].decoded("DTSTART") == berlin(1, 11)
    # LAST-MODIFIED is the publish that changed it (iCalendar keeps whole seconds).
    with scopes_disabled():
        republished = ScheduleVersion.objects.get(event=world.event, number=2).published_at.replace(microsecond=0)
    assert after["Pandas tricks"].decoded("LAST-MODIFIED") == republished
    assert after["Opening keynote"].decoded("LAST-MODIFIED") == before["Opening keynote"].decoded("LAST-MODIFIED")
    assert (str(after["Lunch"]["STATUS"]), after["Lunch"]["SEQUENCE"]) == ("CANCELLED", 1)
    assert after["Opening keynote"]["SEQUENCE"] == 0


def test_agenda_ics_hides_drafts_until_published(world):
    with scopes_disabled():
        session_create(
            actor=world.editor, event=world.event, title="Secret draft", start=berlin(3, 9), end=berlin(3, 10)
        )
        session_update(actor=world.editor, session=world.sessions["lunch"], title="Long lunch")

    before = _vevents(_calendar(Client().get(world.url("agenda.ics"))))
    world.publish()
    after = _vevents(_calendar(Client().get(world.url("agenda.ics"))))

    assert "Secret draft" not in before
    assert "Long lunch" not in before
    assert {"Secret draft", "Long lunch"} <= set(after)


def test_agenda_ics_etag_304_until_a_publish(world):
    client = Client()
    etag = client.get(world.url("agenda.ics"))["ETag"]

    unchanged = client.get(world.url("agenda.ics"), HTTP_IF_NONE_MATCH=etag)
    with scopes_disabled():
        session_update(actor=world.editor, session=world.sessions["lunch"], title="Long lunch")
    draft = client.get(world.url("agenda.ics"), HTTP_IF_NONE_MATCH=etag)
    world.publish()
    published = client.get(world.url("agenda.ics"), HTTP_IF_NONE_MATCH=etag)

    assert (unchanged.status_code, draft.status_code, published.status_code) == (304, 304, 200)


def test_agenda_ics_of_a_private_event_is_404_like_missing_for_outsiders():
    world = build_world(visibility="private")

    foreign = Client().get(world.url("agenda.ics"))
    missing = Client().get("/api/v1/events/987654321/agenda.ics")
    participant = client_for(world.attendee).get(world.url("agenda.ics"), HTTP_ACCEPT="text/calendar")

    assert (foreign.status_code, foreign.json()) == (missing.status_code, missing.json()) == (404, NOT_FOUND)
    assert participant.status_code == 200


# --- the private personal feed -------------------------------------------------------------------


def _feed_path(response) -> str:
    return urlsplit(response.json()["url"]).path


def test_personal_feed_serves_my_bookmarks_at_a_private_url_until_revoked(world):
    client = client_for(world.attendee)
    for key in ("async", "day2"):
        client.put(world.url(f"sessions/{world.sessions[key].pk}/bookmark"))

    created = client.post(world.url("calendar-feed"))
    again = client.post(world.url("calendar-feed"))
    shown = client.get(world.url("calendar-feed"))
    path = _feed_path(created)
    feed = _calendar(Client().get(path))  # no login: the URL is the credential
    revoked = client.delete(world.url("calendar-feed"))
    after = Client().get(path)
    renewed = client.post(world.url("calendar-feed"))

    assert created.status_code == 201
    assert again.status_code == shown.status_code == 200
    assert again.json() == shown.json() == created.json()
    assert path.startswith("/calendar/")
    assert path.endswith(".ics")
    assert sorted(_vevents(feed)) == ["Async Django", "Day two keynote"]
    assert _vevents(feed)["Async Django"].decoded("DTSTART") == berlin(1, 10, 15)
    assert revoked.status_code == 204
    assert after.status_code == 404
    assert renewed.status_code == 201
    assert _feed_path(renewed) != path
    assert client.get(world.url("calendar-feed")).json()["url"] == renewed.json()["url"]


def test_personal_feed_follows_bookmarks_and_publishes_with_etags(world):
    client = client_for(world.attendee)
    path = _feed_path(client.post(world.url("calendar-feed")))
    first = Client().get(path)

    unchanged = Client().get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    client.put(world.url(f"sessions/{world.sessions['pandas'].pk}/bookmark"))
    bookmarked = Client().get(path, HTTP_IF_NONE_MATCH=first["ETag"])

    assert _vevents(_calendar(first)) == {}
    assert unchanged.status_code == 304
    assert sorted(_vevents(_calendar(bookmarked))) == ["Pandas tricks"]


@pytest.mark.parametrize("token", ["nothing-here", "x" * 64])
def test_unknown_feed_token_is_404(token):
    assert Client().get(f"/calendar/{token}.ics").status_code == 404


def test_feed_of_a_user_who_may_no_longer_see_the_event_is_404():
    world = build_world(visibility="private")
    client = client_for(world.attendee)
    path = _feed_path(client.post(world.url("calendar-feed")))
    assert Client().get(path).status_code == 200
    with scopes_disabled():
        world.event.participants.filter(user=world.attendee).delete()

    assert Client().get(path).status_code == 404


def test_calendar_feed_needs_login_and_another_users_delete_revokes_only_theirs(world):
    mine = client_for(world.attendee)
    path = _feed_path(mine.post(world.url("calendar-feed")))

    anonymous = Client().post(world.url("calendar-feed"))
    other = client_for(UserFactory()).delete(world.url("calendar-feed"))

    assert anonymous.status_code == 401
    assert other.status_code == 204
    assert Client().get(path).status_code == 200
    with scopes_disabled():
        assert CalendarFeed.objects.filter(revoked_at__isnull=True).count() == 1
