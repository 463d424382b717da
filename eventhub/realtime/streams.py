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


class LinkReader(AnonymousUser):
    """A reader without an account who holds a bearer link (a door display): it may read exactly
    the streams the link grants, for as long as the link is valid."""

    def __init__(self, *, link_kind: str, token: str, streams: frozenset[str]) -> None:
        self.link_kind, self.token, self.streams = link_kind, token, streams


# Link kind -> resolve(token) -> the streams an unrevoked link grants, or None.
_link_kinds: dict[str, Callable[[str], frozenset[str] | None]] = {}


def register_link_kind(*, name: str, resolve: Callable[[str], frozenset[str] | None]) -> None:
    _link_kinds[name] = resolve


def link_kinds() -> frozenset[str]:
    return frozenset(_link_kinds)


def link_reader(*, link_kind: str, token: str) -> LinkReader | None:
    """The reader for a link token, or None for an unknown, revoked or malformed one (runs queries)."""
    resolve = _link_kinds.get(link_kind)
    streams = resolve(token) if resolve is not None and isinstance(token, str) and 0 < len(token) <= 200 else None
    return LinkReader(link_kind=link_kind, token=token, streams=streams) if streams is not None else None


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
    if isinstance(user, LinkReader):
        return stream in user.streams
    return kind.can_read(user, object_id)


def event_stream(event_id: int) -> str:
    return f"event:{event_id}"


def event_staff_stream(event_id: int) -> str:
    return f"event:{event_id}:staff"


def user_stream(user_id: int) -> str:
    return f"user:{user_id}"


def conversation_stream(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"
