"""Door displays: revocable bearer links for door screens (the writes). What a display shows is
``selectors/displays.py``."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from eventhub import errors
from eventhub.audit import audit_log
from eventhub.services import full_clean_or_invalid, require_permission

from ..models import DisplayLink, Event, Room


@transaction.atomic
def display_link_create(*, actor: User, event: Event, name: str, room: Room | None = None) -> DisplayLink:
    """A new link for a door screen of ``room`` (or the whole venue). Writes an audit entry."""
    require_permission(actor, "events.change_agenda", event)
    if room is not None and room.event_id != event.pk:
        raise errors.Invalid(fields={"room": "Choose a room of this event."})
    link = DisplayLink(event=event, room=room, name=name.strip())
    full_clean_or_invalid(link, exclude=["event", "room", "token"])
    link.save()
    audit_log(
        actor=actor,
        organization_id=event.organization_id,
        event_id=event.pk,
        action="display_link.created",
        obj=link,
        changes={"after": {"name": link.name, "room": room.name if room else None}},
    )
    return link


@transaction.atomic
def display_link_revoke(*, actor: User, link: DisplayLink) -> DisplayLink:
    """Revoke a link: its page answers 404 at once; an open socket is dropped at the consumer's
    next re-authorization. Idempotent."""
    require_permission(actor, "events.change_agenda", link.event)
    link = DisplayLink.objects.select_for_update().select_related("event").get(pk=link.pk)
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        audit_log(
            actor=actor,
            organization_id=link.event.organization_id,
            event_id=link.event_id,
            action="display_link.revoked",
            obj=link,
        )
    return link
