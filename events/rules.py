"""Permission predicates for organizations and events, asked by the portal, the API, the
stream authorization and the consumer alike. Call them inside the tenant scope."""

import rules

from .enums import EventStatus, EventVisibility, MemberRole, ParticipantKind
from .models import Event, Organization, OrganizationMember, Participant

MANAGERS = (MemberRole.OWNER, MemberRole.ADMIN)
EDITORS = (MemberRole.OWNER, MemberRole.ADMIN, MemberRole.EDITOR)


def _organization_id(obj: Organization | Event) -> int:
    return obj.pk if isinstance(obj, Organization) else obj.organization_id


def member_role(user, obj: Organization | Event) -> str | None:
    if not user.is_authenticated or obj is None:
        return None
    return (
        OrganizationMember.objects.filter(organization_id=_organization_id(obj), user=user)
        .values_list("role", flat=True)
        .first()
    )


def participant_kind(user, event: Event) -> str | None:
    if not user.is_authenticated or event is None:
        return None
    return Participant.objects.filter(event=event, user=user).values_list("kind", flat=True).first()


@rules.predicate
def is_member(user, obj) -> bool:
    return member_role(user, obj) is not None


@rules.predicate
def is_owner(user, obj) -> bool:
    return member_role(user, obj) == MemberRole.OWNER


@rules.predicate
def is_manager(user, obj) -> bool:
    return member_role(user, obj) in MANAGERS


@rules.predicate
def is_editor(user, obj) -> bool:
    return member_role(user, obj) in EDITORS


@rules.predicate
def is_participant(user, event) -> bool:
    return participant_kind(user, event) is not None


@rules.predicate
def is_event_crew(user, event) -> bool:
    """Staff and volunteers of the event (organization members are staff implicitly)."""
    return participant_kind(user, event) in (ParticipantKind.STAFF, ParticipantKind.VOLUNTEER)


@rules.predicate
def is_announced(user, event) -> bool:
    return event is not None and event.status != EventStatus.DRAFT


@rules.predicate
def is_listed_or_link(user, event) -> bool:
    return event is not None and event.visibility in (EventVisibility.PUBLIC, EventVisibility.UNLISTED)


@rules.predicate
def is_joinable(user, event) -> bool:
    return event is not None and event.open_registration and event.status in (EventStatus.PUBLISHED, EventStatus.LIVE)


# Public first: it needs no query, so a listed event's reads never look up the caller's roles.
can_view_event = (is_announced & is_listed_or_link) | is_member | (is_announced & is_participant)

rules.add_perm("events.view_organization", is_member)
# The public pages (``events/public``): the same for everyone, members included, so a draft or a
# private event is a 404 there even for its organizers, and a page can be shared and cached.
rules.add_perm("events.view_public_page", is_announced & is_listed_or_link)
rules.add_perm("events.manage_members", is_manager)
rules.add_perm("events.manage_owners", is_owner)
rules.add_perm("events.add_event", is_editor)
rules.add_perm("events.view_event", can_view_event)
rules.add_perm("events.change_event", is_editor)
rules.add_perm("events.view_audit_log", is_manager)
rules.add_perm("events.join_event", rules.is_authenticated & can_view_event & is_joinable)
rules.add_perm("events.read_staff_stream", is_member | is_event_crew)
# The agenda (sessions, rooms, tracks, speakers, announcements, display links) is content.
rules.add_perm("events.change_agenda", is_editor)
