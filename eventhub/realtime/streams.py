"""Stream names and who may read them — the one module that builds a stream name.

Names (DESIGN §3): ``event:<id>``, ``event:<id>:staff``, ``conversation:<id>``, ``user:<id>``.
Build them with ``event_stream`` & co. below (in SQL: ``event_stream_sql``), never by hand. Apps
register their stream kinds here (in their ``AppConfig.ready``) with the matching ``*_PATTERN``
and a ``can_read`` predicate; the consumer, the catch-up API, ``stream_append`` and the retention
task all ask this module.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.contrib.auth.models import AnonymousUser
from django.db.models import CharField, Value
from django.db.models.expressions import Combinable
from django.db.models.functions import Cast, Concat

from eventhub import errors

# -- names --------------------------------------------------------------------------------------

# An id is canonical ASCII: no leading zero (``event:01`` would be a second name for ``event:1``,
# one no broadcast is ever sent to), no other digits (``\d`` also matches full-width and
# Arabic-Indic digits, which ``int`` accepts), and it fits a bigint column.
_ID = r"([1-9][0-9]{0,17})"
EVENT_STREAM_PATTERN = rf"event:{_ID}"
EVENT_STAFF_STREAM_PATTERN = rf"event:{_ID}:staff"
USER_STREAM_PATTERN = rf"user:{_ID}"
CONVERSATION_STREAM_PATTERN = rf"conversation:{_ID}"


def event_stream(event_id: int) -> str:
    """Public updates of one event: agenda changes, announcements, poll results, feed."""
    return f"event:{event_id}"


def event_staff_stream(event_id: int) -> str:
    """Operations of one event: check-ins, capacity, moderation queue."""
    return f"event:{event_id}:staff"


def user_stream(user_id: int) -> str:
    """One person's stream: notifications, bookmarks and notes, order updates."""
    return f"user:{user_id}"


def conversation_stream(conversation_id: int) -> str:
    return f"conversation:{conversation_id}"


def event_stream_sql(event_id: Combinable) -> Concat:
    """``event_stream`` in SQL, for a subquery keyed by an outer event id
    (``StreamHead.objects.filter(stream=event_stream_sql(OuterRef("pk")))``)."""
    return Concat(Value("event:"), Cast(event_id, CharField()))


# -- readers ------------------------------------------------------------------------------------


class StreamReader(Protocol):
    """Who reads a stream: a user, ``AnonymousUser`` or a ``LinkReader`` (typed without naming
    the project's user model: ``eventhub`` imports no domain app)."""

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    def has_perm(self, perm: str, obj: Any = None) -> bool: ...


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


def link_reader(*, link_kind: str, token: object) -> LinkReader | None:
    """The reader for a link token, or None for an unknown, revoked or malformed one (runs queries)."""
    resolve = _link_kinds.get(link_kind)
    if resolve is None or not isinstance(token, str) or not 0 < len(token) <= 200:
        return None
    streams = resolve(token)
    return LinkReader(link_kind=link_kind, token=token, streams=streams) if streams is not None else None


def register_stream_kind(*, name: str, pattern: str, can_read: Callable[[StreamReader, int], bool]) -> None:
    _kinds[name] = StreamKind(name=name, pattern=re.compile(pattern), can_read=can_read)


def stream_kind(stream: object) -> tuple[StreamKind, int]:
    if isinstance(stream, str) and len(stream) <= 120:
        for kind in _kinds.values():
            match = kind.pattern.fullmatch(stream)
            if match:
                return kind, int(match.group(1))
    raise InvalidStreamName(f"{stream!r} is not a stream name.")


def stream_can_read(*, user: StreamReader, stream: str) -> bool:
    """Whether the user may read the stream; False for invalid names and missing objects (also
    when a kind's ``can_read`` raises ``NotFound`` or ``PermissionDenied``: a stream answers
    ``forbidden`` either way, so its error confirms nothing)."""
    try:
        kind, object_id = stream_kind(stream)
    except InvalidStreamName:
        return False
    if isinstance(user, LinkReader):
        return stream in user.streams
    try:
        return kind.can_read(user, object_id)
    except (errors.NotFound, errors.PermissionDenied):
        return False
