"""The ``/ws/v1/`` consumer: authenticates, validates and authorizes each frame, and speaks the
stream protocol of DESIGN §3 — subscriptions themselves are the hub's (``hub.StreamHub``), and
broadcast delivery goes through the hub, not the channel layer. A domain error raised by anything
an op calls is answered with an error frame (``frames.error_frame``, the one mapping)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from http.cookies import CookieError, SimpleCookie
from typing import Any, ClassVar, TypeVar
from urllib.parse import urlsplit

from allauth.headless.internal.sessionkit import authenticate_by_x_session_token
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from eventhub import errors, jsonbody, ratelimit
from eventhub.proxy import scope_client_ip

from . import transport
from .daphne_socket import DaphneSocket
from .frames import Op, OutgoingFrame, Ref, error_frame, op_frame
from .hub import StreamHub, get_hub
from .streams import InvalidStreamName, LinkReader, StreamReader, link_kinds, link_reader, stream_can_read, stream_kind

logger = logging.getLogger(__name__)

_DRAIN_TIMEOUT = 10.0
_SEND_TIMEOUT = 0.5
_CLOSE_SESSION_ENDED = 4001
_CLOSE_POLICY_VIOLATION_ASGI = 4000 + 1008  # where the server cannot send 1008 itself
_CLOSE_TRY_AGAIN_LATER = 4029  # too many failed authentications from this address
_AUTH_FAILURES = "ws-auth-failed"
_Found = TypeVar("_Found")

Frame = dict[str, Any]


def _user_for_session_key(key: str) -> StreamReader | None:
    """The user of an allauth session token or a portal session cookie (both are Django
    session keys), or None."""
    authenticated = authenticate_by_x_session_token(key)
    user: StreamReader | None = authenticated[0] if authenticated else None
    return user


def _too_many_failures(retry_after: int) -> errors.RateLimited:
    return errors.RateLimited(
        f"Too many failed authentications from your address; try again in {retry_after} s.", retry_after=retry_after
    )


def _limited_lookup(
    lookup: Callable[[str], _Found | None], credential: str, address: str
) -> tuple[_Found | None, int | None]:
    """``lookup(credential)`` (a database query) unless ``address`` failed too often this minute
    (then ``(None, seconds to wait)``); a failed lookup counts against the address. Bad tokens
    from one address cost at most ``AUTH_FAILURES_PER_MINUTE`` queries a minute."""
    rates = [ratelimit.Rate(amount=settings.STREAMS["AUTH_FAILURES_PER_MINUTE"], seconds=60, key="ip")]
    identities = {"ip": address}
    retry_after = ratelimit.used_up(scope=_AUTH_FAILURES, rates=rates, identities=identities)
    if retry_after is not None:
        return None, retry_after
    found = lookup(credential)
    if found is None:
        ratelimit.count(scope=_AUTH_FAILURES, rates=rates, identities=identities)
    return found, None


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


class StreamConsumer(AsyncWebsocketConsumer):  # type: ignore[misc]  # channels ships no type hints
    channel_layer_alias = "__none__"  # broadcasts come through the hub, never the channel layer

    user: StreamReader
    hub: StreamHub

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
        self.user = AnonymousUser()
        self._session_key: str | None = None
        self._authorized_at = time.monotonic()
        self._tasks: set[asyncio.Task[None]] = set()
        self._bucket = _TokenBucket(config["FRAMES_PER_SECOND"], config["FRAME_BURST"])
        self._violations = 0
        self._closed = False
        self._daphne = DaphneSocket.of(self.base_send)

        self._address = scope_client_ip(self.scope)

        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in self.scope["headers"]}
        # The query string is never read: a token in the URL would end up in access logs.
        token = headers.get("x-session-token")
        retry_after: int | None = None
        if token:
            user, retry_after = await self._lookup(_user_for_session_key, token)
            if user is None and retry_after is None:
                await self.close()  # before accept: the handshake is refused with 403
                return
            if user is not None:
                self.user, self._session_key = user, token
        else:
            session_key = self._session_cookie(headers.get("cookie", ""))
            if session_key:
                if not _origin_allowed(headers.get("origin", ""), headers.get("host", "")):
                    await self.close()
                    return
                cookie_user, retry_after = await self._lookup(_user_for_session_key, session_key)
                self.user = cookie_user or AnonymousUser()
                self._session_key = session_key if cookie_user is not None else None
        await self.accept()
        if retry_after is not None:
            # Not a 403: the credential may be fine, this address is only told to wait.
            await self.send_text(error_frame(_too_many_failures(retry_after)))
            self._closed = True
            await self.close(code=_CLOSE_TRY_AGAIN_LATER)
            return
        self.hub = get_hub()
        self.hub.connect(self)

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
        hub: StreamHub | None = getattr(self, "hub", None)
        if hub is not None:
            hub.disconnect(self)
        for task in list(getattr(self, "_tasks", ())):
            task.cancel()

    # -- outbound (hub.Connection) ------------------------------------------------------------
    def try_push(self, frame: OutgoingFrame) -> bool:
        """The broadcast hot path on daphne, synchronous: write the frame (framed once for all
        sockets) to the connection now. False when this server needs the ASGI ``send`` (then use
        ``send_frame``)."""
        if self._closed:
            return True
        daphne = self._daphne
        if daphne is None:
            return False
        if not daphne.is_open:
            # Closing or closed: nothing more goes out, and nothing may raise into the hub.
            self._closed = True
            return True
        if daphne.has_queued_frames:
            return False
        daphne.write(frame)
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
        limit: int = settings.STREAMS["MAX_OUTBOUND_BYTES"]
        if wait_for_drain and self._buffered_bytes() > limit // 2:
            deadline = time.monotonic() + _DRAIN_TIMEOUT
            while (
                self._buffered_bytes() > limit // 4
                and time.monotonic() < deadline
                and not self._closed
                and not (self._daphne is not None and self._daphne.disconnected)
            ):
                await asyncio.sleep(0.005)
        self._enforce_outbound_limit()

    def _buffered_bytes(self) -> int:
        return self._daphne.buffered_bytes() if self._daphne is not None else 0

    def _enforce_outbound_limit(self) -> None:
        if (
            self._daphne is not None
            and not self._closed
            and self._daphne.buffered_bytes() > settings.STREAMS["MAX_OUTBOUND_BYTES"]
        ):
            # A reader this slow would grow server memory without bound; drop it.
            self._closed = True
            logger.info("closing a WebSocket whose reader fell %d bytes behind", self._daphne.buffered_bytes())
            self._daphne.abort()

    async def send_text(self, text: str) -> None:
        await self.send_frame(OutgoingFrame(text))

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def close_policy_violation(self) -> None:
        self._closed = True
        if self._daphne is not None:
            self._daphne.close_policy_violation()
        else:
            await self.close(code=_CLOSE_POLICY_VIOLATION_ASGI)

    # -- re-authorization ---------------------------------------------------------------------
    def on_recheck(self, recheck: transport.Recheck) -> None:
        """At once, not at the next periodic check: this socket's session ended (a logout, a
        deleted session) or its user's rights changed (a removed member, a new role)."""
        session_key = self._session_key
        if (session_key is not None and transport.session_digest(session_key) in recheck.sessions) or (
            self.user.is_authenticated and self.user.pk in recheck.users
        ):
            self._authorized_at = time.monotonic()
            self.spawn(self._reauthorize())

    def on_heartbeat(self) -> None:
        """Called by the hub each heartbeat: every ``REAUTHORIZE_SECONDS`` check again that the
        session is valid and each subscription still allowed (a member removed, a session
        logged out, an event made private must not keep streaming)."""
        if time.monotonic() - self._authorized_at >= settings.STREAMS["REAUTHORIZE_SECONDS"]:
            self._authorized_at = time.monotonic()
            self.spawn(self._reauthorize())

    async def _reauthorize(self) -> None:
        session_key, user, streams = self._session_key, self.user, list(self.hub.subscribed_streams(self))

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
            if self.hub.unsubscribe(self, stream):
                await self.send_text(error_frame(errors.PermissionDenied(f"You may no longer read {stream}.")))

    # -- inbound ----------------------------------------------------------------------------
    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        ref: Ref = None
        if self._closed:
            return  # refused at the handshake (or closing): nothing more is answered
        try:
            if not self._bucket.take():
                self._violations += 1
                if self._violations > settings.STREAMS["FLOOD_CLOSE_AFTER"]:
                    if not self._closed:
                        await self.close_policy_violation()
                    return
                raise errors.RateLimited("Too many frames; slow down.")
            frame = self._parse(text_data)
            ref = frame.get("ref")
            op = frame.get("op")
            handler = self._handlers.get(op) if isinstance(op, str) else None
            if handler is None:
                raise errors.Invalid(f"Unknown op {op!r}.")
            await handler(self, frame, ref)
        except errors.DomainError as error:
            await self.send_text(error_frame(error, ref))

    @staticmethod
    def _parse(text_data: str | None) -> Frame:
        if text_data is None:
            raise errors.Invalid("Frames must be JSON text.")
        limit: int = settings.STREAMS["MAX_FRAME_BYTES"]
        if len(text_data) > limit:
            raise errors.Invalid(f"Frames are limited to {limit} bytes.")
        try:
            # Bounded nesting: a deep frame fits in 8 KiB and would raise RecursionError (1011).
            frame = jsonbody.loads(text_data)
        except ValueError:
            raise errors.Invalid("Frames must be JSON objects.") from None
        if not isinstance(frame, dict):
            raise errors.Invalid("Frames must be JSON objects.")
        return frame

    async def _lookup(
        self, lookup: Callable[[str], _Found | None], credential: str
    ) -> tuple[_Found | None, int | None]:
        found: tuple[_Found | None, int | None] = await database_sync_to_async(_limited_lookup)(
            lookup, credential, self._address
        )
        return found

    @staticmethod
    def _session_cookie(cookie_header: str) -> str | None:
        try:
            morsel = SimpleCookie(cookie_header).get(settings.SESSION_COOKIE_NAME)
        except CookieError:
            return None
        return morsel.value if morsel else None

    # -- ops --------------------------------------------------------------------------------
    async def op_ping(self, frame: Frame, ref: Ref) -> None:
        await self.send_text(op_frame(Op.PONG, ref))

    async def op_auth(self, frame: Frame, ref: Ref) -> None:
        """``{"op": "auth", "token": <session token>}``, or a bearer link such as
        ``{"op": "auth", "display": <display link token>}`` (no account; reads what the link grants)."""
        if self.user.is_authenticated or isinstance(self.user, LinkReader):
            raise errors.Invalid("This socket is already authenticated.")
        link_kind = next((kind for kind in link_kinds() if kind in frame), None)
        if link_kind is not None:
            link_token = frame[link_kind]
            reader, retry_after = await self._lookup(
                lambda token: link_reader(link_kind=link_kind, token=token),
                link_token if isinstance(link_token, str) else "",
            )
            if retry_after is not None:
                raise _too_many_failures(retry_after)
            if reader is None:
                raise errors.PermissionDenied("Invalid or revoked link.")
            self.user = reader
            await self.send_text(op_frame(Op.AUTHENTICATED, ref))
            return
        token = frame.get("token")
        if not isinstance(token, str) or not token:
            raise errors.Invalid("auth needs a token.")
        user, retry_after = await self._lookup(_user_for_session_key, token)
        if retry_after is not None:
            raise _too_many_failures(retry_after)
        if user is None:
            raise errors.PermissionDenied("Invalid or expired session token.")
        self.user, self._session_key = user, token
        await self.send_text(op_frame(Op.AUTHENTICATED, ref))

    async def op_subscribe(self, frame: Frame, ref: Ref) -> None:
        stream, since = frame.get("stream"), frame.get("since")
        if not isinstance(stream, str):
            raise errors.Invalid("subscribe needs a stream name.")
        if since is not None and (not isinstance(since, int) or isinstance(since, bool) or since < 0):
            raise errors.Invalid("since must be a non-negative integer.")
        try:
            stream_kind(stream)
        except InvalidStreamName as error:
            raise errors.Invalid(str(error)) from None
        subscribed = self.hub.subscribed_streams(self)
        if stream in subscribed:
            raise errors.Invalid(f"Already subscribed to {stream}.")
        if len(subscribed) >= settings.STREAMS["MAX_SUBSCRIPTIONS"]:
            raise errors.Invalid("Too many subscriptions on this socket.")
        # Missing and not-allowed answer the same, so the error confirms nothing.
        if not await database_sync_to_async(stream_can_read)(user=self.user, stream=stream):
            raise errors.PermissionDenied(f"You may not read {stream}.")
        await self.hub.subscribe(self, stream, since, ref=ref)

    async def op_unsubscribe(self, frame: Frame, ref: Ref) -> None:
        stream = frame.get("stream")
        if not (isinstance(stream, str) and self.hub.unsubscribe(self, stream)):
            raise errors.NotFound(f"Not subscribed to {stream!r}.")
        await self.send_text(op_frame(Op.UNSUBSCRIBED, ref, stream=stream))

    _handlers: ClassVar[dict[str, Callable[[StreamConsumer, Frame, Ref], Awaitable[None]]]] = {
        Op.PING: op_ping,
        Op.AUTH: op_auth,
        Op.SUBSCRIBE: op_subscribe,
        Op.UNSUBSCRIBE: op_unsubscribe,
    }
