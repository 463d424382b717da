"""Agenda writes: the organizers' draft of the sessions (``Session``), and the agenda's reference
data (rooms, tracks, speakers) and announcements, which take effect at once. Publishing the draft
to attendees is ``services/schedule.py``.

Every agenda write of an event first locks the event row (``lock_agenda``): checks for double
bookings and the publish diff then see a stable agenda, and two organizers cannot book one room
concurrently."""

from collections.abc import Iterable
from datetime import UTC, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import User
from eventhub import errors
from eventhub.audit import audit_log, diff, snapshot
from eventhub.realtime.services import stream_append, stream_append_many
from eventhub.realtime.streams import event_stream, user_stream
from eventhub.services import full_clean_or_invalid, require_permission

from .. import payloads
from ..enums import AnnouncementTarget, EntryType, SessionStatus
from ..models import SESSION_FIELDS, Announcement, Bookmark, Event, PublishedSession, Room, Session, Speaker, Track
from ..selectors.schedule import agenda_is_out

# ``external_id`` (the organizer's own id; imports match on it) is the draft's alone: never published.
EDITABLE_SESSION_FIELDS = [*(name for name in SESSION_FIELDS if name != "status"), "external_id"]
ROOM_FIELDS = ["name", "capacity", "floor", "accessibility_notes", "position", "external_id"]
TRACK_FIELDS = ["name", "colour", "position"]
SPEAKER_FIELDS = ["name", "bio", "company", "job_title", "links", "user", "external_id"]
SPEAKER_SELF_FIELDS = ["name", "bio", "company", "job_title", "links"]

ROOM_DOUBLE_BOOKED = "{room} is already booked then: {titles}."
SPEAKER_DOUBLE_BOOKED = "{speaker} speaks elsewhere then: {titles}."
OUTSIDE_EVENT = "Sessions must lie within the event ({start} – {end})."


def lock_agenda(event: Event) -> Event:
    """Lock the event row until the transaction ends (every agenda write of the event does)."""
    return Event.objects.select_for_update().get(pk=event.pk)


def audit_agenda(
    actor: User | None, event: Event, action: str, obj: Any, changes: dict[str, Any] | None = None
) -> None:
    audit_log(
        actor=actor, organization_id=event.organization_id, event_id=event.pk, action=action, obj=obj, changes=changes
    )


# --- sessions (draft) ----------------------------------------------------------------------


def _titles(sessions: Iterable[Session]) -> str:
    return ", ".join(f"“{s.title}” {s.start.astimezone(s.event.tz):%a %H:%M}" for s in sessions)


def _check_session(session: Session, speakers: list[Speaker]) -> None:
    """Field validation plus the agenda's conflict rules; raises one ``Invalid`` with every
    problem, keyed by form field."""
    full_clean_or_invalid(session, exclude=["event", "room", "track"])
    event = session.event
    problems: dict[str, list[str]] = {}
    room, track = session.room, session.track
    if room is not None and room.event_id != event.pk:
        problems.setdefault("room", []).append("Choose a room of this event.")
    if track is not None and track.event_id != event.pk:
        problems.setdefault("track", []).append("Choose a track of this event.")
    if any(speaker.event_id != event.pk for speaker in speakers):
        problems.setdefault("speakers", []).append("Choose speakers of this event.")
    if session.start < event.start or session.end > event.end:
        tz = event.tz
        problems.setdefault("start", []).append(
            OUTSIDE_EVENT.format(
                start=f"{event.start.astimezone(tz):%Y-%m-%d %H:%M}", end=f"{event.end.astimezone(tz):%Y-%m-%d %H:%M}"
            )
        )
    if session.status != SessionStatus.CANCELLED and not problems:
        overlapping = (
            Session.objects.filter(event=event, start__lt=session.end, end__gt=session.start)
            .exclude(pk=session.pk)
            .exclude(status=SessionStatus.CANCELLED)
            .select_related("event")
        )
        if room is not None:
            booked = list(overlapping.filter(room=room))
            if booked:
                problems.setdefault("room", []).append(
                    ROOM_DOUBLE_BOOKED.format(room=room.name, titles=_titles(booked))
                )
        for speaker in speakers:
            elsewhere = list(overlapping.filter(speakers=speaker))
            if elsewhere:
                problems.setdefault("speakers", []).append(
                    SPEAKER_DOUBLE_BOOKED.format(speaker=speaker.name, titles=_titles(elsewhere))
                )
    if problems:
        raise errors.Invalid(fields=problems)


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


