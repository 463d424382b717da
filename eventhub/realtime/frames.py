"""The wire format of stream entries, encoded once and reused for every subscriber."""

import json
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def entry_payload(*, stream: str, seq: int, type: str, data: Any, created_at: datetime) -> dict[str, Any]:
    """An entry as WebSocket clients and the catch-up API both see it."""
    return {
        "stream": stream,
        "seq": seq,
        "type": type,
        "data": data,
        "at": created_at.isoformat(timespec="microseconds"),
    }


def entry_frame(**entry: Any) -> str:
    return dumps(entry_payload(**entry))


class OutgoingFrame:
    """A text frame sent to many sockets: UTF-8 encoded and WebSocket-framed at most once."""

    __slots__ = ("text", "_wire")

    def __init__(self, text: str) -> None:
        self.text = text
        self._wire: bytes | None = None

    @property
    def wire(self) -> bytes:
        """The complete server-to-client WebSocket frame (unmasked, uncompressed)."""
        if self._wire is None:
            from autobahn.websocket.protocol import PreparedMessage

            self._wire = PreparedMessage(self.text.encode(), False, False, False).payloadHybi
        return self._wire
