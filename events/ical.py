"""The agenda as iCalendar (icalendar 7.3.2), rendered for the API's feeds (``api/calendar.py``)
and the portal's export (``portal/exports.py``): a module in no layer, like ``payloads.py``.
The choices (UIDs, SEQUENCE, DTSTAMP, VTIMEZONE) are in docs/decisions.md, "Agenda"."""

from collections.abc import Iterable
from datetime import UTC, date

import icalendar

from .enums import SessionStatus
from .models import Event, PublishedSession

PRODID = "-//EventHub//Agenda//EN"


def session_uid(session: PublishedSession) -> str:
    return f"session-{session.session_id}@event-{session.event_id}.eventhub"


def _location(session: PublishedSession) -> str | None:
    room = session.room
    if room is None:
        return None
    return f"{room.name} ({room.floor})" if room.floor else room.name


def _vevent(session: PublishedSession, *, event: Event) -> icalendar.Event:
    tz = event.tz
    vevent = icalendar.Event()
    vevent.add("uid", session_uid(session))
    vevent.add("summary", session.title)
    vevent.add("dtstart", session.start.astimezone(tz))
    vevent.add("dtend", session.end.astimezone(tz))
    # No METHOD: DTSTAMP is when the information was last revised (RFC 5545 3.8.7.2), which keeps
    # the feed byte-identical between publishes (ETags stay valid).
    vevent.add("dtstamp", session.last_modified.astimezone(UTC))
    vevent.add("last-modified", session.last_modified.astimezone(UTC))
    vevent.add("sequence", session.sequence)
    vevent.add("status", "CANCELLED" if session.status == SessionStatus.CANCELLED else "CONFIRMED")
    speakers = sorted(speaker.name for speaker in session.speakers.all())
    description = "\n\n".join(part for part in (", ".join(speakers), session.abstract) if part)
    if description:
        vevent.add("description", description)
    location = _location(session)
    if location:
        vevent.add("location", location)
    if session.track is not None:
        vevent.add("categories", [session.track.name])
    if session.recording_url:
        vevent.add("url", session.recording_url)
    return vevent


def agenda_calendar(*, event: Event, sessions: Iterable[PublishedSession], name: str) -> bytes:
    """The sessions as one VCALENDAR (bytes, CRLF lines). ``sessions`` should have ``room``,
    ``track`` and ``speakers`` loaded."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", event.timezone)
    for session in sessions:
        calendar.add_component(_vevent(session, event=event))
    # The VTIMEZONE covers the event's whole years, so it has both its standard and summer rules.
    first = date(event.start.astimezone(event.tz).year, 1, 1)
    last = date(event.end.astimezone(event.tz).year + 1, 1, 1)
    calendar.add_missing_timezones(first_date=first, last_date=last)
    if not calendar.timezones:  # an event without sessions still names its zone
        calendar.add_component(icalendar.Timezone.from_tzid(event.timezone, first_date=first, last_date=last))
    return calendar.to_ical()
