"""Publishing the agenda: ``schedule_publish`` freezes the organizers' draft into the next
numbered ``ScheduleVersion`` and the attendee copy (``PublishedSession``) in one transaction,
appending a stream entry per changed session. The diff it publishes is
``selectors.schedule.schedule_pending_changes``."""

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import User
from eventhub import errors
from eventhub.realtime.services import stream_append, stream_append_many
from eventhub.realtime.streams import event_stream, user_stream
from eventhub.services import require_permission

from .. import payloads
from ..enums import EntryType
from ..models import SESSION_FIELDS, Bookmark, Event, PublishedSession, ScheduleVersion, Session
from ..selectors.schedule import agenda_problems, schedule_pending_changes
from .agenda import audit_agenda, lock_agenda

NOTHING_TO_PUBLISH = "There are no unpublished changes."


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


ENTRY_TYPES = {"new": EntryType.SESSION_CREATED, "cancelled": EntryType.SESSION_CANCELLED}


@transaction.atomic
def schedule_publish(*, actor: User, event: Event, comment: str = "") -> ScheduleVersion:
    """Freeze the draft into the next schedule version. In one transaction: the version with its
    diff, the attendee copies, one event-stream entry per changed session (``session.created``,
    ``session.updated`` with old values, ``session.cancelled``), a ``user:`` entry for everyone who
    bookmarked a changed session and for its speakers, then ``schedule.published``. Entries of one
    publish form one contiguous seq range."""
    require_permission(actor, "events.change_agenda", event)
    event = lock_agenda(event)
    changes = schedule_pending_changes(event=event)
    if not changes:
        raise errors.Invalid(NOTHING_TO_PUBLISH)
    problems = agenda_problems(event=event)
    if problems:
        # Attendees must never get an agenda that breaks its own rules (a change of the event's
        # zone or hours can leave one behind in the draft).
        raise errors.Invalid(
            ngettext(
                "The draft has a conflict: %(problems)s Fix it before publishing.",
                "The draft has %(count)d conflicts: %(problems)s Fix them before publishing.",
                len(problems),
            )
            % {"count": len(problems), "problems": " ".join(problem.message for problem in problems)},
            code="agenda_conflicts",
        )
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
            stream=event_stream(event.pk), type=ENTRY_TYPES.get(change["change"], EntryType.SESSION_UPDATED), data=data
        )
    _notify_people(event=event, version=version, changes=changes, drafts=drafts)
    stream_append(
        stream=event_stream(event.pk),
        type=EntryType.SCHEDULE_PUBLISHED,
        data={"version": version.number, "published_at": now.astimezone(event.tz).isoformat(), "changes": len(changes)},
    )
    audit_agenda(actor, event, "schedule.published", version, {"version": version.number, "changes": len(changes)})
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
    entries: list[tuple[str, str, dict[str, Any]]] = []
    for change in changed:
        message = change_message(change)
        speakers = {s.user_id for s in drafts[change["session"]].speakers.all() if s.user_id}
        recipients: list[tuple[int, str]] = [
            (user_id, EntryType.AGENDA_CHANGED) for user_id in sorted(bookmarkers.get(change["session"], []))
        ]
        recipients += [(user_id, EntryType.SPEAKER_SESSION_CHANGED) for user_id in sorted(speakers)]
        data = {
            "event": event.pk,
            "session": change["session"],
            "change": change["change"],
            "message": message,
            "version": version.number,
        }
        entries += [(user_stream(user_id), entry_type, data) for user_id, entry_type in recipients]
    stream_append_many(entries=entries)


@transaction.atomic
def schedule_discard_draft(*, actor: User, event: Event) -> int:
    """Throw the unpublished changes away: every changed session gets its published copy's
    fields, speakers and status back, and sessions never published are deleted. Nothing reaches
    attendees (they only ever saw the published copies). One audit entry
    (``schedule.draft_discarded``) with the number of sessions reset. Returns that number."""
    require_permission(actor, "events.change_agenda", event)
    event = lock_agenda(event)
    changes = schedule_pending_changes(event=event)
    if not changes:
        raise errors.Invalid(NOTHING_TO_PUBLISH)
    ids = [change["session"] for change in changes]
    published = {copy.pk: copy for copy in PublishedSession.objects.filter(pk__in=ids).prefetch_related("speakers")}
    for session in Session.objects.filter(event=event, pk__in=ids):
        copy = published.get(session.pk)
        if copy is None:
            session.delete()  # never published: nobody outside the team has seen it
            continue
        for name in SESSION_FIELDS:
            setattr(session, name, getattr(copy, name))
        session.save()
        session.speakers.set(copy.speakers.all())
    audit_agenda(actor, event, "schedule.draft_discarded", event, {"sessions": ids})
    return len(ids)
