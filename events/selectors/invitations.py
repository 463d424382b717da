"""Reads for invitations: the organization's list, one invitation by id for the portal's
buttons, and the invitation a link's token names (the accept page)."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django_scopes import scope

from eventhub import errors

from ..enums import InvitationKind
from ..models import Invitation, Organization, Speaker
from ..services.invitations import invitation_token_id
from ..tenancy import organization_id_for_invitation


def invitations_pending(*, organization: Organization, kinds: list[str]) -> QuerySet[Invitation]:
    """Open invitations (not accepted, not revoked; expired ones included, to be resent)."""
    return (
        Invitation.objects.filter(
            organization=organization, kind__in=kinds, accepted_at__isnull=True, revoked_at__isnull=True
        )
        .select_related("event", "speaker", "invited_by")
        .order_by("-sent_at", "-id")
    )


def invitation_kinds_for(*, user: Any, organization: Organization) -> list[str]:
    """Which invitations the user manages: team ones with ``events.manage_members``, speaker
    ones with ``events.change_agenda`` (editors)."""
    kinds = []
    if user.has_perm("events.manage_members", organization):
        kinds.append(InvitationKind.TEAM.value)
    if user.has_perm("events.change_agenda", organization):
        kinds.append(InvitationKind.SPEAKER.value)
    return kinds


def invitation_access(*, user: Any, organization: Organization, invitation_id: int) -> Invitation:
    """An invitation of the organization that the user manages (``NotFound`` otherwise)."""
    kinds = invitation_kinds_for(user=user, organization=organization)
    invitation = (
        Invitation.objects.filter(organization=organization, pk=invitation_id, kind__in=kinds)
        .select_related("organization", "event", "speaker")
        .first()
    )
    if invitation is None:
        raise errors.NotFound()
    return invitation


@dataclass(frozen=True)
class LinkState:
    invitation: Invitation
    nonce: str
    # "" while it can be accepted; else why not: revoked | accepted | expired | replaced
    closed: str


def link_state(invitation: Invitation, nonce: str, *, now: datetime | None = None) -> str:
    now = now or timezone.now()
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.nonce != nonce:
        return "replaced"
    if invitation.expires_at <= now:
        return "expired"
    return ""


@contextmanager
def invitation_link_scope(*, token: str) -> Iterator[LinkState]:
    """Inside its organization's scope, the invitation a link names and its state;
    ``errors.NotFound`` for a token we did not sign or whose invitation is gone. The one
    unscoped read is ``tenancy.organization_id_for_invitation`` (a key, no tenant data)."""
    named = invitation_token_id(token)
    organization_id = organization_id_for_invitation(named[0]) if named else None
    if named is None or organization_id is None:
        raise errors.NotFound()
    with scope(organization=[organization_id]):
        invitation = (
            Invitation.objects.filter(pk=named[0])
            .select_related("organization", "event", "event__organization", "speaker", "invited_by")
            .first()
        )
        if invitation is None:
            raise errors.NotFound()
        yield LinkState(invitation=invitation, nonce=named[1], closed=link_state(invitation, named[1]))


def own_speaker_access(*, user: Any, event_id: int) -> Speaker:
    """The speaker profile linked to the user's account at the event (with the event), whatever
    the event's status: a speaker edits their profile before the agenda is out. ``NotFound``
    otherwise, as for a missing event."""
    speaker = (
        Speaker.objects.filter(event_id=event_id, user=user).select_related("event", "event__organization").first()
        if user.is_authenticated
        else None
    )
    if speaker is None:
        raise errors.NotFound()
    return speaker
