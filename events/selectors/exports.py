"""What the agenda exports read. The schedule exports (JSON, iCalendar, frab XML) are of the
published agenda — what attendees and the tools reading pretalx's ``schedule.xml`` see — and
are as large as an agenda (hundreds of sessions), so they are built whole; the speakers table
streams like every table export (``eventhub/exports.py``). Call inside the event's scope."""

import uuid
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405 (we write XML, we never parse it)

from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import payloads
from ..models import Event, PublishedSession, Room
from .agenda import agenda_rooms, agenda_speakers, agenda_tracks, event_speakers, published_sessions
from .schedule import agenda_published_version

GENERATOR = "EventHub"


def agenda_sessions(*, event: Event) -> list[PublishedSession]:
    """The published sessions with room, track and speakers loaded (empty before the first
    publish)."""
    if agenda_published_version(event=event) is None:
        return []
    return list(published_sessions(event=event).select_related("room", "track"))


def agenda_json(*, event: Event) -> dict[str, Any]:
    """The published agenda in the API's shapes (``events/payloads.py``)."""
    version = agenda_published_version(event=event)
    sessions = agenda_sessions(event=event)
    return {
        "event": {
            "id": event.pk,
            "name": event.name,
            "slug": event.slug,
            "timezone": event.timezone,
            "start": event.start.astimezone(event.tz).isoformat(),
            "end": event.end.astimezone(event.tz).isoformat(),
        },
        "schedule_version": version,
        "rooms": [payloads.room_payload(room) for room in agenda_rooms(event=event)],
        "tracks": [payloads.track_payload(track) for track in agenda_tracks(event=event)],
        "speakers": [payloads.speaker_payload(speaker) for speaker in agenda_speakers(event=event)],
        "sessions": [payloads.session_payload(session) for session in sessions],
    }


def _duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _guid(kind: str, pk: int) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"eventhub:{kind}:{pk}"))


def _text(parent: ET.Element, tag: str, text: Any = "") -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = "" if text is None else str(text)
    return element


def _frab_session(parent: ET.Element, session: PublishedSession, *, event: Event, room_name: str) -> None:
    tz = event.tz
    start = session.start.astimezone(tz)
    element = ET.SubElement(parent, "event", guid=_guid("session", session.session_id), id=str(session.session_id))
    _text(element, "date", start.isoformat())
    _text(element, "start", f"{start:%H:%M}")
    _text(element, "duration", _duration(session.end - session.start))
    _text(element, "room", room_name)
    _text(element, "slug", f"{event.slug}-{session.session_id}-{slugify(session.title)}"[:100])
    _text(element, "url")
    recording = ET.SubElement(element, "recording")
    _text(recording, "license")
    _text(recording, "optout", "false")
    _text(element, "title", session.title)
    _text(element, "subtitle")
    _text(element, "track", session.track.name if session.track else "")
    _text(element, "type", session.get_kind_display())
    _text(element, "language", session.language)
    _text(element, "abstract", session.abstract)
    _text(element, "description")
    _text(element, "logo")
    persons = ET.SubElement(element, "persons")
    for speaker in sorted(session.speakers.all(), key=lambda s: s.name):
        _text(persons, "person", speaker.name).set("id", str(speaker.pk))
    links = ET.SubElement(element, "links")
    for url, title in ((session.materials_url, _("Materials")), (session.recording_url, _("Recording"))):
        if url:
            _text(links, "link", title).set("href", url)
    _text(element, "attachments")


def agenda_frab_xml(*, event: Event) -> bytes:
    """The published agenda as frab-compatible ``schedule.xml`` (the shape pretalx emits and
    c3voc's tools, Giggity and EventFahrplan read): conference, then one ``day`` per calendar
    day of the event in its zone, one ``room`` per room (sessions without a room last), and one
    ``event`` per session."""
    tz = event.tz
    version = agenda_published_version(event=event)
    sessions = agenda_sessions(event=event)
    rooms: list[Room] = list(agenda_rooms(event=event))
    first, last = event.start.astimezone(tz).date(), event.end.astimezone(tz).date()
    days = (last - first).days + 1
    root = ET.Element("schedule")
    ET.SubElement(root, "generator", name=GENERATOR, version="1")
    _text(root, "version", version or 0)
    conference = ET.SubElement(root, "conference")
    _text(conference, "acronym", event.slug)
    _text(conference, "title", event.name)
    _text(conference, "start", first.isoformat())
    _text(conference, "end", last.isoformat())
    _text(conference, "days", days)
    _text(conference, "timeslot_duration", "00:05")
    _text(conference, "base_url")
    _text(conference, "time_zone_name", event.timezone)
    no_room = _("No room")
    for index in range(days):
        day = first + timedelta(days=index)
        day_start = datetime.combine(day, time(0), tzinfo=tz)
        day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        element = ET.SubElement(
            root,
            "day",
            index=str(index + 1),
            date=day.isoformat(),
            start=day_start.isoformat(),
            end=day_end.isoformat(),
        )
        todays = [s for s in sessions if day_start <= s.start < day_end]
        for room_id, name in [*((room.pk, room.name) for room in rooms), (None, no_room)]:
            in_room = [s for s in todays if s.room_id == room_id]
            if room_id is None and not in_room:
                continue
            room_element = ET.SubElement(element, "room", name=name, guid=_guid("room", room_id or 0))
            for session in in_room:
                _frab_session(room_element, session, event=event, room_name=name)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


SPEAKER_COLUMNS = ["id", "external_id", "name", "company", "job_title", "bio", "account"]


def speakers_rows(*, event: Event) -> Iterator[tuple[Any, ...]]:
    """Every speaker profile of the event (the draft's: organizers export their own data)."""
    return (
        event_speakers(event=event)
        .order_by("name", "id")
        .values_list("id", "external_id", "name", "company", "job_title", "bio", "user__email")
        .iterator(chunk_size=2000)
    )
