"""Reads of the schedule: the published versions (the public changelog) and the organizers'
pending changes (the diff a publish would make). Attendees only ever read the published copy."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from eventhub.access import reachable

from ..enums import SessionStatus
from ..models import SESSION_FIELDS, Event, PublishedSession, Room, ScheduleVersion, Session, Track


def agenda_published_version(*, event: Event) -> int | None:
    """The number of the latest published schedule version, or None before the first publish."""
    return ScheduleVersion.objects.filter(event=event).order_by("-number").values_list("number", flat=True).first()


def agenda_is_out(*, event: Event) -> bool:
    return ScheduleVersion.objects.filter(event=event).exists()


def schedule_versions(*, event: Event) -> QuerySet[ScheduleVersion]:
    """Newest first, with who published each."""
    return ScheduleVersion.objects.filter(event=event).select_related("event", "published_by").order_by("-number")


def schedule_version_access(
    *, user: Any, event: Event, number: int, permission: str = "events.view_event"
) -> ScheduleVersion:
    """A published version of the event's schedule by its number (``errors.NotFound`` as for a
    missing number when there is none or the user lacks ``permission`` on the event)."""
    version = schedule_versions(event=event).filter(number=number).first()
    return reachable(version, user=user, permission=permission, target=event)


def schedule_latest_version(*, event: Event) -> ScheduleVersion | None:
    return ScheduleVersion.objects.filter(event=event).order_by("-number").first()


_TIME_KEYS = frozenset({"start", "end"})


def version_changes_in_zone(*, changes: Any, tz: ZoneInfo) -> Any:
    """A stored diff (times as ISO strings in the event's zone at publish time) with every start
    and end rendered in ``tz``."""
    if isinstance(changes, list):
        return [version_changes_in_zone(changes=item, tz=tz) for item in changes]
    if not isinstance(changes, dict):
        return changes
    result: dict[str, Any] = {}
    for key, value in changes.items():
        if key in _TIME_KEYS and isinstance(value, str):
            result[key] = datetime.fromisoformat(value).astimezone(tz).isoformat()
        elif key in _TIME_KEYS and isinstance(value, dict):
            result[key] = {
                side: datetime.fromisoformat(instant).astimezone(tz).isoformat()
                if isinstance(instant, str)
                else instant
                for side, instant in value.items()
            }
        else:
            result[key] = version_changes_in_zone(changes=value, tz=tz)
    return result


def schedule_draft_sessions(*, event: Event, start: datetime, end: datetime) -> list[Session]:
    """The draft sessions starting in [start, end) in agenda order, with what the grid shows of
    them (room, track, speakers)."""
    return list(
        Session.objects.filter(event=event, start__gte=start, start__lt=end)
        .select_related("room", "track")
        .prefetch_related("speakers")
        .order_by("start", "id")
    )


# --- pending changes (the draft against the published agenda) ----------------------------------


def _field_values(session: Session | PublishedSession, speaker_ids: list[int]) -> dict[str, Any]:
    values = {name: getattr(session, name) for name in SESSION_FIELDS if name not in ("room", "track")}
    values["room"] = session.room_id
    values["track"] = session.track_id
    values["speakers"] = speaker_ids
    return values


def _change_kind(old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    if old is None:
        return "new"
    if new["status"] == SessionStatus.CANCELLED and old["status"] != SessionStatus.CANCELLED:
        return "cancelled"
    if old["status"] == SessionStatus.CANCELLED and new["status"] != SessionStatus.CANCELLED:
        return "restored"
    if new["room"] != old["room"] or (new["start"] < old["start"]):
        return "moved"
    if new["start"] > old["start"] or new["end"] != old["end"]:
        return "delayed"
    return "updated"


def _json_value(name: str, value: Any, *, event: Event, rooms: dict[int, Room], tracks: dict[int, Track]) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(event.tz).isoformat()
    if name == "room":
        return {"id": value, "name": rooms[value].name}
    if name == "track":
        return {"id": value, "name": tracks[value].name}
    return value


def schedule_pending_changes(*, event: Event) -> list[dict[str, Any]]:
    """The structured diff of the draft against the published agenda, in agenda order: one item
    per changed session with its kind (new, moved, delayed, cancelled, restored, updated), the
    changed fields with old and new values, and the session's time and room before and after."""
    rooms = {room.pk: room for room in Room.objects.filter(event=event)}
    tracks = {track.pk: track for track in Track.objects.filter(event=event)}
    drafts = Session.objects.filter(event=event).prefetch_related("speakers").order_by("start", "id")
    published = {p.pk: p for p in PublishedSession.objects.filter(event=event).prefetch_related("speakers")}
    changes = []
    for draft in drafts:
        new = _field_values(draft, sorted(s.pk for s in draft.speakers.all()))
        copy = published.get(draft.pk)
        old = _field_values(copy, sorted(s.pk for s in copy.speakers.all())) if copy else None
        fields = {
            name: {
                "old": _json_value(name, old[name], event=event, rooms=rooms, tracks=tracks) if old else None,
                "new": _json_value(name, value, event=event, rooms=rooms, tracks=tracks),
            }
            for name, value in new.items()
            if old is None or old[name] != value
        }
        if not fields:
            continue

        def place(values: dict[str, Any] | None) -> dict[str, Any] | None:
            if values is None:
                return None
            return {
                name: _json_value(name, values[name], event=event, rooms=rooms, tracks=tracks)
                for name in ("start", "end", "room")
            }

        changes.append(
            {
                "session": draft.pk,
                "title": draft.title,
                "change": _change_kind(old, new),
                "fields": fields,
                "old": place(old),
                "new": place(new),
            }
        )
    return changes


@dataclass(frozen=True)
class AgendaProblem:
    """One rule a draft session breaks: ``kind`` is ``outside``, ``room`` or ``speaker``."""

    session: Session
    kind: str
    message: str


def agenda_problems(*, event: Event) -> list[AgendaProblem]:
    """Every conflict of the draft as a whole (the rules ``session_create``/``session_update``
    check one session at a time): sessions outside the event's hours, rooms booked twice,
    speakers in two places. A change of the event itself (its hours, its time zone) can leave
    such conflicts behind; ``schedule_publish`` refuses to publish while any remains. Cancelled
    sessions take part in none."""
    tz = event.tz
    sessions = list(
        Session.objects.filter(event=event)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("room")
        .prefetch_related("speakers")
        .order_by("start", "pk")
    )
    problems: list[AgendaProblem] = []
    for session in sessions:
        if session.start < event.start or session.end > event.end:
            problems.append(
                AgendaProblem(
                    session,
                    "outside",
                    _("“%(title)s” (%(when)s) lies outside the event's hours.")
                    % {"title": session.title, "when": f"{session.start.astimezone(tz):%a %H:%M}"},
                )
            )
    for index, first in enumerate(sessions):
        for second in sessions[index + 1 :]:
            if second.start >= first.end:
                break  # ordered by start: nothing later overlaps ``first``
            if first.room_id is not None and first.room_id == second.room_id:
                problems.append(
                    AgendaProblem(
                        second,
                        "room",
                        _("%(room)s is booked twice: “%(first)s” and “%(second)s”.")
                        % {"room": first.room.name if first.room else "", "first": first.title, "second": second.title},
                    )
                )
            shared = {s.pk: s.name for s in first.speakers.all()}.keys() & {s.pk for s in second.speakers.all()}
            for speaker in (s for s in first.speakers.all() if s.pk in shared):
                problems.append(
                    AgendaProblem(
                        second,
                        "speaker",
                        _("%(speaker)s speaks in two places: “%(first)s” and “%(second)s”.")
                        % {"speaker": speaker.name, "first": first.title, "second": second.title},
                    )
                )
    return problems
