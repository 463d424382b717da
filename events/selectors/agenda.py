"""Attendee reads of the agenda. Attendees only ever read the published copy (``PublishedSession``
and the schedule versions); drafts are invisible until ``schedule_publish``.

Rooms, tracks and speakers take effect at once for organizers, but reach phones only once an
agenda is out (``services.agenda._announce`` streams their changes from the first publish on).
The reads below follow the same rule, so that everything an attendee can read is covered by the
event stream: a published change always appends an entry, which is what makes the stream head a
correct and cheap ETag (``agenda_etag``) and what lets a phone keep an offline bundle current with
the stream alone (``selectors.personal.agenda_bundle``).

Call inside the tenant scope (the middleware enters it from ``event_id``)."""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Count, Min, Q, QuerySet

from accounts.models import User
from eventhub import errors
from eventhub.access import reachable
from eventhub.realtime.selectors import stream_heads
from eventhub.realtime.streams import event_stream, user_stream

from ..enums import SessionStatus
from ..models import Announcement, Event, PublishedSession, Room, Session, Speaker, Track
from .schedule import agenda_is_out

# Bump when the JSON shape of an agenda read changes, so no client keeps an old body on a 304.
ETAG_FORMAT = "agenda-1"


# --- sessions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaFilters:
    day: date | None = None
    """Sessions starting on this calendar day in the event's zone."""
    track: int | None = None
    room: int | None = None
    speaker: int | None = None
    tag: str | None = None
    q: str | None = None
    """Free text, case-insensitive, over title, abstract and speaker names."""


def _day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return start, end


def _speaker_links() -> Any:
    return PublishedSession.speakers.through.objects


def published_sessions(*, event: Event, filters: AgendaFilters | None = None) -> QuerySet[PublishedSession]:
    """The published agenda in agenda order, cancelled sessions included (phones show them struck
    through), with what ``SessionPayload`` needs prefetched."""
    sessions = (
        PublishedSession.objects.filter(event=event)
        .select_related("event")
        .prefetch_related("speakers")
        .order_by("start", "session_id")
    )
    if filters is None:
        return sessions
    if filters.day is not None:
        start, end = _day_bounds(filters.day, event.tz)
        sessions = sessions.filter(start__gte=start, start__lt=end)
    if filters.track is not None:
        sessions = sessions.filter(track_id=filters.track)
    if filters.room is not None:
        sessions = sessions.filter(room_id=filters.room)
    if filters.speaker is not None:
        sessions = sessions.filter(
            session_id__in=_speaker_links().filter(speaker_id=filters.speaker).values("publishedsession_id")
        )
    if filters.tag:
        if connection.vendor == "postgresql":
            sessions = sessions.filter(tags__contains=[filters.tag])
        else:  # SQLite (the embedded demo) has no JSON containment; the agenda is small
            tagged = [
                pk
                for pk, tags in PublishedSession.objects.filter(event=event).values_list("session_id", "tags")
                if filters.tag in (tags or [])
            ]
            sessions = sessions.filter(session_id__in=tagged)
    if filters.q:
        named = _speaker_links().filter(speaker__name__icontains=filters.q).values("publishedsession_id")
        sessions = sessions.filter(
            Q(title__icontains=filters.q) | Q(abstract__icontains=filters.q) | Q(session_id__in=named)
        )
    return sessions


def published_session_access(
    *, user: Any, event: Event, session_id: int, permission: str = "events.view_event"
) -> PublishedSession:
    """A published session of the event, with its room and track (``errors.NotFound`` as for a
    missing id when there is none or the user lacks ``permission`` on the event)."""
    session = published_sessions(event=event).select_related("room", "track").filter(session_id=session_id).first()
    return reachable(session, user=user, permission=permission, target=event)


@dataclass(frozen=True)
class NowNext:
    now: list[PublishedSession]
    """Sessions running at ``at`` (not cancelled), in agenda order."""
    next: list[PublishedSession]
    """Per room (sessions without a room count as one room), the first session starting after
    ``at`` (not cancelled), ordered by start."""
    until: datetime | None
    """When this answer changes next without any publish: the next start or end after ``at``."""


def agenda_next_transition(*, event: Event, at: datetime) -> datetime | None:
    """The first start or end of a running-or-upcoming published session after ``at``."""
    bounds = (
        PublishedSession.objects.filter(event=event)
        .exclude(status=SessionStatus.CANCELLED)
        .aggregate(start=Min("start", filter=Q(start__gt=at)), end=Min("end", filter=Q(end__gt=at)))
    )
    candidates = [value for value in (bounds["start"], bounds["end"]) if value is not None]
    return min(candidates) if candidates else None


