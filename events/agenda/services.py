"""Agenda writes. Organizers edit sessions as a draft (``Session``); ``schedule_publish`` freezes
the draft into the next numbered ``ScheduleVersion`` and the attendee copy (``PublishedSession``)
in one transaction, appending a stream entry per changed session. Rooms, tracks, speakers and
announcements take effect at once.

Every agenda write of an event first locks the event row: checks for double bookings and the
publish diff then see a stable agenda, and two organizers cannot book one room concurrently."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from eventhub import errors
from eventhub.audit import audit_log, diff, snapshot
from eventhub.realtime.services import stream_append, stream_append_many
from eventhub.realtime.streams import event_stream, user_stream

from ..enums import AnnouncementTarget, SessionStatus
from ..models import (
    Announcement,
    Bookmark,
    Event,
    PublishedSession,
    Room,
    ScheduleVersion,
    Session,
    SessionNote,
    Speaker,
    Track,
)
from . import payloads

SESSION_FIELDS = [
    "title",
    "abstract",
    "kind",
    "start",
    "end",
    "room",
    "track",
    "capacity",
    "tags",
    "language",
    "materials_url",
    "recording_url",
    "status",
]
EDITABLE_SESSION_FIELDS = [name for name in SESSION_FIELDS if name != "status"]
ROOM_FIELDS = ["name", "capacity", "floor", "accessibility_notes", "position"]
TRACK_FIELDS = ["name", "colour", "position"]
SPEAKER_FIELDS = ["name", "bio", "company", "job_title", "links", "user"]
SPEAKER_SELF_FIELDS = ["name", "bio", "company", "job_title", "links"]

NOTHING_TO_PUBLISH = "There are no unpublished changes."
ROOM_DOUBLE_BOOKED = "{room} is already booked then: {titles}."
SPEAKER_DOUBLE_BOOKED = "{speaker} speaks elsewhere then: {titles}."
OUTSIDE_EVENT = "Sessions must lie within the event ({start} – {end})."


def _require(user: User | None, permission: str, obj: Any) -> None:
    if user is None or not user.has_perm(permission, obj):
        raise PermissionDenied(permission)


def _lock_agenda(event: Event) -> Event:
    return Event.objects.select_for_update().get(pk=event.pk)


def _audit(actor: User | None, event: Event, action: str, obj: Any, changes: dict[str, Any] | None = None) -> None:
    audit_log(
        actor=actor, organization_id=event.organization_id, event_id=event.pk, action=action, obj=obj, changes=changes
    )


def _has_published(event: Event) -> bool:
    return ScheduleVersion.objects.filter(event=event).exists()


# --- sessions (draft) ----------------------------------------------------------------------


def _titles(sessions: Iterable[Session]) -> str:
    return ", ".join(f"“{s.title}” {s.start.astimezone(s.event.tz):%a %H:%M}" for s in sessions)


def _check_session(session: Session, speakers: list[Speaker]) -> None:
    """Field validation plus the agenda's conflict rules; raises one ValidationError with every
    problem, keyed by form field."""
    session.full_clean(exclude=["event", "room", "track"])
    event = session.event
    errors: dict[str, list[str]] = {}
    room, track = session.room, session.track
    if room is not None and room.event_id != event.pk:
        errors.setdefault("room", []).append("Choose a room of this event.")
    if track is not None and track.event_id != event.pk:
        errors.setdefault("track", []).append("Choose a track of this event.")
    if any(speaker.event_id != event.pk for speaker in speakers):
        errors.setdefault("speakers", []).append("Choose speakers of this event.")
    if session.start < event.start or session.end > event.end:
        tz = event.tz
        errors.setdefault("start", []).append(
            OUTSIDE_EVENT.format(
                start=f"{event.start.astimezone(tz):%Y-%m-%d %H:%M}", end=f"{event.end.astimezone(tz):%Y-%m-%d %H:%M}"
            )
        )
    if session.status != SessionStatus.CANCELLED and not errors:
        overlapping = (
            Session.objects.filter(event=event, start__lt=session.end, end__gt=session.start)
            .exclude(pk=session.pk)
            .exclude(status=SessionStatus.CANCELLED)
            .select_related("event")
        )
        if room is not None:
            booked = list(overlapping.filter(room=room))
            if booked:
                errors.setdefault("room", []).append(ROOM_DOUBLE_BOOKED.format(room=room.name, titles=_titles(booked)))
        for speaker in speakers:
            elsewhere = list(overlapping.filter(speakers=speaker))
            if elsewhere:
                errors.setdefault("speakers", []).append(
                    SPEAKER_DOUBLE_BOOKED.format(speaker=speaker.name, titles=_titles(elsewhere))
                )
    if errors:
        raise ValidationError(errors)


def _timing_status(session: Session) -> str:
    """The status a timing edit gives a published session: delayed when it only starts later in
    the same room, moved otherwise, scheduled again when it is back where it was published."""
    if session.status == SessionStatus.CANCELLED:
        return session.status
    published = PublishedSession.objects.filter(pk=session.pk).first()
    if published is None:
        return SessionStatus.SCHEDULED
    if (session.start, session.end, session.room_id) == (published.start, published.end, published.room_id):
        return published.status if published.status != SessionStatus.CANCELLED else SessionStatus.SCHEDULED
    if session.room_id == published.room_id and session.start > published.start:
        return SessionStatus.DELAYED
    return SessionStatus.MOVED


@transaction.atomic
def session_create(*, actor: User, event: Event, speakers: Iterable[Speaker] = (), **fields: Any) -> Session:
    _require(actor, "events.change_agenda", event)
    event = _lock_agenda(event)
    speakers = list(speakers)
    session = Session(event=event, **{name: value for name, value in fields.items() if name in EDITABLE_SESSION_FIELDS})
    _check_session(session, speakers)
    session.save()
    session.speakers.set(speakers)
    _audit(actor, event, "session.created", session, {"after": snapshot(session, SESSION_FIELDS)})
    return session


@transaction.atomic
def session_update(
    *, actor: User, session: Session, speakers: Iterable[Speaker] | None = None, **fields: Any
) -> Session:
    """Change a session's draft. Timing changes of a published session set its status to moved
    or delayed. Nothing reaches attendees until ``schedule_publish``."""
    _require(actor, "events.change_agenda", session.event)
    event = _lock_agenda(session.event)
    session = Session.objects.select_related("event").get(pk=session.pk, event=event)
    before = snapshot(session, SESSION_FIELDS)
    for name, value in fields.items():
        if name not in EDITABLE_SESSION_FIELDS:
            raise ValidationError({name: "This field cannot be changed here."})
        setattr(session, name, value)
    session.status = _timing_status(session)
    speaker_list = list(session.speakers.all()) if speakers is None else list(speakers)
    _check_session(session, speaker_list)
    session.save()
    if speakers is not None:
        session.speakers.set(speaker_list)
    _audit(actor, event, "session.updated", session, diff(before, snapshot(session, SESSION_FIELDS)))
    return session


@transaction.atomic
def session_delay(*, actor: User, session: Session, minutes: int, cascade: bool = False) -> list[Session]:
    """Shift a session by ``minutes`` and, with ``cascade``, every later session of the same day in
    the same room by as much. All or nothing: one conflict refuses the whole shift."""
    _require(actor, "events.change_agenda", session.event)
    if not -240 <= minutes <= 240 or minutes == 0:
        raise ValidationError({"minutes": "Delay by 1 to 240 minutes (negative to bring forward)."})
    event = _lock_agenda(session.event)
    session = Session.objects.select_related("event").get(pk=session.pk, event=event)
    shifted = [session]
    if cascade and session.room_id:
        day = session.start.astimezone(event.tz).date()
        later = (
            Session.objects.select_related("event", "room")
            .filter(event=event, room_id=session.room_id, start__gte=session.end if minutes > 0 else session.start)
            .exclude(pk=session.pk)
            .exclude(status=SessionStatus.CANCELLED)
            .order_by("start")
        )
        shifted += [s for s in later if s.start.astimezone(event.tz).date() == day and s.start >= session.start]
    delta = timedelta(minutes=minutes)
    # Move the last first (when delaying) so no shifted session meets its own old neighbour.
    order = list(reversed(shifted)) if minutes > 0 else shifted
    for item in order:
        item.start += delta
        item.end += delta
        item.status = _timing_status(item)
        _check_session(item, list(item.speakers.all()))
        item.save()
    _audit(
        actor,
        event,
        "session.delayed",
        session,
        {"minutes": minutes, "cascade": cascade, "sessions": [item.pk for item in shifted]},
    )
    return shifted


def _set_cancelled(*, actor: User, session: Session, cancelled: bool) -> Session:
    _require(actor, "events.change_agenda", session.event)
    event = _lock_agenda(session.event)
    session = Session.objects.select_related("event").get(pk=session.pk, event=event)
    if cancelled:
        session.status = SessionStatus.CANCELLED
    else:
        session.status = SessionStatus.SCHEDULED
        session.status = _timing_status(session)
        _check_session(session, list(session.speakers.all()))
    session.save(update_fields=["status", "updated_at"])
    _audit(actor, event, "session.cancelled" if cancelled else "session.restored", session)
    return session


@transaction.atomic
def session_cancel(*, actor: User, session: Session) -> Session:
    return _set_cancelled(actor=actor, session=session, cancelled=True)


@transaction.atomic
def session_restore(*, actor: User, session: Session) -> Session:
    """Undo a cancellation; refused if its room or speakers have been booked meanwhile."""
    return _set_cancelled(actor=actor, session=session, cancelled=False)


@transaction.atomic
def session_delete(*, actor: User, session: Session) -> None:
    """Delete a session that was never published; a published one can only be cancelled (phones
    and calendars hold it)."""
    _require(actor, "events.change_agenda", session.event)
    event = _lock_agenda(session.event)
    if PublishedSession.objects.filter(pk=session.pk).exists():
        raise ValidationError("This session has been published: cancel it instead.")
    _audit(actor, event, "session.deleted", session, {"before": snapshot(session, SESSION_FIELDS)})
    session.delete()


# --- publishing ------------------------------------------------------------------------------


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


def change_message(change: dict[str, Any]) -> str:
    """One line for a phone's notification: "Room changed: X now in Hall B"."""
    title, new, old = change["title"], change["new"], change["old"]
    room = (new.get("room") or {}).get("name", "no room")
    time = datetime.fromisoformat(new["start"]).strftime("%a %H:%M")
    kind = change["change"]
    if kind == "cancelled":
        return f"Cancelled: {title}"
    if kind == "restored":
        return f"Back on: {title} at {time} in {room}"
    if kind == "delayed":
        return f"Delayed: {title} now starts {time}"
    if kind == "moved":
        if old and old.get("room") != new.get("room"):
            return f"Room changed: {title} now in {room}"
        return f"Moved: {title} now {time} in {room}"
    return f"Updated: {title}"


