"""The one check behind every ``*_access`` selector: fetch one object by the id in a URL and
authorize in the same call, so that a missing object, another event's and one the user may
not reach all raise the same ``NotFound`` (DESIGN §2)."""

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db.models import Model

from accounts.models import User
from eventhub import errors
from events.models import Event

M = TypeVar("M", bound=Model)


def reachable(obj: M | None, *, user: User | AnonymousUser, event: Event, permission: str | None) -> M:
    """``obj`` (an object of ``event``, or None when there is no such object) if ``user`` holds
    ``permission`` on the event, else ``NotFound``. ``permission=None``: the caller checked
    ownership instead."""
    if obj is None or (permission is not None and not user.has_perm(permission, event)):
        raise errors.NotFound()
    return obj


def event_access(*, user: User | AnonymousUser, event_id: int, permission: str) -> Event:
    """The event a ticketing URL names by id, if ``user`` holds ``permission`` on it
    (``events.view_event`` for attendees, ``ticketing.scan`` for operators at a scanner)."""
    event = Event.objects.select_related("organization").filter(pk=event_id).first()
    if event is None or not user.has_perm(permission, event):
        raise errors.NotFound()
    return event