def agenda_now_next(*, event: Event, at: datetime) -> NowNext:
    live = published_sessions(event=event).exclude(status=SessionStatus.CANCELLED)
    running = list(live.filter(start__lte=at, end__gt=at))
    upcoming = live.filter(start__gt=at)
    # The first upcoming session of each room: DISTINCT ON would be Postgres-only; one query for
    # the first start per room, then the sessions starting then.
    firsts = upcoming.order_by().values("room_id").annotate(first=Min("start"))
    wanted = Q()
    for row in firsts:
        wanted |= (
            Q(room_id=row["room_id"], start=row["first"])
            if row["room_id"]
            else Q(room__isnull=True, start=row["first"])
        )
    following: list[PublishedSession] = []
    if firsts:
        seen: set[int | None] = set()
        for session in upcoming.filter(wanted).order_by("start", "session_id"):
            if session.room_id not in seen:  # two sessions starting at once without a room
                seen.add(session.room_id)
                following.append(session)
    return NowNext(now=running, next=following, until=agenda_next_transition(event=event, at=at))


# --- rooms, tracks, speakers --------------------------------------------------------------------


def agenda_rooms(*, event: Event) -> QuerySet[Room]:
    if not agenda_is_out(event=event):
        return Room.objects.none()
    return Room.objects.filter(event=event).order_by("position", "name", "id")


def agenda_tracks(*, event: Event) -> QuerySet[Track]:
    if not agenda_is_out(event=event):
        return Track.objects.none()
    return Track.objects.filter(event=event).order_by("position", "name", "id")


def agenda_speakers(*, event: Event) -> QuerySet[Speaker]:
    if not agenda_is_out(event=event):
        return Speaker.objects.none()
    return Speaker.objects.filter(event=event).order_by("name", "id")


def speaker_access(
    *, user: Any, event: Event, speaker_id: int, permission: str = "events.change_agenda", published: bool = False
) -> Speaker:
    """A speaker of the event (with the linked account), for a user holding ``permission`` on the
    event; ``published``: as attendees see speakers, only once the agenda is out."""
    speakers = agenda_speakers(event=event) if published else Speaker.objects.filter(event=event)
    speaker = speakers.select_related("user").filter(pk=speaker_id).first()
    return reachable(speaker, user=user, permission=permission, target=event)


def speaker_session_ids(*, speaker: Speaker) -> list[int]:
    """The published sessions a speaker appears in, in agenda order."""
    return list(
        PublishedSession.objects.filter(event_id=speaker.event_id, speakers=speaker)
        .order_by("start", "session_id")
        .values_list("session_id", flat=True)
    )


def speaker_own_access(*, user: Any, event: Event) -> Speaker:
    """The speaker profile linked to the user's account in this event (visible to them before the
    agenda is out); ``errors.NotFound`` if they have none."""
    speaker = Speaker.objects.filter(event=event, user=user).first() if user.is_authenticated else None
    if speaker is None:
        raise errors.NotFound()
    return speaker


def agenda_announcements(*, event: Event) -> QuerySet[Announcement]:
    return Announcement.objects.filter(event=event).select_related("event").order_by("-created_at", "-id")


# --- the organizers' agenda: drafts and reference data as they are now -----------------------------


def session_access(*, user: Any, event: Event, session_id: int, permission: str = "events.change_agenda") -> Session:
    """A draft session of the event (with its room and track), for a user holding ``permission``
    on the event."""
    session = Session.objects.select_related("event", "room", "track").filter(event=event, pk=session_id).first()
    return reachable(session, user=user, permission=permission, target=event)


def session_published_copy(*, session: Session) -> PublishedSession | None:
    """What attendees see of a draft session (None before its first publish)."""
    return PublishedSession.objects.filter(pk=session.pk).select_related("room").first()


def room_access(*, user: Any, event: Event, room_id: int, permission: str = "events.change_agenda") -> Room:
    room = Room.objects.filter(event=event, pk=room_id).first()
    return reachable(room, user=user, permission=permission, target=event)


def track_access(*, user: Any, event: Event, track_id: int, permission: str = "events.change_agenda") -> Track:
    track = Track.objects.filter(event=event, pk=track_id).first()
    return reachable(track, user=user, permission=permission, target=event)


