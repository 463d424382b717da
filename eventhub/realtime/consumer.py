"""The ``/ws/v1/`` consumer: authenticates, authorizes each subscription and speaks the stream
protocol of DESIGN §3. Broadcast delivery goes through the process's ``StreamHub``, not the
channel layer."""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import time
from collections.abc import Coroutine
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlsplit

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from .frames import OutgoingFrame, dumps
from .hub import Subscription, get_hub
from .selectors import stream_position
from .streams import InvalidStreamName, LinkReader, link_kinds, link_reader, stream_can_read, stream_kind

logger = logging.getLogger(__name__)

CLOSE_POLICY_VIOLATION = 1008
_DRAIN_TIMEOUT = 10.0
_SEND_TIMEOUT = 0.5
_CLOSE_SESSION_ENDED = 4001


def _user_for_session_key(key: str) -> Any:
    """The user of an allauth session token or a portal session cookie (both are Django
    session keys), or None."""
    from allauth.headless.internal.sessionkit import authenticate_by_x_session_token

    authenticated = authenticate_by_x_session_token(key)
    return authenticated[0] if authenticated else None


def _origin_allowed(origin: str, host: str) -> bool:
    if not origin:
        return False
    parsed = urlsplit(origin)
    if parsed.netloc and parsed.netloc == host:
        return True
    allowed = set(settings.STREAMS["ALLOWED_ORIGINS"]) | set(settings.CSRF_TRUSTED_ORIGINS)
    return origin in allowed


class _TokenBucket:
    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, burst
        self.tokens = float(burst)
        self.stamp = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class _BadRequest(Exception):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.detail = code, detail


