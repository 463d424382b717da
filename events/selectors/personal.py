"""Reads of the personal agenda: my bookmarks (with their conflicts) and notes, and the offline
bundle — everything a phone needs for the event, with the stream heads it is current up to."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.db.models import F, QuerySet

from accounts.models import User
from eventhub.realtime.selectors import stream_heads
from eventhub.realtime.streams import event_stream, user_stream

from .. import payloads
from ..enums import SessionStatus
from ..models import Bookmark, Event, PublishedSession, SessionNote
from .agenda import agenda_announcements, agenda_rooms, agenda_speakers, agenda_tracks, published_sessions
from .organizations import event_access
from .schedule import agenda_published_version

T = TypeVar("T")


def bookmarked_sessions(*, event: Event, user: User) -> QuerySet[Bookmark]:
    """The user's bookmarks of this event's published sessions, in agenda order (annotated with
    ``start`` for cursor paging)."""
    return (
        Bookmark.objects.filter(user=user, session__event=event, session__published__isnull=False)
        .select_related("session__published__event")
        .prefetch_related("session__published__speakers")
        .annotate(start=F("session__published__start"))
        .order_by("start", "id")
    )


def bookmark_conflicts(*, event: Event, user: User) -> dict[int, list[int]]:
    """For each bookmarked session, the other bookmarked sessions it overlaps in time (cancelled
    sessions conflict with nothing). Sessions without a conflict map to an empty list."""
    rows = list(
        PublishedSession.objects.filter(event=event, session__bookmarks__user=user)
        .order_by("start", "session_id")
        .values_list("session_id", "start", "end", "status")
    )
    conflicts: dict[int, list[int]] = {session_id: [] for session_id, *_ in rows}
    live = [row for row in rows if row[3] != SessionStatus.CANCELLED]
    for index, (session_id, start, end, _) in enumerate(live):
        for other_id, other_start, other_end, _ in live[index + 1 :]:
            if other_start >= end:
                break  # sorted by start: nothing later overlaps this one
            if other_start < end and other_end > start:
                conflicts[session_id].append(other_id)
                conflicts[other_id].append(session_id)
    return {session_id: sorted(others) for session_id, others in conflicts.items()}


def session_note_get(*, user: User, session_id: int) -> SessionNote | None:
    return SessionNote.objects.filter(user=user, session_id=session_id).first()


# --- the offline bundle -------------------------------------------------------------------------


@contextmanager
def _snapshot() -> Iterator[None]:
    """One snapshot for the heads and the data where the database offers it (PostgreSQL, outside
    another transaction): REPEATABLE READ, read only."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        yield


def agenda_bundle_public(*, event: Event) -> dict[str, Any]:
    """The part of the offline bundle that is the same for every phone: the agenda as the stream
    entries carry it (``event`` is the model instance; the API serializes it). Call inside
    ``agenda_bundle``'s snapshot (its ``public`` argument), which gives it the event row read there."""
    version = agenda_published_version(event=event)
    sessions = list(published_sessions(event=event)) if version is not None else []
    return {
        "event": event,
        "schedule_version": version,
        "rooms": [payloads.room_payload(room) for room in agenda_rooms(event=event)],
        "tracks": [payloads.track_payload(track) for track in agenda_tracks(event=event)],
        "speakers": [payloads.speaker_payload(speaker) for speaker in agenda_speakers(event=event)],
        "sessions": [payloads.session_payload(session) for session in sessions],
        "announcements": [payloads.announcement_payload(item) for item in agenda_announcements(event=event)],
    }


def agenda_bundle(
    *, event: Event, user: User | AnonymousUser | None, public: Callable[[Event, dict[str, int]], T] | None = None
) -> dict[str, Any]:
    """Everything a phone needs for the event, as the JSON the API sends (the same payloads as
    the stream entries), with the stream heads it is current up to: ``agenda_bundle_public``
    plus my ``bookmarks`` and ``notes`` and the ``heads``.

    ``public(event, heads)``, when given, is called inside the snapshot instead of
    ``agenda_bundle_public`` and its result is the ``public`` key (the API keeps the public part
    rendered per event head, the same for every phone: ``events.api.personal``); ``event`` is the
    row read in the snapshot. The public part depends only on what the event stream's head and
    the event row's ``updated_at`` name (every change an attendee can read appends an entry, see
    ``selectors.agenda``), so one rendered at the same head and ``updated_at`` is this one.

    Consistency: the heads are read first, then the data, in one transaction. On PostgreSQL that
    transaction is REPEATABLE READ, so heads and data are one snapshot. Where it cannot be (SQLite,
    or a caller already inside a transaction), reading the heads first still guarantees
    convergence: every change committed before the heads were read is in the data (seqs commit in
    order, so nothing at or below a head is still in flight), and a change committed after has a
    seq above the head, so the client replays it; every entry carries the full new state of what
    it changes (replace by id), so replaying a change the data already shows is harmless."""
    me = user if user is not None and user.is_authenticated else None
    with _snapshot():
        streams = [event_stream(event.pk)] + ([user_stream(me.pk)] if me else [])
        heads = stream_heads(streams=streams)
        # The row as this snapshot sees it (a row version check when the process keeps it).
        event = event_access(user=None, permission=None, event_id=event.pk, stream_head=True)
        bookmarks: list[int] = []
        notes: list[dict[str, Any]] = []
        if me is not None:
            bookmarks = sorted(
                Bookmark.objects.filter(user=me, session__event=event, session__published__isnull=False).values_list(
                    "session_id", flat=True
                )
            )
            notes = [
                {"session": session_id, "text": text}
                for session_id, text in SessionNote.objects.filter(
                    user=me, session__event=event, session__published__isnull=False
                )
                .order_by("session_id")
                .values_list("session_id", "text")
            ]
        shared: dict[str, Any] = (
            {"public": public(event, heads)} if public is not None else agenda_bundle_public(event=event)
        )
        return {**shared, "bookmarks": bookmarks, "notes": notes, "heads": heads}
