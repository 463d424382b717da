"""The personal stream kind ``user:<id>``: notifications, connection requests, order updates."""

from eventhub.realtime.streams import USER_STREAM_PATTERN, StreamReader, register_stream_kind


def _is_self(user: StreamReader, user_id: int) -> bool:
    return user.is_authenticated and user.pk == user_id


register_stream_kind(name="user", pattern=USER_STREAM_PATTERN, can_read=_is_self)
