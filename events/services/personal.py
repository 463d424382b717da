"""The personal agenda: an attendee's bookmarks and private notes on published sessions. Each
change appends an entry to the user's own stream (``user:<id>``), so their other devices follow."""

from django.db import transaction

from accounts.models import User
from eventhub import errors
from eventhub.realtime.services import stream_append
from eventhub.realtime.streams import user_stream

from ..enums import EntryType
from ..models import Bookmark, PublishedSession, Session, SessionNote


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
            stream=user_stream(user.pk),
            type=EntryType.BOOKMARK_ADDED,
            data={"event": session.event_id, "session": session.pk},
        )
    return bookmark, created


@transaction.atomic
def bookmark_remove(*, user: User, session: Session) -> bool:
    deleted, _ = Bookmark.objects.filter(user=user, session=session).delete()
    if deleted:
        stream_append(
            stream=user_stream(user.pk),
            type=EntryType.BOOKMARK_REMOVED,
            data={"event": session.event_id, "session": session.pk},
        )
    return bool(deleted)


@transaction.atomic
def note_save(*, user: User, session: Session, text: str) -> SessionNote | None:
    """Set the user's private note on a session; an empty text deletes it."""
    _require_visible_published(user=user, session=session)
    text = text.strip()
    if len(text) > 10_000:
        raise errors.Invalid(fields={"text": "Keep notes under 10,000 characters."})
    if not text:
        SessionNote.objects.filter(user=user, session=session).delete()
        note = None
    else:
        note, _ = SessionNote.objects.update_or_create(user=user, session=session, defaults={"text": text})
    stream_append(
        stream=user_stream(user.pk),
        type=EntryType.NOTE_SAVED,
        data={"event": session.event_id, "session": session.pk, "text": text},
    )
    return note
