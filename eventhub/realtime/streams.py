"""Stream names and who may read them. Apps register their stream kinds here (in their
``AppConfig.ready``); the consumer, the catch-up API and the retention task all ask this module.

Names: ``event:<id>``, ``event:<id>:staff``, ``conversation:<id>``, ``user:<id>``.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from accounts.models import User

StreamReader = User | AnonymousUser


class InvalidStreamName(ValueError):
    pass


@dataclass(frozen=True)
class StreamKind:
    name: str
    pattern: re.Pattern[str]
    can_read: Callable[[StreamReader, int], bool]
    """Called with the reader and the id in the name; runs database queries (sync)."""


_kinds: dict[str, StreamKind] = {}


def register_stream_kind(*, name: str, pattern: str, can_read: Callable[[StreamReader, int], bool]) -> None:
    _kinds[name] = StreamKind(name=name, pattern=re.compile(pattern), can_read=can_read)


def stream_kind(stream: str) -> tuple[StreamKind, int]:
    if isinstance(stream, str) and len(stream) <= 120:
        for kind in _kinds.values():
            match = kind.pattern.fullmatch(stream)
            if match:
                return kind, int(match.group(1))
    raise InvalidStreamName(f"{stream!r} is not a stream name.")


def stream_can_read(*, user: StreamReader, stream: str) -> bool:
    """Whether the user may read the stream; False for invalid names and missing objects."""
    try:
        kind, object_id = stream_kind(stream)
    except InvalidStreamName:
        return False
    return kind.can_read(user, object_id)


def event_stream(event_id: int) -> str:
    return f"event:{event_id}"


def event_staff_stream(event_id: int) -> str:
    return f"event:{event_id}:staff"


def user_stream(user_id: int) -> str:
    return f"user:{user_id}"


def conversation_stream(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"