class StreamConsumer(AsyncWebsocketConsumer):
    channel_layer_alias = "__none__"  # broadcasts come through the hub, never the channel layer

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections before every handler — a thread hop per
        # frame and per disconnect. Our handlers reach the database only through
        # database_sync_to_async, which does that in its own thread, so skip the extra hop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def websocket_connect(self, message: dict[str, Any]) -> None:
        config = settings.STREAMS
        self.user: Any = AnonymousUser()
        self._session_key: str | None = None
        self._authorized_at = time.monotonic()
        self.subscriptions: dict[str, Subscription] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._bucket = _TokenBucket(config["FRAMES_PER_SECOND"], config["FRAME_BURST"])
        self._violations = 0
        self._closed = False
        self._protocol = self._daphne_protocol()
        self._transport: Any = getattr(self._protocol, "transport", None)
        # Plain TCP only (TLS transports must encrypt through Twisted).
        self._socket = getattr(self._transport, "socket", None) if not getattr(self._transport, "TLS", False) else None

        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in self.scope["headers"]}
        # The query string is never read: a token in the URL would end up in access logs.
        token = headers.get("x-session-token")
        if token:
            self.user = await database_sync_to_async(_user_for_session_key)(token)
            if self.user is None:
                await self.close()  # before accept: the handshake is refused with 403
                return
            self._session_key = token
        else:
            session_key = self._session_cookie(headers.get("cookie", ""))
            if session_key:
                if not _origin_allowed(headers.get("origin", ""), headers.get("host", "")):
                    await self.close()
                    return
                self.user = await database_sync_to_async(_user_for_session_key)(session_key) or AnonymousUser()
                self._session_key = session_key if self.user.is_authenticated else None
        await self.accept()
        self.hub = get_hub()
        self.hub.connections.add(self)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        # Leave the hub however the consumer ends: a disconnect, a handler that raised, or
        # daphne cancelling the application — else the hub would keep a dead connection.
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._leave_hub()

    async def websocket_disconnect(self, message: dict[str, Any]) -> None:
        self._leave_hub()
        await super().websocket_disconnect(message)

    def _leave_hub(self) -> None:
        self._closed = True
        hub = getattr(self, "hub", None)
        if hub is not None:
            hub.connections.discard(self)
            for subscription in self.subscriptions.values():
                hub.leave(subscription)
        self.subscriptions = {}
        for task in list(getattr(self, "_tasks", ())):
            task.cancel()

    # -- outbound ---------------------------------------------------------------------------
    def _daphne_protocol(self) -> Any:
        """Daphne's protocol object behind ``send``: its Twisted transport buffers outbound bytes
        without limit, so we bound the buffer ourselves; and through it we can send close codes
        (1008) that the ASGI close message refuses. Other servers (uvicorn) give None and apply
        back-pressure in ``send`` instead."""
        send = self.base_send
        if isinstance(send, functools.partial) and send.args and hasattr(send.args[0], "sendCloseFrame"):
            return send.args[0]
        return None

    async def close_policy_violation(self) -> None:
        self._closed = True
        if self._protocol is not None:
            self._protocol.sendCloseFrame(code=CLOSE_POLICY_VIOLATION, isReply=False)
        else:
            await self.close(code=4000 + CLOSE_POLICY_VIOLATION)

    def _buffered_bytes(self) -> int:
        transport = self._transport
        if transport is None:
            return 0
        data_buffer = getattr(transport, "dataBuffer", b"")
        return len(data_buffer) - getattr(transport, "offset", 0) + getattr(transport, "_tempDataLen", 0)

    def try_push(self, frame: OutgoingFrame) -> bool:
        """The broadcast hot path on daphne, synchronous: write the frame (framed once for all
        sockets) straight to the socket when nothing is queued before it, else to Twisted's
        buffer — no ASGI send, UTF-8 encode, framing or epoll registration per socket. False
        when this server needs the ASGI ``send`` (then use ``send_frame``)."""
        if self._closed:
            return True
        protocol = self._protocol
        if protocol is None:
            return False
        if protocol.state != protocol.STATE_OPEN:
            # Closing or closed (the client may have sent Close while data was still queued):
            # nothing more goes out, and nothing may raise into the hub.
            self._closed = True
            return True
        if protocol.send_queue:
            return False
        data = frame.wire
        transport = self._transport
        if self._socket is not None and not transport._tempDataBuffer and len(transport.dataBuffer) == transport.offset:
            try:
                sent = self._socket.send(data)
            except (BlockingIOError, InterruptedError):
                sent = 0
            except OSError:
                sent = 0  # let Twisted see and report the broken connection
            if sent == len(data):
                return True
            data = data[sent:]
        transport.write(data)
        self._enforce_outbound_limit()
        return True

    async def send_frame(self, frame: OutgoingFrame, *, wait_for_drain: bool = False) -> None:
        """Send one frame. The hub's broadcast never waits for a socket: a reader whose buffer
        passes ``MAX_OUTBOUND_BYTES`` is cut off (it reconnects and resumes with ``since``).
        Replays to one socket (``wait_for_drain``) pace themselves by the buffer instead."""
        if self.try_push(frame):
            pass
        elif not self._closed:
            # Servers other than daphne (uvicorn) wait in `send` while a socket's buffer is full;
            # the hub sends to its sockets in turn, so a stuck reader must not hold it up.
            try:
                async with asyncio.timeout(_SEND_TIMEOUT if not wait_for_drain else _DRAIN_TIMEOUT):
                    await self.base_send({"type": "websocket.send", "text": frame.text})
            except TimeoutError:
                logger.info("closing a WebSocket that did not take a frame within the send timeout")
                self._closed = True
                self.spawn(self.close())
                return
        limit = settings.STREAMS["MAX_OUTBOUND_BYTES"]
        if wait_for_drain and self._buffered_bytes() > limit // 2:
            deadline = time.monotonic() + _DRAIN_TIMEOUT
            while (
                self._buffered_bytes() > limit // 4
                and time.monotonic() < deadline
                and not self._closed
                and not getattr(self._transport, "disconnected", False)
            ):
                await asyncio.sleep(0.005)
        self._enforce_outbound_limit()

    def _enforce_outbound_limit(self) -> None:
        if not self._closed and self._buffered_bytes() > settings.STREAMS["MAX_OUTBOUND_BYTES"]:
            # A reader this slow would grow server memory without bound; drop it.
            self._closed = True
            logger.info("closing a WebSocket whose reader fell %d bytes behind", self._buffered_bytes())
            self._transport.abortConnection()

    async def send_text(self, text: str) -> None:
        await self.send_frame(OutgoingFrame(text))

    async def send_op(self, op: str, ref: Any = None, **fields: Any) -> None:
        await self.send_text(dumps({"op": op, **fields, "ref": ref}))

    async def send_error(self, code: str, detail: str, ref: Any = None) -> None:
        await self.send_text(dumps({"op": "error", "code": code, "detail": detail, "ref": ref}))

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- re-authorization ---------------------------------------------------------------------
    def on_heartbeat(self) -> None:
        """Called by the hub each heartbeat: every ``REAUTHORIZE_SECONDS`` check again that the
        session is valid and each subscription still allowed (a member removed, a session
        logged out, an event made private must not keep streaming)."""
        if time.monotonic() - self._authorized_at >= settings.STREAMS["REAUTHORIZE_SECONDS"]:
            self._authorized_at = time.monotonic()
            self.spawn(self._reauthorize())

    async def _reauthorize(self) -> None:
        session_key, user, streams = self._session_key, self.user, list(self.subscriptions)

        def check() -> tuple[bool, list[str]]:
            if isinstance(user, LinkReader):
                current_link = link_reader(link_kind=user.link_kind, token=user.token)
                if current_link is None:
                    return False, streams
                return True, [s for s in streams if not stream_can_read(user=current_link, stream=s)]
            if session_key is not None:
                current = _user_for_session_key(session_key)
                if current is None or current.pk != user.pk:
                    return False, streams
            return True, [s for s in streams if not stream_can_read(user=user, stream=s)]

        session_valid, revoked = await database_sync_to_async(check)()
        if not session_valid:
            logger.info("closing a WebSocket whose session ended")
            self._closed = True
            await self.close(code=_CLOSE_SESSION_ENDED)
            return
        for stream in revoked:
            subscription = self.subscriptions.pop(stream, None)
            if subscription is not None:
                self.hub.leave(subscription)
                await self.send_error("forbidden", f"You may no longer read {stream}.")

    # -- inbound ----------------------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if not self._bucket.take():
            self._violations += 1
            if self._violations > settings.STREAMS["FLOOD_CLOSE_AFTER"]:
                if not self._closed:
                    await self.close_policy_violation()
            else:
                await self.send_error("rate_limited", "Too many frames; slow down.")
            return
        ref = None
        try:
            if text_data is None:
                raise _BadRequest("bad_request", "Frames must be JSON text.")
            if len(text_data) > settings.STREAMS["MAX_FRAME_BYTES"]:
                raise _BadRequest("bad_request", f"Frames are limited to {settings.STREAMS['MAX_FRAME_BYTES']} bytes.")
            try:
                frame = json.loads(text_data)
            except ValueError:
                raise _BadRequest("bad_request", "Frames must be JSON objects.") from None
            if not isinstance(frame, dict):
                raise _BadRequest("bad_request", "Frames must be JSON objects.")
            ref = frame.get("ref")
            op = frame.get("op")
            handler = self._handlers.get(op) if isinstance(op, str) else None
            if handler is None:
                raise _BadRequest("bad_request", f"Unknown op {frame.get('op')!r}.")
            await handler(self, frame, ref)
        except _BadRequest as error:
            await self.send_error(error.code, error.detail, ref)

    @staticmethod
    def _session_cookie(cookie_header: str) -> str | None:
        try:
            morsel = SimpleCookie(cookie_header).get(settings.SESSION_COOKIE_NAME)
        except CookieError:
            return None
        return morsel.value if morsel else None

    # -- ops --------------------------------------------------------------------------------
    async def op_ping(self, frame: dict[str, Any], ref: Any) -> None:
        await self.send_op("pong", ref)

    async def op_auth(self, frame: dict[str, Any], ref: Any) -> None:
        """``{"op": "auth", "token": <session token>}``, or a bearer link such as
        ``{"op": "auth", "display": <display link token>}`` (no account; reads what the link grants)."""
        if self.user.is_authenticated or isinstance(self.user, LinkReader):
            raise _BadRequest("bad_request", "This socket is already authenticated.")
        link_kind = next((kind for kind in link_kinds() if kind in frame), None)
        if link_kind is not None:
            reader = await database_sync_to_async(link_reader)(link_kind=link_kind, token=frame[link_kind])
            if reader is None:
                raise _BadRequest("forbidden", "Invalid or revoked link.")
            self.user = reader
            await self.send_op("authenticated", ref)
            return
        token = frame.get("token")
        if not isinstance(token, str) or not token:
            raise _BadRequest("bad_request", "auth needs a token.")
        user = await database_sync_to_async(_user_for_session_key)(token)
        if user is None:
            raise _BadRequest("forbidden", "Invalid or expired session token.")
        self.user, self._session_key = user, token
        await self.send_op("authenticated", ref)

    async def op_subscribe(self, frame: dict[str, Any], ref: Any) -> None:
        stream, since = frame.get("stream"), frame.get("since")
        if not isinstance(stream, str):
            raise _BadRequest("bad_request", "subscribe needs a stream name.")
        if since is not None and (not isinstance(since, int) or isinstance(since, bool) or since < 0):
            raise _BadRequest("bad_request", "since must be a non-negative integer.")
        try:
            stream_kind(stream)
        except InvalidStreamName as error:
            raise _BadRequest("bad_request", str(error)) from None
        if stream in self.subscriptions:
            raise _BadRequest("bad_request", f"Already subscribed to {stream}.")
        if len(self.subscriptions) >= settings.STREAMS["MAX_SUBSCRIPTIONS"]:
            raise _BadRequest("bad_request", "Too many subscriptions on this socket.")
        # Missing and not-allowed answer the same, so the error confirms nothing.
        if not await database_sync_to_async(stream_can_read)(user=self.user, stream=stream):
            raise _BadRequest("forbidden", f"You may not read {stream}.")

        subscription = Subscription(connection=self, stream=stream, last=0)
        self.subscriptions[stream] = subscription
        await self.hub.join(subscription)
        position = await database_sync_to_async(stream_position)(stream=stream)
        await self.send_op("subscribed", ref, stream=stream, head=position.head)
        if since is None:
            subscription.last = position.head
        elif position.can_replay_from(since):
            subscription.last = since
        else:
            await self.send_op("reset", ref, stream=stream, head=position.head)
            subscription.last = position.head
        await subscription.catch_up()

    async def op_unsubscribe(self, frame: dict[str, Any], ref: Any) -> None:
        stream = frame.get("stream")
        subscription = self.subscriptions.pop(stream, None) if isinstance(stream, str) else None
        if subscription is None:
            raise _BadRequest("not_found", f"Not subscribed to {stream!r}.")
        self.hub.leave(subscription)
        await self.send_op("unsubscribed", ref, stream=stream)

    _handlers = {
        "ping": op_ping,
        "auth": op_auth,
        "subscribe": op_subscribe,
        "unsubscribe": op_unsubscribe,
    }
