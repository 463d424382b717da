"""The event stream kinds: ``event:<id>`` (public updates) and ``event:<id>:staff`` (operations)."""

from eventhub.realtime.streams import (
    EVENT_STAFF_STREAM_PATTERN,
    EVENT_STREAM_PATTERN,
    StreamReader,
    event_stream,
    register_link_kind,
    register_stream_kind,
)

from .models import DisplayLink, Event
from .tenancy import event_id_for_link_token, event_scope


def _event_permission(permission: str):
    def can_read(user: StreamReader, event_id: int) -> bool:
        with event_scope(event_id):
            event = Event.objects.filter(pk=event_id).first()
            return event is not None and user.has_perm(permission, event)

    return can_read


register_stream_kind(name="event", pattern=EVENT_STREAM_PATTERN, can_read=_event_permission("events.view_event"))
register_stream_kind(
    name="event_staff", pattern=EVENT_STAFF_STREAM_PATTERN, can_read=_event_permission("events.read_staff_stream")
)


def _display_streams(token: str) -> frozenset[str] | None:
    event_id = event_id_for_link_token(DisplayLink, token)
    return frozenset({event_stream(event_id)}) if event_id is not None else None


# A door display reads its event's public stream with a revocable link instead of an account.
register_link_kind(name="display", resolve=_display_streams)
