"""Reads for organizations, events and participants. Call inside the tenant scope (the
middleware's, or ``user_scope`` for personal cross-tenant lists)."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet

from accounts.models import User
from eventhub.models import AuditLogEntry

from ..enums import EventStatus
from ..models import Event, Organization, OrganizationMember, Participant
from ..tenancy import user_scope


def event_get_visible(*, user, event_id: int) -> Event | None:
    """The event if the user may see it; None for missing and forbidden alike."""
    event = Event.objects.select_related("organization").filter(pk=event_id).first()
    if event is None or not user.has_perm("events.view_event", event):
        return None
    return event


def organization_get_for_member(*, user, slug: str) -> Organization | None:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None or not user.has_perm("events.view_organization", organization):
        return None
    return organization


def event_get_for_member(*, user, organization: Organization, slug: str) -> Event | None:
    event = Event.objects.filter(organization=organization, slug=slug).first()
    if event is None or not user.has_perm("events.view_organization", organization):
        return None
    return event


def memberships_of_user(*, user: User) -> QuerySet[OrganizationMember]:
    """The user's memberships with their organizations. Evaluate inside ``user_scope``."""
    return OrganizationMember.objects.filter(user=user).select_related("organization")


def memberships_for_user(*, user: User) -> list[OrganizationMember]:
    with user_scope(user.pk):
        return list(memberships_of_user(user=user))


def events_for_user(*, user: User) -> QuerySet[Event]:
    """Events the user takes part in or whose organization they belong to: the events
    ``events.view_event`` lets them see, so a draft shows to members only. Evaluate inside
    ``user_scope`` (the API view does)."""
    member_of = OrganizationMember.objects.filter(user=user).values("organization_id")
    participant_in = Participant.objects.filter(user=user).values("event_id")
    return (
        Event.objects.filter(organization_id__in=member_of)
        | Event.objects.filter(pk__in=participant_in).exclude(status=EventStatus.DRAFT)
    ).select_related("organization")


@dataclass(frozen=True)
class SwitcherEntry:
    organization: Organization
    role: str
    events: list[Event]


def portal_switcher(*, user: User) -> list[SwitcherEntry]:
    with user_scope(user.pk):
        memberships = list(memberships_of_user(user=user))
        events = list(
            Event.objects.filter(organization__in=[m.organization_id for m in memberships]).order_by("-start")
        )
    return [
        SwitcherEntry(
            organization=m.organization,
            role=m.role,
            events=[e for e in events if e.organization_id == m.organization_id],
        )
        for m in memberships
    ]


def organization_members(*, organization: Organization) -> QuerySet[OrganizationMember]:
    return OrganizationMember.objects.filter(organization=organization).select_related(
        "organization", "user", "user__profile"
    )


def organization_events(*, organization: Organization) -> QuerySet[Event]:
    return (
        Event.objects.filter(organization=organization)
        .annotate(participant_count=Count("participants"))
        .order_by("-start")
    )


def event_participant_counts(*, event: Event) -> dict[str, int]:
    rows = Participant.objects.filter(event=event).values("kind").annotate(count=Count("id"))
    return {row["kind"]: row["count"] for row in rows}


def participant_get(*, event: Event, user: User) -> Participant | None:
    if not user.is_authenticated:
        return None
    return Participant.objects.filter(event=event, user=user).first()


def organization_audit_log(*, organization: Organization) -> QuerySet[AuditLogEntry]:
    return AuditLogEntry.objects.filter(organization=organization).select_related("actor", "event")
