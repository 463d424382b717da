"""Reads for organizations, events and participants. Call inside the tenant scope (the
middleware's, or ``user_scope`` for personal cross-tenant lists)."""

import copy
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_scopes import get_scope

from accounts.models import User
from eventhub import errors
from eventhub.access import reachable
from eventhub.models import AuditLogEntry
from eventhub.realtime.models import StreamHead
from eventhub.realtime.streams import event_stream, event_stream_sql

from ..enums import EventStatus, EventVisibility
from ..models import Event, Organization, OrganizationMember, Participant, Room, Session, Speaker, Track
from ..tenancy import user_scope

# --- access: fetch and authorize in one call ---------------------------------------------------
# Each raises ``errors.NotFound`` for an object that is missing, of another tenant, or one the
# user may not see or lacks ``permission`` on: the same answer for all (DESIGN §2).


def organization_access(*, user: Any, slug: str, permission: str = "events.view_organization") -> Organization:
    """The organization with this slug, for a member holding ``permission`` on it."""
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None or not user.has_perm("events.view_organization", organization):
        raise errors.NotFound()
    if permission != "events.view_organization" and not user.has_perm(permission, organization):
        raise errors.NotFound()
    return organization


def event_access(
    *,
    user: Any,
    permission: str | None = "events.view_event",
    event_id: int | None = None,
    organization: Organization | None = None,
    slug: str | None = None,
    stream_head: bool = False,
) -> Event:
    """The event named by its id (the API; with its organization) or by its organization and slug
    (the portal), if the user holds ``permission`` on it. ``stream_head`` also reads the head of
    its public stream into ``event.stream_head`` in the same query (a polled agenda read then
    needs no further query for its ETag)."""
    if event_id is not None and stream_head and connection.vendor == "postgresql":
        return reachable(_event_with_head(event_id), user=user, permission=permission)
    if event_id is not None:
        events = Event.objects.select_related("organization").filter(pk=event_id)
    else:
        events = Event.objects.filter(organization=organization, slug=slug)
    if stream_head:
        head = StreamHead.objects.filter(stream=event_stream_sql(OuterRef("pk")))
        events = events.annotate(stream_head=Coalesce(Subquery(head.values("seq")[:1]), 0))
    event = events.first()
    return reachable(event, user=user, permission=permission)


# --- the API's event rows, kept per process -------------------------------------------------------
#
# Every API read of an event starts with its row, its organization and its stream head (the
# ETag). Building that query through the ORM costs ~1.5 ms of CPU, more than the rest of a
# polled agenda read (issue 12), so each process keeps the rows it loaded, with their
# PostgreSQL row versions (every UPDATE, however it is made, writes a new row version: a new
# ``ctid``, and ``xmin`` names its transaction — the pair never repeats for one row, even for two
# updates in one transaction; a vacuum that moves a row only costs a reload),
# and each read asks only for the current versions and the head, in one small statement. An
# unchanged pair of versions means the kept rows are exactly what the ORM would load; anything
# else loads them again. The tenant scope applies to that statement as django-scopes applies it
# to ``Event.objects`` (the organizations of the current scope; outside one, the ORM path raises).

_EVENTS = Event._meta.db_table
_ROW_VERSIONS_SQL = (
    f"{_EVENTS}.xmin::text || '/' || {_EVENTS}.ctid::text || ':' || "  # noqa: S608 (table names, no input)
    f"(SELECT o.xmin::text || '/' || o.ctid::text FROM {Organization._meta.db_table} o "
    f"WHERE o.id = {_EVENTS}.organization_id)"
)
_HEAD_SQL = f"COALESCE((SELECT seq FROM {StreamHead._meta.db_table} WHERE stream = %s), 0)"  # noqa: S608
_CHECK_SQL = f"SELECT {_ROW_VERSIONS_SQL}, {_HEAD_SQL} FROM {Event._meta.db_table} WHERE id = %s"  # noqa: S608
_kept_events: dict[int, tuple[str, Event]] = {}
_KEPT_MAX = 1_000