ENTRY_TYPES = {"new": "session.created", "cancelled": "session.cancelled"}


@transaction.atomic
def schedule_publish(*, actor: User, event: Event, comment: str = "") -> ScheduleVersion:
    """Freeze the draft into the next schedule version. In one transaction: the version with its
    diff, the attendee copies, one event-stream entry per changed session (``session.created``,
    ``session.updated`` with old values, ``session.cancelled``), a ``user:`` entry for everyone who
    bookmarked a changed session and for its speakers, then ``schedule.published``. Entries of one
    publish form one contiguous seq range."""
    _require(actor, "events.change_agenda", event)
    event = _lock_agenda(event)
    changes = schedule_pending_changes(event=event)
    if not changes:
        raise ValidationError(NOTHING_TO_PUBLISH)
    now = timezone.now()
    last = ScheduleVersion.objects.filter(event=event).order_by("-number").values_list("number", flat=True).first()
    version = ScheduleVersion.objects.create(
        event=event, number=(last or 0) + 1, published_at=now, published_by=actor, comment=comment, changes=changes
    )
    drafts = {
        s.pk: s for s in Session.objects.filter(pk__in=[c["session"] for c in changes]).prefetch_related("speakers")
    }
    for change in changes:
        draft = drafts[change["session"]]
        copy, created = PublishedSession.objects.update_or_create(
            session=draft,
            defaults={
                "event": event,
                **{name: getattr(draft, name) for name in SESSION_FIELDS},
                "version": version.number,
                "last_modified": now,
            },
        )
        if not created:
            copy.sequence += 1
            copy.save(update_fields=["sequence"])
        copy.speakers.set(draft.speakers.all())
        copy = PublishedSession.objects.select_related("event").prefetch_related("speakers").get(pk=copy.pk)
        data: dict[str, Any] = {"session": payloads.session_payload(copy), "version": version.number}
        if change["change"] != "new":
            data["changes"] = change["fields"]
        stream_append(
            stream=event_stream(event.pk), type=ENTRY_TYPES.get(change["change"], "session.updated"), data=data
        )
    _notify_people(event=event, version=version, changes=changes, drafts=drafts)
    stream_append(
        stream=event_stream(event.pk),
        type="schedule.published",
        data={"version": version.number, "published_at": now.astimezone(event.tz).isoformat(), "changes": len(changes)},
    )
    _audit(actor, event, "schedule.published", version, {"version": version.number, "changes": len(changes)})
    return version