def _placement(session: Session, speakers: list[Speaker]) -> tuple[Any, ...]:
    """What the conflict rules look at: time, room, speakers and whether it is cancelled."""
    return (session.start, session.end, session.room_id, sorted(s.pk for s in speakers), session.status)


def agenda_rezone(*, event: Event, old_tz: ZoneInfo, new_tz: ZoneInfo) -> list[int]:
    """Give every draft session of ``event`` the wall-clock times in ``new_tz`` it had in
    ``old_tz`` (the event's change of zone with "keep wall-clock times"); published sessions
    that move this way become ``moved`` as any other timing edit. No conflict check here: the
    caller's change may leave some, which ``agenda_problems`` lists and publishing refuses.
    Precondition: the caller holds the event row (``lock_agenda``). Returns the ids changed."""
    changed = []
    for session in Session.objects.filter(event=event).select_related("event").order_by("pk"):
        start = session.start.astimezone(old_tz).replace(tzinfo=new_tz).astimezone(UTC)
        end = session.end.astimezone(old_tz).replace(tzinfo=new_tz).astimezone(UTC)
        if (start, end) == (session.start, session.end):
            continue
        session.start, session.end = start, end
        session.status = _timing_status(session)
        session.save(update_fields=["start", "end", "status", "updated_at"])
        changed.append(session.pk)
    return changed


@transaction.atomic
def session_create(*, actor: User, event: Event, speakers: Iterable[Speaker] = (), **fields: Any) -> Session:
    require_permission(actor, "events.change_agenda", event)
    event = lock_agenda(event)
    speakers = list(speakers)
    session = Session(event=event, **{name: value for name, value in fields.items() if name in EDITABLE_SESSION_FIELDS})
    _check_session(session, speakers)
    session.save()
    session.speakers.set(speakers)
    after = {**snapshot(session, SESSION_FIELDS), "speakers": [speaker.pk for speaker in speakers]}
    audit_agenda(actor, event, "session.created", session, {"after": after})
    return session


@transaction.atomic
def session_update(
    *, actor: User, session: Session, speakers: Iterable[Speaker] | None = None, **fields: Any
) -> Session:
    """Change a session's draft. Timing changes of a published session set its status to moved
    or delayed. Nothing reaches attendees until ``schedule_publish``."""
    require_permission(actor, "events.change_agenda", session.event)
    event = lock_agenda(session.event)
    session = Session.objects.select_related("event").get(pk=session.pk, event=event)
    before = snapshot(session, SESSION_FIELDS)
    placement_before = _placement(session, list(session.speakers.all()))
    for name, value in fields.items():
        if name not in EDITABLE_SESSION_FIELDS:
            raise errors.Invalid(fields={name: "This field cannot be changed here."})
        setattr(session, name, value)
    session.status = _timing_status(session)
    speaker_list = list(session.speakers.all()) if speakers is None else list(speakers)
    placed = _placement(session, speaker_list) != placement_before
    if placed:
        _check_session(session, speaker_list)
    else:
        # Content only (a title, an abstract): a conflict the session already had — left by a
        # change of the event's hours or zone — is the agenda's to fix (publishing is refused
        # while it lasts), not a reason to refuse a new title.
        full_clean_or_invalid(session, exclude=["event", "room", "track"])
    session.save()
    changes = diff(before, snapshot(session, SESSION_FIELDS))
    if speakers is not None:
        old_speakers = sorted(s.pk for s in session.speakers.all())
        session.speakers.set(speaker_list)
        if old_speakers != sorted(s.pk for s in speaker_list):
            changes["speakers"] = {"old": old_speakers, "new": sorted(s.pk for s in speaker_list)}
    audit_agenda(actor, event, "session.updated", session, changes)
    return session


@transaction.atomic
def session_delay(*, actor: User, session: Session, minutes: int, cascade: bool = False) -> list[Session]:
    """Shift a session by ``minutes`` and, with ``cascade``, every later session of the same day in
    the same room by as much. All or nothing: one conflict refuses the whole shift."""
    require_permission(actor, "events.change_agenda", session.event)
    if not -240 <= minutes <= 240 or minutes == 0:
        raise errors.Invalid(fields={"minutes": "Delay by 1 to 240 minutes (negative to bring forward)."})
    event = lock_agenda(session.event)
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
    audit_agenda(
        actor,
        event,
        "session.delayed",
        session,
        {"minutes": minutes, "cascade": cascade, "sessions": [item.pk for item in shifted]},
    )
    return shifted


