"""Reads of the public event pages (``events/public``): what anyone may see of an announced,
public or unlisted event — the event, its published agenda and speakers. The answer is the same
for every visitor (members see drafts in the portal, never here), which is what lets the pages be
shared and cached. Call inside the tenant scope (the middleware enters it from ``event_id``)."""

from dataclasses import dataclass, field
from datetime import date

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django_scopes import scope

from accounts.models import User
from eventhub.access import reachable

from ..enums import EventStatus, EventVisibility
from ..models import Event, Organization, PublishedSession, Speaker
from ..tenancy import user_scope
from .agenda import agenda_speakers, published_sessions
from .schedule import agenda_is_out

PUBLIC_PAGE = "events.view_public_page"
_ANYONE = AnonymousUser()


def public_event_access(*, event_id: int) -> Event:
    """An announced public or unlisted event (``errors.NotFound`` for a draft, a private event
    or a missing id alike), asked as nobody in particular."""
    event = Event.objects.select_related("organization").filter(pk=event_id).first()
    return reachable(event, user=_ANYONE, permission=PUBLIC_PAGE)


@dataclass
class ScheduleDay:
    day: date
    sessions: list[PublishedSession] = field(default_factory=list)


def public_schedule(*, event: Event) -> list[ScheduleDay]:
    """The published agenda by calendar day in the event's zone (empty before the first
    publish), with rooms, tracks and speakers loaded."""
    days: dict[date, ScheduleDay] = {}
    for session in public_sessions(event=event):
        day = session.start.astimezone(event.tz).date()
        days.setdefault(day, ScheduleDay(day=day)).sessions.append(session)
    return list(days.values())


def public_sessions(*, event: Event) -> QuerySet[PublishedSession]:
    return published_sessions(event=event).select_related("room", "track")


def public_session_access(*, event: Event, session_id: int) -> PublishedSession:
    session = public_sessions(event=event).filter(session_id=session_id).first()
    return reachable(session, user=_ANYONE, permission=PUBLIC_PAGE, target=event)


def public_speakers(*, event: Event) -> QuerySet[Speaker]:
    """The event's speakers once its agenda is out, as attendees see them."""
    return agenda_speakers(event=event)


def public_speaker_access(*, event: Event, speaker_id: int) -> Speaker:
    speaker = public_speakers(event=event).filter(pk=speaker_id).first()
    return reachable(speaker, user=_ANYONE, permission=PUBLIC_PAGE, target=event)


def public_speaker_sessions(*, speaker: Speaker) -> QuerySet[PublishedSession]:
    return (
        PublishedSession.objects.filter(event_id=speaker.event_id, speakers=speaker)
        .select_related("room", "event")
        .order_by("start", "session_id")
    )


def public_agenda_is_out(*, event: Event) -> bool:
    return agenda_is_out(event=event)


def attendee_events(*, user: User) -> list[Event]:
    """The announced events the user takes part in (any participant kind), soonest first: the
    attendee's home page. Drafts stay hidden even if the user was added to one early."""
    with user_scope(user.pk):
        return list(
            Event.objects.filter(participants__user=user)
            .exclude(status=EventStatus.DRAFT)
            .select_related("organization")
            .distinct()
            .order_by("start", "id")
        )


def public_listing_indexable(*, event: Event) -> bool:
    """Search engines may index listed events only; an unlisted one is for those with the link."""
    return event.visibility == EventVisibility.PUBLIC


def public_page_of_portal_event(*, organization_slug: str, event_slug: str) -> Event | None:
    """The event a portal address names, if its public page is open to anyone (an announced
    public or unlisted event), else ``None`` — a draft or private event stays unconfirmed. For
    the error page that points a lost attendee to it. Enters the organization's scope itself:
    an address the resolver does not know runs without one."""
    organization_ids = list(Organization.objects.filter(slug=organization_slug).values_list("pk", flat=True))
    with scope(organization=organization_ids):
        event = (
            Event.objects.select_related("organization")
            .filter(organization_id__in=organization_ids, slug=event_slug)
            .first()
        )
    if event is None or not _ANYONE.has_perm(PUBLIC_PAGE, event):
        return None
    return event