def _notify_people(
    *, event: Event, version: ScheduleVersion, changes: list[dict[str, Any]], drafts: dict[int, Session]
) -> None:
    """Bookmarkers and speakers of each changed (not new) session get a ``user:`` entry."""
    changed = [change for change in changes if change["change"] != "new"]
    if not changed:
        return
    bookmarkers: dict[int, list[int]] = {}
    for session_id, user_id in Bookmark.objects.filter(session_id__in=[c["session"] for c in changed]).values_list(
        "session_id", "user_id"
    ):
        bookmarkers.setdefault(session_id, []).append(user_id)
    entries = []
    for change in changed:
        message = change_message(change)
        speakers = {s.user_id for s in drafts[change["session"]].speakers.all() if s.user_id}
        recipients = [(user_id, "agenda.changed") for user_id in sorted(bookmarkers.get(change["session"], []))]
        recipients += [(user_id, "speaker.session_changed") for user_id in sorted(speakers)]
        data = {
            "event": event.pk,
            "session": change["session"],
            "change": change["change"],
            "message": message,
            "version": version.number,
        }
        entries += [(user_stream(user_id), entry_type, data) for user_id, entry_type in recipients]
    stream_append_many(entries=entries)


# --- rooms, tracks, speakers: effective at once -----------------------------------------------