def _set_cancelled(*, actor: User, session: Session, cancelled: bool) -> Session:
    require_permission(actor, "events.change_agenda", session.event)
    event = lock_agenda(session.event)
    session = Session.objects.select_related("event").get(pk=session.pk, event=event)
    if cancelled:
        session.status = SessionStatus.CANCELLED
    else:
        session.status = SessionStatus.SCHEDULED
        session.status = _timing_status(session)
        _check_session(session, list(session.speakers.all()))
    session.save(update_fields=["status", "updated_at"])
    audit_agenda(actor, event, "session.cancelled" if cancelled else "session.restored", session)
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
    require_permission(actor, "events.change_agenda", session.event)
    event = lock_agenda(session.event)
    if PublishedSession.objects.filter(pk=session.pk).exists():
        raise errors.Invalid("This session has been published: cancel it instead.")
    audit_agenda(actor, event, "session.deleted", session, {"before": snapshot(session, SESSION_FIELDS)})
    session.delete()


# --- rooms, tracks, speakers: effective at once -----------------------------------------------


def _announce(event: Event, entry_type: str, data: dict[str, Any]) -> None:
    """Reference data changes reach phones only once an agenda is out."""
    if agenda_is_out(event=event):
        stream_append(stream=event_stream(event.pk), type=entry_type, data=data)


# Per kind of reference data: its public payload and its entry types (created, updated).
_REFERENCE_KINDS: dict[str, tuple[Any, str, str]] = {
    "room": (payloads.room_payload, EntryType.ROOM_CREATED, EntryType.ROOM_UPDATED),
    "track": (payloads.track_payload, EntryType.TRACK_CREATED, EntryType.TRACK_UPDATED),
    "speaker": (payloads.speaker_payload, EntryType.SPEAKER_CREATED, EntryType.SPEAKER_UPDATED),
}


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
            raise errors.Invalid(fields={name: "This field cannot be changed here."})
        setattr(obj, name, value)
    # The event is included so that the unique name per event is checked (a form error, not a 500).
    full_clean_or_invalid(obj, exclude=["user", "photo"])
    obj.save()
    after = snapshot(obj, fields)
    payload, created_type, updated_type = _REFERENCE_KINDS[kind]
    entry_type = created_type if created else updated_type  # the audit action has the entry's name
    audit_agenda(actor, event, entry_type, obj, diff(before, after))
    _announce(event, entry_type, {kind: payload(obj)})


@transaction.atomic
def room_save(*, actor: User, event: Event, room: Room | None = None, **fields: Any) -> Room:
    require_permission(actor, "events.change_agenda", event)
    event = lock_agenda(event)
    room = room or Room(event=event)
    _save_reference(actor=actor, event=event, obj=room, fields=ROOM_FIELDS, values=fields, kind="room")
    return room


@transaction.atomic
def track_save(*, actor: User, event: Event, track: Track | None = None, **fields: Any) -> Track:
    require_permission(actor, "events.change_agenda", event)
    event = lock_agenda(event)
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
        require_permission(actor, "events.change_agenda", event)
    elif set(fields) - set(SPEAKER_SELF_FIELDS):
        raise errors.Invalid(
            fields={name: "Only organizers change this." for name in set(fields) - set(SPEAKER_SELF_FIELDS)}
        )
    event = lock_agenda(event)
    if "links" in fields:
        fields["links"] = _clean_links(fields["links"])
    _save_reference(actor=actor, event=event, obj=speaker, fields=SPEAKER_FIELDS, values=fields, kind="speaker")
    return speaker


def _clean_links(links: Any) -> list[dict[str, str]]:
    if not isinstance(links, list) or len(links) > 10:
        raise errors.Invalid(fields={"links": "Give at most 10 links as a list of {label, url}."})
    cleaned = []
    for link in links:
        if not isinstance(link, dict) or not isinstance(link.get("url"), str):
            raise errors.Invalid(fields={"links": "Each link needs a url."})
        try:
            URLValidator(schemes=["http", "https"])(link["url"])
        except ValidationError:
            raise errors.Invalid(fields={"links": f"{link['url']!r} is not a web address."}) from None
        cleaned.append({"label": str(link.get("label") or link["url"])[:80], "url": link["url"]})
    return cleaned


