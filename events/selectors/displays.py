"""Door displays: what a display shows (a read of the published agenda only — drafts never reach
a screen), the link a token names, and the event's links for its organizers."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from eventhub import errors
from eventhub.access import reachable

from ..enums import AnnouncementTarget, SessionStatus
from ..models import Announcement, DisplayLink, Event, PublishedSession
from ..tenancy import event_id_for_link_token, event_scope

NEXT_PER_ROOM = 3
ANNOUNCEMENTS_SHOWN = 4
# An announcement older than this is no longer news on a door screen.
ANNOUNCEMENT_AGE = timedelta(hours=12)


@contextmanager
def display_link_scope(*, token: str) -> Iterator[DisplayLink]:
    """Inside the scope of its event, the unrevoked link a token names (with its event and room);
    ``errors.NotFound`` for an unknown or revoked token. A display's URL names only the token, so
    its views run outside a tenant scope until here."""
    event_id = event_id_for_link_token(DisplayLink, token)
    if event_id is None:
        raise errors.NotFound()
    with event_scope(event_id):
        link = DisplayLink.objects.filter(token=token, revoked_at__isnull=True).select_related("event", "room").first()
        if link is None:
            raise errors.NotFound()
        yield link


def display_link_access(
    *, user: Any, event: Event, display_id: int, permission: str = "events.change_agenda"
) -> DisplayLink:
    """A display link of the event, for a user holding ``permission`` on the event."""
    link = DisplayLink.objects.select_related("event").filter(event=event, pk=display_id).first()
    return reachable(link, user=user, permission=permission, target=event)


def event_display_links(*, event: Event) -> list[DisplayLink]:
    """Every link of the event, active ones first, by name."""
    return list(DisplayLink.objects.filter(event=event).select_related("room").order_by("revoked_at", "name"))


@dataclass
class DisplaySlot:
    session: PublishedSession
    start: datetime
    end: datetime

    def as_json(self) -> dict[str, Any]:
        s = self.session
        return {
            "id": s.session_id,
            "title": s.title,
            "kind": s.kind,
            "status": s.status,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "room": s.room.name if s.room else None,
            "track": {"name": s.track.name, "colour": s.track.colour} if s.track else None,
            "speakers": [speaker.name for speaker in s.speakers.all()],
        }


def display_state(*, link: DisplayLink, now: datetime | None = None) -> dict[str, Any]:
    """Now, next, today's delays/moves/cancellations and the latest announcements, from the
    published agenda. Times are in the event's zone."""
    event = link.event
    tz = event.tz
    now = now or timezone.now()
    today = now.astimezone(tz).date()
    sessions = PublishedSession.objects.filter(event=event).select_related("room", "track").prefetch_related("speakers")
    if link.room_id:
        sessions = sessions.filter(room_id=link.room_id)
    day_start = datetime.combine(today, datetime.min.time(), tzinfo=tz)
    # Today's sessions still to end (a door screen has nothing to say about the morning's past).
    upcoming = sessions.filter(end__gt=now, start__lt=day_start + timedelta(days=1)).order_by("start", "session_id")

    def slot(session: PublishedSession) -> DisplaySlot:
        return DisplaySlot(session=session, start=session.start.astimezone(tz), end=session.end.astimezone(tz))

    current, following, changed = [], [], []
    per_room: dict[int | None, int] = {}
    for session in upcoming:
        if session.status in (SessionStatus.DELAYED, SessionStatus.MOVED, SessionStatus.CANCELLED):
            changed.append(slot(session))
        if session.status == SessionStatus.CANCELLED:
            continue
        if session.start <= now:
            current.append(slot(session))
        elif per_room.get(session.room_id, 0) < NEXT_PER_ROOM:
            per_room[session.room_id] = per_room.get(session.room_id, 0) + 1
            following.append(slot(session))
    if not link.room_id:
        # The venue screen shows each room's next session only.
        first_per_room: dict[int | None, DisplaySlot] = {}
        for item in following:
            first_per_room.setdefault(item.session.room_id, item)
        following = list(first_per_room.values())
    for_here = Q(target=AnnouncementTarget.EVERYONE)
    if link.room_id:
        for_here |= Q(target=AnnouncementTarget.SESSION, session__room_id=link.room_id)
    announcements = Announcement.objects.filter(for_here, event=event, created_at__gte=now - ANNOUNCEMENT_AGE)[
        :ANNOUNCEMENTS_SHOWN
    ]
    return {
        "event": {"id": event.pk, "name": event.name, "timezone": event.timezone},
        "display": {"name": link.name, "room": link.room.name if link.room else None},
        "now": current,
        "next": following,
        "changes": changed,
        "announcements": list(announcements),
        "at": now.astimezone(tz),
    }


def display_state_json(state: dict[str, Any]) -> dict[str, Any]:
    return {
        "event": state["event"],
        "display": state["display"],
        "now": [s.as_json() for s in state["now"]],
        "next": [s.as_json() for s in state["next"]],
        "changes": [s.as_json() for s in state["changes"]],
        "announcements": [
            {"id": a.pk, "text": a.text, "priority": a.priority, "created_at": a.created_at.isoformat()}
            for a in state["announcements"]
        ],
        "at": state["at"].isoformat(),
    }