def _announce(event: Event, entry_type: str, data: dict[str, Any]) -> None:
    """Reference data changes reach phones only once an agenda is out."""
    if _has_published(event):
        stream_append(stream=event_stream(event.pk), type=entry_type, data=data)


def _save_reference(
    *,
    actor: User | None,
    event: Event,
    obj: Room | Track | Speaker,
    fields: list[str],
    values: dict[str, Any],
    kind: str,
) -> None:
    created = obj.pk is None
    before = {} if created else snapshot(obj, fields)
    for name, value in values.items():
        if name not in fields:
            raise ValidationError({name: "This field cannot be changed here."})
        setattr(obj, name, value)
    # The event is included so that the unique name per event is checked (a form error, not a 500).
    obj.full_clean(exclude=["user", "photo"])
    obj.save()
    after = snapshot(obj, fields)
    _audit(actor, event, f"{kind}.{'created' if created else 'updated'}", obj, diff(before, after))
    payload = getattr(payloads, f"{kind}_payload")(obj)
    _announce(event, f"{kind}.{'created' if created else 'updated'}", {kind: payload})


@transaction.atomic
def room_save(*, actor: User, event: Event, room: Room | None = None, **fields: Any) -> Room:
    _require(actor, "events.change_agenda", event)
    event = _lock_agenda(event)
    room = room or Room(event=event)
    _save_reference(actor=actor, event=event, obj=room, fields=ROOM_FIELDS, values=fields, kind="room")
    return room


@transaction.atomic
def track_save(*, actor: User, event: Event, track: Track | None = None, **fields: Any) -> Track:
    _require(actor, "events.change_agenda", event)
    event = _lock_agenda(event)
    track = track or Track(event=event)
    _save_reference(actor=actor, event=event, obj=track, fields=TRACK_FIELDS, values=fields, kind="track")
    return track


@transaction.atomic
def speaker_save(*, actor: User, event: Event, speaker: Speaker | None = None, **fields: Any) -> Speaker:
    """Create or change a speaker profile: organizers any field; the speaker's own account its
    public fields (name, bio, company, job title, links)."""
    speaker = speaker or Speaker(event=event)
    own_profile = speaker.pk is not None and speaker.user_id == actor.pk
    if not own_profile:
        _require(actor, "events.change_agenda", event)
    elif set(fields) - set(SPEAKER_SELF_FIELDS):
        raise ValidationError({name: "Only organizers change this." for name in set(fields) - set(SPEAKER_SELF_FIELDS)})
    event = _lock_agenda(event)
    if "links" in fields:
        fields["links"] = _clean_links(fields["links"])
    _save_reference(actor=actor, event=event, obj=speaker, fields=SPEAKER_FIELDS, values=fields, kind="speaker")
    return speaker


def _clean_links(links: Any) -> list[dict[str, str]]:
    from django.core.validators import URLValidator

    if not isinstance(links, list) or len(links) > 10:
        raise ValidationError({"links": "Give at most 10 links as a list of {label, url}."})
    cleaned = []
    for link in links:
        if not isinstance(link, dict) or not isinstance(link.get("url"), str):
            raise ValidationError({"links": "Each link needs a url."})
        try:
            URLValidator(schemes=["http", "https"])(link["url"])
        except ValidationError:
            raise ValidationError({"links": f"{link['url']!r} is not a web address."}) from None
        cleaned.append({"label": str(link.get("label") or link["url"])[:80], "url": link["url"]})
    return cleaned