def _event_with_head(event_id: int) -> Event | None:
    current = get_scope()
    kept = _kept_events.get(event_id)
    if kept is not None and current.get("_enabled", True) and "organization" in current:
        allowed = current["organization"]
        sql = _CHECK_SQL
        params: list[Any] = [event_stream(event_id), event_id]
        if isinstance(allowed, (list, tuple)):
            sql, params = sql + " AND organization_id = ANY(%s)", [*params, list(allowed)]
        elif allowed is not None:
            sql, params = sql + " AND organization_id = %s", [*params, allowed]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if row[0] == kept[0]:
            return _fresh_copy(kept[1], stream_head=row[1])
    event = (
        Event.objects.select_related("organization")
        .filter(pk=event_id)
        .annotate(
            row_versions=RawSQL(_ROW_VERSIONS_SQL, []),  # noqa: S611 (table names, no input)
            stream_head=RawSQL(_HEAD_SQL, [event_stream(event_id)]),  # noqa: S611
        )
        .first()
    )
    if event is None:
        return None
    if len(_kept_events) >= _KEPT_MAX:
        _kept_events.clear()
    _kept_events[event_id] = (event.row_versions, _fresh_copy(event, stream_head=event.stream_head))
    return event


def _fresh_copy(event: Event, *, stream_head: int) -> Event:
    """A copy for one request (views may set attributes; daphne runs views in threads)."""
    copied = copy.copy(event)
    copied._state = copy.copy(event._state)
    copied._state.fields_cache = dict(event._state.fields_cache)
    copied.stream_head = stream_head  # type: ignore[attr-defined]  # the annotation the ORM path sets
    return copied


def member_access(
    *, user: Any, organization: Organization, member_id: int, permission: str = "events.manage_members"
) -> OrganizationMember:
    """A member of the organization (with user and profile), for a user holding ``permission`` on
    the organization."""
    member = organization_members(organization=organization).filter(pk=member_id).first()
    return reachable(member, user=user, permission=permission, target=organization)


# --- lists -------------------------------------------------------------------------------------


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


def events_open_to_join(*, now: datetime | None = None) -> QuerySet[Event]:
    """Listed events anyone signed in may join (public, published or live, open registration)
    that have not ended yet, soonest first. Evaluate inside ``joinable_events_scope``."""
    now = now or timezone.now()
    return (
        Event.objects.filter(
            visibility=EventVisibility.PUBLIC,
            status__in=(EventStatus.PUBLISHED, EventStatus.LIVE),
            open_registration=True,
            end__gt=now,
        )
        .select_related("organization")
        .order_by("start", "id")
    )


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


def participant_get(*, event: Event, user: User | AnonymousUser) -> Participant | None:
    if not user.is_authenticated:
        return None
    return Participant.objects.filter(event=event, user=user).first()


def organization_audit_log(*, organization: Organization) -> QuerySet[AuditLogEntry]:
    return AuditLogEntry.objects.filter(organization=organization).select_related("actor", "event")


# What an audit entry's changes name by id, and where to find the names (within the organization).
AUDIT_REFERENCES: dict[str, str] = {
    "room": "room",
    "track": "track",
    "speakers": "speaker",
    "session": "session",
    "sessions": "session",
}


def audit_reference_names(*, organization: Organization, entries: list[AuditLogEntry]) -> dict[str, dict[int, str]]:
    """The names of the rooms, tracks, speakers and sessions that ``entries`` name by id in
    their changes or as their object (``{"room": {3: "Hall A"}, ...}``), so the audit log shows
    names; one query per kind, only objects of this organization's events."""
    wanted: dict[str, set[int]] = {"room": set(), "track": set(), "speaker": set(), "session": set()}

    def collect(kind: str, value: Any) -> None:
        values = value if isinstance(value, list) else [value]
        wanted[kind].update(item for item in values if isinstance(item, int) and not isinstance(item, bool))

    for entry in entries:
        app_label, _, model = entry.object_type.partition(".")
        if app_label == "events" and model in wanted and entry.object_id.isdigit():
            wanted[model].add(int(entry.object_id))
        for key, change in entry.changes.items():
            if key in AUDIT_REFERENCES:
                kind = AUDIT_REFERENCES[key]
                if isinstance(change, dict) and set(change) == {"old", "new"}:
                    collect(kind, change["old"])
                    collect(kind, change["new"])
                else:
                    collect(kind, change)
            elif key in ("after", "before") and isinstance(change, dict):
                for name, value in change.items():
                    if name in AUDIT_REFERENCES:
                        collect(AUDIT_REFERENCES[name], value)
    sources: dict[str, tuple[QuerySet[Any], str]] = {
        "room": (Room.objects.all(), "name"),
        "track": (Track.objects.all(), "name"),
        "speaker": (Speaker.objects.all(), "name"),
        "session": (Session.objects.all(), "title"),
    }
    names: dict[str, dict[int, str]] = {}
    for kind, ids in wanted.items():
        if ids:
            queryset, label = sources[kind]
            rows = queryset.filter(event__organization=organization, pk__in=ids).values_list("pk", label)
            names[kind] = {pk: name for pk, name in rows}
    return names