@transaction.atomic
def room_delete(*, actor: User, room: Room) -> None:
    require_permission(actor, "events.change_agenda", room.event)
    event = lock_agenda(room.event)
    if Session.objects.filter(room=room).exists() or PublishedSession.objects.filter(room=room).exists():
        raise errors.Invalid("Sessions use this room: move them first.")
    audit_agenda(actor, event, "room.deleted", room, {"before": snapshot(room, ROOM_FIELDS)})
    room_id = room.pk
    room.delete()
    _announce(event, EntryType.ROOM_DELETED, {"room": {"id": room_id}})


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
    require_permission(actor, "events.change_agenda", event)
    announcement = Announcement(
        event=event, author=actor, text=text.strip(), priority=priority, target=target, track=track, session=session
    )
    problems = {}
    if target == AnnouncementTarget.TRACK and (track is None or track.event_id != event.pk):
        problems["track"] = "Choose the track this announcement is for."
    if target == AnnouncementTarget.SESSION and (session is None or session.event_id != event.pk):
        problems["session"] = "Choose the session this announcement is for."
    try:
        announcement.full_clean(exclude=["event", "author", "track", "session"])
    except ValidationError as error:
        problems.update({name: messages[0] for name, messages in error.message_dict.items()})
    if problems:
        raise errors.Invalid(fields=problems)
    if target == AnnouncementTarget.EVERYONE:
        announcement.track = announcement.session = None
    announcement.save()
    data = {"announcement": payloads.announcement_payload(announcement)}
    stream_append(stream=event_stream(event.pk), type=EntryType.ANNOUNCEMENT_POSTED, data=data)
    if target != AnnouncementTarget.EVERYONE:
        sessions = Q(session=session) if target == AnnouncementTarget.SESSION else Q(session__track=track)
        recipients = (
            Bookmark.objects.filter(sessions, session__event=event).values_list("user_id", flat=True).distinct()
        )
        stream_append_many(
            entries=[
                (user_stream(user_id), EntryType.NOTIFICATION, {"event": event.pk, **data})
                for user_id in sorted(set(recipients))
            ]
        )
    audit_agenda(actor, event, "announcement.posted", announcement)
    return announcement


# --- bulk edits (the sessions list) ------------------------------------------------------------


def _sessions_of(event: Event, session_ids: Iterable[int]) -> list[Session]:
    ids = sorted(set(session_ids))
    sessions = list(Session.objects.select_related("event").filter(event=event, pk__in=ids).order_by("start", "pk"))
    if len(sessions) != len(ids):
        raise errors.NotFound()  # one id of another event (or gone): the same answer as a missing one
    return sessions


@transaction.atomic
def sessions_bulk_shift(*, actor: User, event: Event, session_ids: Iterable[int], minutes: int) -> list[Session]:
    """Move the chosen sessions by ``minutes`` (negative: earlier), all or nothing: one conflict
    refuses them all. They are shifted together, so two adjacent chosen sessions never conflict
    with each other's old place. One audit entry per session (``session.updated``)."""
    require_permission(actor, "events.change_agenda", event)
    if not -1440 <= minutes <= 1440 or minutes == 0:
        raise errors.Invalid(fields={"minutes": _("Shift by 1 to 1440 minutes (negative: earlier).")})
    event = lock_agenda(event)
    sessions = _sessions_of(event, session_ids)
    delta = timedelta(minutes=minutes)
    before = {s.pk: snapshot(s, SESSION_FIELDS) for s in sessions}
    for session in sessions:
        session.start += delta
        session.end += delta
        session.status = _timing_status(session)
    # Written first, checked after: each chosen session is judged against the others' new places
    # (the transaction rolls all of them back when one conflicts).
    for session in sessions:
        session.save(update_fields=["start", "end", "status", "updated_at"])
    for session in sessions:
        try:
            _check_session(session, list(session.speakers.all()))
        except errors.Invalid as refusal:
            problems = " ".join(message for messages in refusal.fields.values() for message in messages)
            raise errors.Invalid(f"“{session.title}”: {problems or refusal.detail}") from None
        changes = diff(before[session.pk], snapshot(session, SESSION_FIELDS))
        audit_agenda(actor, event, "session.updated", session, changes)
    return sessions


@transaction.atomic
def sessions_bulk_cancel(*, actor: User, event: Event, session_ids: Iterable[int]) -> list[Session]:
    """Cancel the chosen sessions (those already cancelled stay so). One audit entry each."""
    require_permission(actor, "events.change_agenda", event)
    event = lock_agenda(event)
    sessions = _sessions_of(event, session_ids)
    for session in sessions:
        if session.status != SessionStatus.CANCELLED:
            session.status = SessionStatus.CANCELLED
            session.save(update_fields=["status", "updated_at"])
            audit_agenda(actor, event, "session.cancelled", session)
    return sessions