def event_rooms(*, event: Event) -> QuerySet[Room]:
    """Every room of the event in the organizers' order (``agenda_rooms`` is what attendees see)."""
    return Room.objects.filter(event=event)


def event_has_room(*, event: Event, room_id: int) -> bool:
    return Room.objects.filter(event=event, pk=room_id).exists()


def event_tracks(*, event: Event) -> QuerySet[Track]:
    return Track.objects.filter(event=event)


def event_speakers(*, event: Event) -> QuerySet[Speaker]:
    return Speaker.objects.filter(event=event)


def event_sessions(*, event: Event) -> QuerySet[Session]:
    """Every draft session of the event (with the event, for its zone)."""
    return Session.objects.filter(event=event).select_related("event")


def _draft_counts_by(event: Event, column: str) -> dict[int, int]:
    """Draft sessions per room or track (their foreign keys have no reverse accessor)."""
    rows = Session.objects.filter(event=event).order_by().values(column).annotate(n=Count("id"))
    return {row[column]: row["n"] for row in rows if row[column] is not None}


def event_rooms_with_session_counts(*, event: Event) -> list[tuple[Room, int]]:
    counts = _draft_counts_by(event, "room_id")
    return [(room, counts.get(room.pk, 0)) for room in event_rooms(event=event)]


def event_tracks_with_session_counts(*, event: Event) -> list[tuple[Track, int]]:
    counts = _draft_counts_by(event, "track_id")
    return [(track, counts.get(track.pk, 0)) for track in event_tracks(event=event)]


def event_speakers_with_session_counts(*, event: Event) -> QuerySet[Speaker]:
    """By name, with their linked account and ``session_count`` (draft sessions)."""
    return (
        Speaker.objects.filter(event=event)
        .select_related("user")
        .annotate(session_count=Count("sessions", distinct=True))
        .order_by("name", "id")
    )


def event_announcements(*, event: Event, limit: int = 100) -> list[Announcement]:
    """The latest announcements with their author and target, newest first."""
    return list(Announcement.objects.filter(event=event).select_related("author", "track", "session")[:limit])


# --- ETags ----------------------------------------------------------------------------------------


def agenda_etag(
    *, event: Event, user: User | AnonymousUser | None, key: Iterable[str], heads: dict[str, int] | None = None
) -> str:
    """A strong ETag for an attendee read, computed without rendering it: the event stream's head
    (every published change, announcement and reference-data change appends an entry there; draft
    edits do not), the user's stream head for personal reads (``user``; bookmarks and notes append
    there), the event row's ``updated_at`` (its zone renders every time) and ``key`` (the request's
    path and query, the encoding, anything else the body depends on). ``heads`` gives the heads a
    body was read at instead of reading the current ones (the offline bundle)."""
    if heads is None and (user is None or not user.is_authenticated) and hasattr(event, "stream_head"):
        heads = {event_stream(event.pk): event.stream_head}
    if heads is None:
        streams = [event_stream(event.pk)]
        if user is not None and user.is_authenticated:
            streams.append(user_stream(user.pk))
        heads = stream_heads(streams=streams)
    parts = [ETAG_FORMAT, event.updated_at.isoformat(), *(f"{name}@{seq}" for name, seq in heads.items()), *key]
    return '"' + hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40] + '"'


def draft_session_search(
    *,
    event: Event,
    query: str = "",
    day: date | None = None,
    room_id: int | None = None,
    track_id: int | None = None,
    status: str = "",
    unscheduled: bool = False,
) -> QuerySet[Session]:
    """The draft sessions of the organizers' sessions list: ``query`` matches the title or a
    speaker's name; ``day`` is a day in the event's zone; ``unscheduled`` keeps those with no
    room (the grid's tray). Agenda order, with what the list shows."""
    sessions = Session.objects.filter(event=event)
    if query:
        sessions = sessions.filter(Q(title__icontains=query) | Q(speakers__name__icontains=query)).distinct()
    if day is not None:
        start, end = _day_bounds(day, event.tz)
        sessions = sessions.filter(start__gte=start, start__lt=end)
    if room_id is not None:
        sessions = sessions.filter(room_id=room_id)
    if track_id is not None:
        sessions = sessions.filter(track_id=track_id)
    if status:
        sessions = sessions.filter(status=status)
    if unscheduled:
        sessions = sessions.filter(room__isnull=True)
    return sessions.select_related("event", "room", "track").prefetch_related("speakers").order_by("start", "id")