@transaction.atomic
def room_delete(*, actor: User, room: Room) -> None:
    _require(actor, "events.change_agenda", room.event)
    event = _lock_agenda(room.event)
    if Session.objects.filter(room=room).exists() or PublishedSession.objects.filter(room=room).exists():
        raise ValidationError("Sessions use this room: move them first.")
    _audit(actor, event, "room.deleted", room, {"before": snapshot(room, ROOM_FIELDS)})
    room_id = room.pk
    room.delete()
    _announce(event, "room.deleted", {"room": {"id": room_id}})


# --- personal agenda ---------------------------------------------------------------------------


def _require_visible_published(*, user: User, session: Session) -> None:
    if (
        not user.has_perm("events.view_event", session.event)
        or not PublishedSession.objects.filter(pk=session.pk).exists()
    ):
        raise errors.NotFound()


@transaction.atomic
def bookmark_add(*, user: User, session: Session) -> tuple[Bookmark, bool]:
    _require_visible_published(user=user, session=session)
    bookmark, created = Bookmark.objects.get_or_create(user=user, session=session)
    if created:
        stream_append(
            stream=user_stream(user.pk), type="bookmark.added", data={"event": session.event_id, "session": session.pk}
        )
    return bookmark, created


@transaction.atomic
def bookmark_remove(*, user: User, session: Session) -> bool:
    deleted, _ = Bookmark.objects.filter(user=user, session=session).delete()
    if deleted:
        stream_append(
            stream=user_stream(user.pk),
            type="bookmark.removed",
            data={"event": session.event_id, "session": session.pk},
        )
    return bool(deleted)


@transaction.atomic
def note_save(*, user: User, session: Session, text: str) -> SessionNote | None:
    """Set the user's private note on a session; an empty text deletes it."""
    _require_visible_published(user=user, session=session)
    text = text.strip()
    if len(text) > 10_000:
        raise ValidationError({"text": "Keep notes under 10,000 characters."})
    if not text:
        SessionNote.objects.filter(user=user, session=session).delete()
        note = None
    else:
        note, _ = SessionNote.objects.update_or_create(user=user, session=session, defaults={"text": text})
    stream_append(
        stream=user_stream(user.pk),
        type="note.saved",
        data={"event": session.event_id, "session": session.pk, "text": text},
    )
    return note


# --- announcements ---------------------------------------------------------------------------


@transaction.atomic
def announcement_post(
    *,
    actor: User,
    event: Event,
    text: str,
    priority: str,
    target: str = AnnouncementTarget.EVERYONE,
    track: Track | None = None,
    session: Session | None = None,
) -> Announcement:
    """Post an announcement: an ``announcement.posted`` entry on the event stream (the in-app
    banner for everyone), and for a targeted one a ``notification`` entry on the stream of every
    attendee who bookmarked the session (or a session of the track)."""
    _require(actor, "events.change_agenda", event)
    announcement = Announcement(
        event=event, author=actor, text=text.strip(), priority=priority, target=target, track=track, session=session
    )
    errors = {}
    if target == AnnouncementTarget.TRACK and (track is None or track.event_id != event.pk):
        errors["track"] = "Choose the track this announcement is for."
    if target == AnnouncementTarget.SESSION and (session is None or session.event_id != event.pk):
        errors["session"] = "Choose the session this announcement is for."
    try:
        announcement.full_clean(exclude=["event", "author", "track", "session"])
    except ValidationError as error:
        errors.update({name: messages[0] for name, messages in error.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    if target == AnnouncementTarget.EVERYONE:
        announcement.track = announcement.session = None
    announcement.save()
    data = {"announcement": payloads.announcement_payload(announcement)}
    stream_append(stream=event_stream(event.pk), type="announcement.posted", data=data)
    if target != AnnouncementTarget.EVERYONE:
        sessions = Q(session=session) if target == AnnouncementTarget.SESSION else Q(session__track=track)
        recipients = (
            Bookmark.objects.filter(sessions, session__event=event).values_list("user_id", flat=True).distinct()
        )
        stream_append_many(
            entries=[
                (user_stream(user_id), "notification", {"event": event.pk, **data})
                for user_id in sorted(set(recipients))
            ]
        )
    _audit(actor, event, "announcement.posted", announcement)
    return announcement
