"""Writes for organizations, members, events and participants.

Every organizer action writes an audit entry; every change that clients see is a stream entry
appended in the same transaction (broadcast on commit)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_by_email
from eventhub import errors
from eventhub.audit import audit_log, diff, snapshot
from eventhub.realtime.services import stream_append, stream_readers_changed
from eventhub.realtime.streams import event_staff_stream, event_stream, user_stream
from eventhub.services import full_clean_or_invalid, require_permission, unique_or_invalid

from ..enums import EntryType, EventStatus, MemberRole, ParticipantKind, SessionTimes
from ..models import Event, Organization, OrganizationMember, Participant, Session
from .agenda import agenda_rezone

EVENT_FIELDS = [
    "name",
    "slug",
    "timezone",
    "start",
    "end",
    "venue_name",
    "venue_address",
    "description",
    "status",
    "visibility",
    "open_registration",
]
# What attendees see of an event on its public stream.
PUBLIC_EVENT_FIELDS = [f for f in EVENT_FIELDS if f != "slug"]

ORGANIZATION_SLUG_TAKEN = "This address is taken."
EVENT_SLUG_TAKEN = "Another event of this organization uses this address."
ALREADY_MEMBER = "This person is already a member."


@transaction.atomic
def organization_create(*, actor: User, name: str, slug: str) -> Organization:
    """Create an organization with ``actor`` as its owner."""
    taken = Organization.objects.filter(slug=slug).exists
    if taken():
        raise errors.Invalid(fields={"slug": ORGANIZATION_SLUG_TAKEN})
    with unique_or_invalid(field="slug", message=ORGANIZATION_SLUG_TAKEN, taken=taken):
        organization = Organization.objects.create(name=name, slug=slug)
    OrganizationMember.objects.create(organization=organization, user=actor, role=MemberRole.OWNER)
    audit_log(actor=actor, organization_id=organization.pk, action="organization.created", obj=organization)
    return organization


def _event_slug_taken(event: Event) -> bool:
    return Event.objects.filter(organization_id=event.organization_id, slug=event.slug).exclude(pk=event.pk).exists()


def _validate_event(event: Event) -> None:
    full_clean_or_invalid(event, exclude=["organization"])
    if _event_slug_taken(event):
        raise errors.Invalid(fields={"slug": EVENT_SLUG_TAKEN})


def _save_event(event: Event) -> None:
    with unique_or_invalid(field="slug", message=EVENT_SLUG_TAKEN, taken=lambda: _event_slug_taken(event)):
        event.save()


@transaction.atomic
def event_create(*, actor: User, organization: Organization, **fields: Any) -> Event:
    require_permission(actor, "events.add_event", organization)
    event = Event(organization=organization, **{k: v for k, v in fields.items() if k in EVENT_FIELDS})
    _validate_event(event)
    _save_event(event)
    audit_log(
        actor=actor,
        organization_id=organization.pk,
        event_id=event.pk,
        action="event.created",
        obj=event,
        changes={"after": snapshot(event, EVENT_FIELDS)},
    )
    return event


@transaction.atomic
def event_update(*, actor: User | None, event: Event, session_times: str | None = None, **fields: Any) -> Event:
    """Change an event. Side effects: audit entry; ``event.updated`` on the event stream with the
    changed public fields and their old values. ``actor=None`` is the system (scheduled tasks).

    A change of time zone with sessions on the agenda needs ``session_times``: ``wall`` keeps
    every draft session's wall-clock times (10:00 stays 10:00 in the new zone, so the instants
    move), ``instant`` keeps the instants (10:00 Berlin shows as 04:00 New York). Either way the
    draft is re-checked; what conflicts afterwards (``agenda_problems``) blocks publishing, not
    this change. Locking: the event row, which every agenda write takes too."""
    if actor is not None:
        require_permission(actor, "events.change_event", event)
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = snapshot(event, EVENT_FIELDS)
    old_tz = event.tz
    for name, value in fields.items():
        if name not in EVENT_FIELDS:
            raise errors.Invalid(fields={name: "This field cannot be changed."})
        setattr(event, name, value)
    _validate_event(event)
    changes = diff(before, snapshot(event, EVENT_FIELDS))
    if not changes:
        return event
    rezoned: list[int] = []
    if "timezone" in changes and Session.objects.filter(event=event).exists():
        if session_times not in SessionTimes.values:
            raise errors.Invalid(
                fields={
                    "session_times": _(
                        "The agenda has sessions: choose whether they keep their wall-clock times or their instants."
                    )
                }
            )
        if session_times == SessionTimes.WALL:
            rezoned = agenda_rezone(event=event, old_tz=old_tz, new_tz=ZoneInfo(event.timezone))
    _save_event(event)
    if "timezone" in changes and session_times:
        changes["session_times"] = {"value": session_times, "sessions": rezoned}
    audit_log(
        actor=actor,
        organization_id=event.organization_id,
        event_id=event.pk,
        action="event.updated",
        obj=event,
        changes=changes,
    )
    public_changes = {name: change for name, change in changes.items() if name in PUBLIC_EVENT_FIELDS}
    if public_changes:
        stream_append(
            stream=event_stream(event.pk),
            type=EntryType.EVENT_UPDATED,
            data={"id": event.pk, "changes": public_changes},
        )
    return event


def event_advance_statuses(*, now: datetime | None = None) -> list[int]:
    """Published events whose start has come go live; live events whose end has passed end.
    Idempotent: an event already advanced is not touched again. Returns the changed event ids."""
    now = now or timezone.now()
    changed = []
    transitions = [
        (EventStatus.PUBLISHED, "start__lte", EventStatus.LIVE),
        (EventStatus.LIVE, "end__lte", EventStatus.ENDED),
    ]
    for current, field, target in transitions:
        for event_id in Event.objects.filter(status=current, **{field: now}).values_list("pk", flat=True):
            with transaction.atomic():
                # Re-check under the row lock: an organizer may have changed the status since.
                event = Event.objects.select_for_update().filter(pk=event_id, status=current, **{field: now}).first()
                if event is None:
                    continue
                event_update(actor=None, event=event, status=target)
            changed.append(event_id)
    return changed


def _lock_event_participants(event: Event) -> None:
    """Serialize the joins of one event until the transaction ends, so that each join counts
    every participant committed before it (without it, concurrent joins each count only their
    own row and publish the same total). ``FOR NO KEY UPDATE`` leaves inserts of rows that
    reference the event (rooms, tickets) unblocked."""
    Event.objects.select_for_update(no_key=True).filter(pk=event.pk).values_list("pk").get()


@transaction.atomic
def participant_join(*, user: User, event: Event) -> tuple[Participant, bool]:
    """Join an open event as an attendee. Idempotent: joining twice returns the same participant.
    Side effects on first join: ``participant.joined`` on the staff stream (with the new count)
    and ``participation.created`` on the user's stream. Locking: a first join holds the event's
    participant lock (``_lock_event_participants``) until the transaction ends."""
    require_permission(user, "events.join_event", event)
    participant, created = Participant.objects.get_or_create(
        event=event, user=user, defaults={"kind": ParticipantKind.ATTENDEE}
    )
    if created:
        _lock_event_participants(event)
        count = Participant.objects.filter(event=event).count()
        stream_append(
            stream=event_staff_stream(event.pk),
            type=EntryType.PARTICIPANT_JOINED,
            data={"participant": participant.pk, "kind": participant.kind, "participants": count},
        )
        stream_append(
            stream=user_stream(user.pk),
            type=EntryType.PARTICIPATION_CREATED,
            data={"event": event.pk, "kind": participant.kind},
        )
    return participant, created


@transaction.atomic
def member_add(*, actor: User, organization: Organization, email: str, role: str) -> OrganizationMember:
    require_permission(actor, "events.manage_members", organization)
    if role not in MemberRole.values:
        raise errors.Invalid(fields={"role": "Unknown role."})
    _require_owner_for(actor, organization, role)
    user = user_by_email(email=email)
    if user is None:
        raise errors.Invalid(fields={"email": "No account uses this email address; ask them to sign up first."})
    taken = OrganizationMember.objects.filter(organization=organization, user=user).exists
    if taken():
        raise errors.Invalid(fields={"email": ALREADY_MEMBER})
    with unique_or_invalid(field="email", message=ALREADY_MEMBER, taken=taken):
        member = OrganizationMember.objects.create(organization=organization, user=user, role=role)
    audit_log(
        actor=actor,
        organization_id=organization.pk,
        action="member.added",
        obj=member,
        changes={"user": user.email, "role": role},
    )
    return member


def _require_owner_for(actor: User, organization: Organization, *roles: str) -> None:
    """Only owners grant, take away or remove the owner role (admins manage everyone else)."""
    if MemberRole.OWNER in roles and not actor.has_perm("events.manage_owners", organization):
        raise errors.Invalid(fields={"role": "Only an owner can grant or remove the owner role."})


def _lock_organization(organization: Organization) -> None:
    """Serialize membership changes of one organization until the transaction ends."""
    Organization.objects.select_for_update().filter(pk=organization.pk).values_list("pk").get()


def _ensure_an_owner_remains(organization: Organization, leaving: OrganizationMember) -> None:
    """Refuse to lose the last owner. Locks the organization row first, so two owners demoting
    or removing each other at the same moment are serialized and the second one is refused."""
    _lock_organization(organization)
    try:
        leaving.refresh_from_db(fields=["role"])
    except OrganizationMember.DoesNotExist:
        raise errors.Invalid(fields={"role": "This member was removed meanwhile."}) from None
    owners = OrganizationMember.objects.filter(organization=organization, role=MemberRole.OWNER)
    if leaving.role == MemberRole.OWNER and owners.exclude(pk=leaving.pk).count() == 0:
        raise errors.Invalid(fields={"role": "An organization needs at least one owner."})


@transaction.atomic
def member_change_role(*, actor: User, member: OrganizationMember, role: str) -> OrganizationMember:
    require_permission(actor, "events.manage_members", member.organization)
    if role not in MemberRole.values:
        raise errors.Invalid(fields={"role": "Unknown role."})
    if role == member.role:
        return member
    _require_owner_for(actor, member.organization, role, member.role)
    if role != MemberRole.OWNER:
        _ensure_an_owner_remains(member.organization, member)
    old = member.role
    member.role = role
    member.save(update_fields=["role"])
    stream_readers_changed(user_ids=[member.user_id])  # a lower role may lose the staff stream at once
    audit_log(
        actor=actor,
        organization_id=member.organization_id,
        action="member.role_changed",
        obj=member,
        changes={"role": {"old": old, "new": role}},
    )
    return member


@transaction.atomic
def member_remove(*, actor: User, member: OrganizationMember) -> None:
    require_permission(actor, "events.manage_members", member.organization)
    _require_owner_for(actor, member.organization, member.role)
    _ensure_an_owner_remains(member.organization, member)
    audit_log(
        actor=actor,
        organization_id=member.organization_id,
        action="member.removed",
        obj=member,
        changes={"user": member.user.email, "role": member.role},
    )
    member.delete()
    stream_readers_changed(user_ids=[member.user_id])  # their open sockets lose the staff stream now
