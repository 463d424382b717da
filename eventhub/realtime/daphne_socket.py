"""Everything that knows daphne — and the Twisted transport and autobahn protocol behind it.

Why reach past ASGI: daphne's ``send`` is effectively synchronous and its Twisted transport
buffers outbound bytes without limit, so (1) the hub's broadcast writes each frame, framed once
for all sockets, straight to the socket (no ASGI message, UTF-8 encode or framing per socket),
(2) the consumer bounds each socket's buffer itself (``buffered_bytes``), and (3) a flood is
closed with 1008, which the ASGI close message refuses (``close_policy_violation``). On other
servers (uvicorn) ``DaphneSocket.of`` gives None and the consumer uses the ASGI ``send``.

This touches private attributes: daphne's ``send`` being ``partial(server.handle_reply,
protocol)``; autobahn's ``state``, ``STATE_OPEN``, ``send_queue``, ``sendCloseFrame``; Twisted's
``transport.socket``, ``TLS``, ``dataBuffer``, ``offset``, ``_tempDataBuffer``, ``_tempDataLen``.
``tests/test_daphne_socket.py`` pins the versions below and checks each of them, so an upgrade
fails that test instead of the production sockets.
"""

import functools
import sys
from typing import Any

from autobahn.websocket.protocol import PreparedMessage

from .frames import OutgoingFrame

TESTED_VERSIONS = {"daphne": "4.2.3", "twisted": "26.10.0", "autobahn": "26.7.1"}
"""The distributions this module was written against (``importlib.metadata`` names)."""

CLOSE_POLICY_VIOLATION = 1008


def wire(frame: OutgoingFrame) -> bytes:
    """The complete server-to-client WebSocket frame (unmasked, uncompressed), built once per
    ``OutgoingFrame`` however many sockets it goes to."""
    if frame.wire is None:
        data: bytes = PreparedMessage(frame.text.encode(), False, False, False).payloadHybi
        frame.wire = data
    return frame.wire


class DaphneSocket:
    """One WebSocket connection as daphne holds it: its autobahn protocol and Twisted transport."""

    __slots__ = ("_protocol", "_transport", "_socket")

    def __init__(self, protocol: Any) -> None:
        self._protocol = protocol
        self._transport: Any = protocol.transport
        # Plain TCP only: a TLS transport must encrypt through Twisted.
        self._socket: Any = None if getattr(self._transport, "TLS", False) else self._transport.socket

    @classmethod
    def of(cls, send: Any) -> "DaphneSocket | None":
        """The connection behind an ASGI ``send`` if daphne serves it, else None."""
        if isinstance(send, functools.partial) and send.args and hasattr(send.args[0], "sendCloseFrame"):
            return cls(send.args[0])
        return None

    @property
    def is_open(self) -> bool:
        """False once closing (the client may have sent Close while data was still queued)."""
        return bool(self._protocol.state == self._protocol.STATE_OPEN)

    @property
    def has_queued_frames(self) -> bool:
        """autobahn holds frames of its own to send first (then go through ASGI ``send``, which
        queues behind them, to keep the order)."""
        return bool(self._protocol.send_queue)

    @property
    def disconnected(self) -> bool:
        return bool(getattr(self._transport, "disconnected", False))

    def write(self, frame: OutgoingFrame) -> None:
        """Write the frame now: straight to the socket when nothing is buffered before it (no
        epoll registration), the rest — or all of it — to Twisted's buffer."""
        data = wire(frame)
        transport = self._transport
        if self._socket is not None and not transport._tempDataBuffer and len(transport.dataBuffer) == transport.offset:
            try:
                sent = self._socket.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                sent = 0  # let Twisted see and report the broken connection
            if sent == len(data):
                return
            data = data[sent:]
        transport.write(data)

    def buffered_bytes(self) -> int:
        """Bytes written but not yet taken by the kernel."""
        transport = self._transport
        data_buffer = getattr(transport, "dataBuffer", b"")
        return len(data_buffer) - getattr(transport, "offset", 0) + getattr(transport, "_tempDataLen", 0)

    def abort(self) -> None:
        """Drop the connection without a close handshake (a reader that fell too far behind)."""
        self._transport.abortConnection()

    def close_policy_violation(self) -> None:
        self._protocol.sendCloseFrame(code=CLOSE_POLICY_VIOLATION, isReply=False)


def stop_twisted_form_parsing() -> None:
    """Twisted's ``http.Request`` parses every POST form body into ``request.args`` before daphne
    sees it — a second copy in memory that daphne never reads (it hands the raw body to ASGI) — and
    answers a multipart body it cannot parse with a bare 400 of its own: no Content-Type, no JSON,
    the connection dropped (schemathesis found it on every multipart operation). Django parses
    the body itself, so daphne's requests are made with ``parsePOSTFormSubmission=False``
    (Twisted's own switch). Only where daphne's server is loaded: importing it elsewhere would
    install Twisted's reactor."""
    http_protocol = sys.modules.get("daphne.http_protocol")
    if http_protocol is None or getattr(http_protocol.WebRequest, "_eventhub_no_form_parsing", False):
        return
    original = http_protocol.WebRequest.__init__

    @functools.wraps(original)
    def init(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs["parsePOSTFormSubmission"] = False
        original(self, *args, **kwargs)

    http_protocol.WebRequest.__init__ = init
    http_protocol.WebRequest._eventhub_no_form_parsing = True
