"""The wire format of the stream protocol (DESIGN §3): the ops, the error codes, and the frames
the server sends — entries encoded once and reused for every subscriber. The one place where a
domain error (``eventhub.errors``) becomes an error frame."""

import json
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from eventhub import errors

Ref = Any
"""A client's ``ref``: any JSON value, sent back unchanged on the answer."""


class Op(StrEnum):
    # client -> server
    AUTH = "auth"
    PING = "ping"
    SUBSCRIBE = "subscribe"
    UNSUBSCRIBE = "unsubscribe"
    # server -> client
    AUTHENTICATED = "authenticated"
    PONG = "pong"
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"
    RESET = "reset"
    HEARTBEAT = "heartbeat"
    ERROR = "error"


class ErrorCode(StrEnum):
    """The codes of ``{"op": "error"}`` frames — exactly DESIGN §3's vocabulary."""

    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    BAD_REQUEST = "bad_request"
    RATE_LIMITED = "rate_limited"


# Domain error class -> frame code, looked up along the class's MRO, so a subclass maps like its
# base. Anything else a service may refuse with (Invalid, Conflict, Gone, Unavailable) is a
# request the server will not carry out: bad_request.
_FRAME_CODE_BY_ERROR_CLASS: dict[type[errors.DomainError], ErrorCode] = {
    errors.PermissionDenied: ErrorCode.FORBIDDEN,
    errors.NotFound: ErrorCode.NOT_FOUND,
    errors.RateLimited: ErrorCode.RATE_LIMITED,
    errors.DomainError: ErrorCode.BAD_REQUEST,
}


def frame_code_for(error: errors.DomainError) -> ErrorCode:
    for cls in type(error).__mro__:
        code = _FRAME_CODE_BY_ERROR_CLASS.get(cls)
        if code is not None:
            return code
    raise AssertionError("unreachable: every DomainError maps")  # pragma: no cover


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def op_frame(op: Op, ref: Ref = None, **fields: Any) -> str:
    """An answer to a client frame: ``{"op": ..., **fields, "ref": ref}``."""
    return dumps({"op": op, **fields, "ref": ref})


def error_frame(error: errors.DomainError, ref: Ref = None) -> str:
    """``{"op": "error", "code": ..., "detail": ..., "ref": ...}`` for a domain error."""
    return op_frame(Op.ERROR, ref, code=frame_code_for(error), detail=error.detail)


def reset_frame(*, stream: str, head: int) -> str:
    """Sent by a catch-up that found the log no longer holds what the subscription missed."""
    return dumps({"op": Op.RESET, "stream": stream, "head": head})


def heartbeat_frame(heads: dict[str, int]) -> str:
    return dumps({"op": Op.HEARTBEAT, "heads": heads})


def entry_payload(*, stream: str, seq: int, type: str, data: Any, created_at: datetime) -> dict[str, Any]:
    """An entry as WebSocket clients and the catch-up API both see it."""
    return {
        "stream": stream,
        "seq": seq,
        "type": type,
        "data": data,
        "at": created_at.isoformat(timespec="microseconds"),
    }


def entry_frame(*, stream: str, seq: int, type: str, data: Any, created_at: datetime) -> str:
    return dumps(entry_payload(stream=stream, seq=seq, type=type, data=data, created_at=created_at))


class OutgoingFrame:
    """A text frame sent to many sockets. ``wire`` caches the server adapter's encoding of it
    (``daphne_socket.wire``), so it is UTF-8 encoded and WebSocket-framed at most once."""

    __slots__ = ("text", "wire")

    def __init__(self, text: str) -> None:
        self.text = text
        self.wire: bytes | None = None
