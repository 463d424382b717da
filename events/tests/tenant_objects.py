"""The agenda's part of the cross-tenant matrix (see eventhub.testing.tenant_matrix)."""

from datetime import timedelta

from django.utils import timezone

from eventhub.testing.tenant_matrix import TenantObjects
from events.enums import AnnouncementTarget, InvitationKind
from events.models import (
    Announcement,
    Bookmark,
    CalendarFeed,
    DisplayLink,
    Invitation,
    PublishedSession,
    ScheduleVersion,
    Session,
    SessionNote,
    Speaker,
    Track,
)

MISSING_ID = 987654321


def _populate(tenant) -> dict:
    event = tenant.event
    track = Track.objects.create(event=event, name="Main track")
    speaker = Speaker.objects.create(event=event, name="Secret speaker", user=tenant.owner)
    session = Session.objects.create(
        event=event,
        title="Secret session",
        start=event.start,
        end=event.start + timedelta(hours=1),
        room=tenant.room,
        track=track,
    )
    session.speakers.add(speaker)
    published = PublishedSession.objects.create(
        session=session,
        event=event,
        title=session.title,
        start=session.start,
        end=session.end,
        room=tenant.room,
        track=track,
        version=1,
        last_modified=session.created_at,
    )
    published.speakers.add(speaker)
    # Version numbers count per event: number each tenant's apart, or B's number would name A's
    # own version and look "found" on A's event.
    version = ScheduleVersion.objects.create(
        event=event, number=event.pk, published_at=session.created_at, published_by=tenant.owner, changes=[]
    )
    Bookmark.objects.create(user=tenant.owner, session=session)
    SessionNote.objects.create(user=tenant.owner, session=session, text="private")
    announcement = Announcement.objects.create(event=event, author=tenant.owner, text="Secret announcement")
    display = DisplayLink.objects.create(event=event, room=tenant.room, name="Door")
    CalendarFeed.objects.create(event=event, user=tenant.owner)
    now = timezone.now()
    invitation = Invitation.objects.create(
        organization=tenant.organization,
        kind=InvitationKind.TEAM,
        email=f"invited-{tenant.organization.slug}@example.org",
        role="editor",
        sent_at=now,
        expires_at=now + timedelta(days=14),
    )
    return {
        "invitation_id": invitation.pk,
        "session_id": session.pk,
        "speaker_id": speaker.pk,
        "room_id": tenant.room.pk,
        "track_id": track.pk,
        "announcement_id": announcement.pk,
        "version": version.number,
        "display_id": display.pk,
    }


def _rows(organization_id: int, event_ids: list[int]) -> dict:
    def rows(model, **filters):
        return list(model.objects.filter(**filters).order_by("pk").values())

    in_events = {"event_id__in": event_ids}
    of_sessions = {"session__event_id__in": event_ids}
    models = (Track, Speaker, Session, PublishedSession, ScheduleVersion, Announcement, DisplayLink, CalendarFeed)
    return {
        **{model._meta.label: rows(model, **in_events) for model in models},
        "events.Bookmark": rows(Bookmark, **of_sessions),
        "events.SessionNote": rows(SessionNote, **of_sessions),
        "session_speakers": list(
            Session.speakers.through.objects.filter(session__event_id__in=event_ids).order_by("pk").values()
        ),
        "events.Invitation": list(Invitation.objects.filter(organization_id=organization_id).order_by("pk").values()),
        "agenda_table_sizes": [model.objects.count() for model in (*models, Bookmark, SessionNote, Invitation)],
    }


TENANT_OBJECTS = TenantObjects(
    missing={
        "session_id": MISSING_ID,
        "speaker_id": MISSING_ID,
        "room_id": MISSING_ID,
        "track_id": MISSING_ID,
        "announcement_id": MISSING_ID,
        "version": MISSING_ID,
        "display_id": MISSING_ID,
        "invitation_id": MISSING_ID,
    },
    populate=_populate,
    rows=_rows,
    payload={
        "title": "Taken over",
        "text": "Taken over",
        "priority": "urgent",
        "target": AnnouncementTarget.EVERYONE,
        "minutes": "15",
        "comment": "Taken over",
        "colour": "#000000",
        "capacity": "5",
    },
    bearer_kwargs={
        "token": "a display link, a private calendar feed or an invitation: whoever holds the link may "
        "use it; revocation (and, for invitations, expiry and single use) is tested in events/tests"
    },
)
