"""Tenant resolution: the only place that maps a URL, an event id or a user to organizations.

Every event-owned model has a django-scopes ``ScopedManager(organization=...)``; a query outside
a scope raises ``ScopeError`` instead of leaking. The lookups below are the sanctioned
unscoped reads: they return tenant keys (organization or event ids), never tenant data.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django_scopes import scope

from .enums import EventStatus, EventVisibility
from .models import Event, Invitation, Organization, OrganizationMember, Participant

# An event's organization is fixed (no service moves events), so it is remembered per process;
# for a minute only, because staff can still reassign one in the admin.
_EVENT_ORGANIZATION_TTL = 60.0
_event_organizations: dict[int, tuple[list[int], float]] = {}


def organization_ids_for_event(event_id: int) -> list[int]:
    now = time.monotonic()
    known = _event_organizations.get(event_id)
    if known is not None and known[1] > now:
        return known[0]
    ids = list(Event.objects.with_scopes_disabled().filter(pk=event_id).values_list("organization_id", flat=True))
    if ids:  # a missing event is not remembered: it may be created next
        if len(_event_organizations) > 10_000:
            _event_organizations.clear()
        _event_organizations[event_id] = (ids, now + _EVENT_ORGANIZATION_TTL)
    return ids


def event_id_for_link_token(model: type[Any], token: str) -> int | None:
    """The event of an unrevoked bearer link (a door display link, a private calendar feed):
    ``model`` has ``token``, ``revoked_at`` and ``event``. Enter ``event_scope`` with the result."""
    if not isinstance(token, str) or not token:
        return None
    links = model.objects.with_scopes_disabled().filter(token=token, revoked_at__isnull=True)
    return links.values_list("event_id", flat=True).first()


def organization_ids_for_user(user_id: int | None) -> list[int]:
    """The organizations a user belongs to or takes part in an event of."""
    if user_id is None:
        return []
    # order_by(): the models' default orderings would join users and events for nothing.
    member_of = OrganizationMember.objects.with_scopes_disabled().filter(user_id=user_id).order_by()
    participant_in = Participant.objects.with_scopes_disabled().filter(user_id=user_id).order_by()
    return sorted(
        set(member_of.values_list("organization_id", flat=True))
        | set(participant_in.values_list("event__organization_id", flat=True))
    )


def organization_ids_with_joinable_events() -> list[int]:
    """The organizations that have a listed event anyone may join (public, announced, open
    registration): the scope of the "open events" list."""
    joinable = Event.objects.with_scopes_disabled().filter(
        visibility=EventVisibility.PUBLIC, status__in=(EventStatus.PUBLISHED, EventStatus.LIVE), open_registration=True
    )
    return sorted(set(joinable.order_by().values_list("organization_id", flat=True)))


@contextmanager
def joinable_events_scope() -> Iterator[None]:
    """Enter the scope of every organization with an event open to join (the public list)."""
    with scope(organization=organization_ids_with_joinable_events()):
        yield


@contextmanager
def event_scope(event_id: int) -> Iterator[None]:
    """Enter the scope of an event's organization (an empty scope if the event does not exist)."""
    with scope(organization=organization_ids_for_event(event_id)):
        yield


@contextmanager
def user_scope(user_id: int | None) -> Iterator[None]:
    """Enter the scope of every organization the user is part of, for personal cross-tenant
    lists such as "my events"."""
    with scope(organization=organization_ids_for_user(user_id)):
        yield


def _organization_ids_for_url_kwargs(kwargs: dict) -> list[int] | None:
    if "organization" in kwargs:
        return list(Organization.objects.filter(slug=kwargs["organization"]).values_list("pk", flat=True))
    if "event_id" in kwargs:
        return organization_ids_for_event(kwargs["event_id"])
    return None


class TenantScopeMiddleware:
    """Enters the tenant scope named by the URL (``organization`` slug or ``event_id``) around
    the view. URLs without a tenant run without a scope: their views touch scoped models only
    through ``user_scope``/``event_scope``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        organization_ids = _organization_ids_for_url_kwargs(match.kwargs)
        if organization_ids is None:
            return self.get_response(request)
        with scope(organization=organization_ids):
            return self.get_response(request)


def organization_id_for_invitation(invitation_id: int) -> int | None:
    """The organization of an invitation, for its accept page: the signed token in the link
    names only the invitation. Enter ``scope(organization=[id])`` with the result."""
    return (
        Invitation.objects.with_scopes_disabled()
        .filter(pk=invitation_id)
        .values_list("organization_id", flat=True)
        .first()
    )
