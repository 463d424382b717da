"""How a committed entry reaches the hub of every server process — both sides of the broker.

Sending side: ``publish``, called on commit by ``services.stream_append``. Receiving side: the
subscriber that feeds this process's hub (a ``Sink``), returned by ``attach``.

With ``REDIS_URL`` set: Redis Pub/Sub, one channel per stream (``channel_for``); each process
holds one Pub/Sub connection (``RedisSubscriber``) subscribed once per stream that has local
subscribers. Without it (the embedded default) ``publish`` hands the entry straight to the sink
attached in this process (``LocalSubscriber``). Either way the broadcast is only a hint: a
publish that fails or is lost is filled in from the log by the hub (``hub.StreamHub``).

Beside the streams, one control channel that every hub listens to: ``publish_recheck`` asks
every process to re-authorize, at once, the sockets of some sessions or users (a logout, a
removed member) — the periodic re-check in the consumer stays as the backstop.

Nothing here imports the hub: the hub attaches itself.
"""

import asyncio
import hashlib
import json
import logging
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache, partial
from typing import Any, Protocol

import redis
import redis.asyncio as aioredis
from django.conf import settings

from eventhub import jsonbody

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recheck:
    """Re-authorize now the sockets of these sessions (``session_digest`` of the key: a session
    key is a credential and never goes over the wire) and of these users. A forged or stale
    message costs a re-check against the database, nothing more: the check reads the truth."""

    sessions: frozenset[str] = frozenset()
    users: frozenset[int] = frozenset()


def session_digest(session_key: str) -> str:
    return hashlib.sha256(session_key.encode()).hexdigest()


class Sink(Protocol):
    """What the receiving side feeds: this process's hub."""

    @property
    def streams(self) -> Collection[str]:
        """The streams with local subscribers."""
        ...

    def deliver(self, *, stream: str, seq: int, frame: str) -> None:
        """Take a broadcast entry (called on the sink's event loop)."""
        ...

    def check_all(self) -> None:
        """Read the log of every local stream: broadcasts may have been missed."""
        ...

    def recheck(self, recheck: Recheck) -> None:
        """Re-authorize the local sockets ``recheck`` names (called on the sink's event loop)."""
        ...


class Subscriber(Protocol):
    """The receiving side as the hub drives it."""

    async def subscribe(self, stream: str) -> None: ...

    async def unsubscribe(self, stream: str) -> None: ...

    async def renew(self) -> None: ...

    async def run(self) -> None:
        """Receive until cancelled (the hub restarts it should it ever end)."""
        ...


# -- channel naming and encoding ------------------------------------------------------------


def channel_for(stream: str) -> str:
    # Pub/Sub channels ignore Redis's database number, so installs sharing a Redis keep apart
    # by prefix.
    prefix: str = settings.STREAMS["CHANNEL_PREFIX"]
    return prefix + stream


def stream_for(channel: str) -> str:
    prefix: str = settings.STREAMS["CHANNEL_PREFIX"]
    return channel.removeprefix(prefix)


def control_channel() -> str:
    # No stream kind is named "control", so no stream's channel can be this one.
    prefix: str = settings.STREAMS["CHANNEL_PREFIX"]
    return prefix + "control"


def encode_recheck(recheck: Recheck) -> str:
    return json.dumps({"recheck": {"sessions": sorted(recheck.sessions), "users": sorted(recheck.users)}})


def decode_recheck(message: str | bytes) -> Recheck:
    """Raises ``ValueError`` for anything but an encoded ``Recheck``."""
    decoded = jsonbody.loads(message)
    body = decoded.get("recheck") if isinstance(decoded, dict) else None
    if not isinstance(body, dict):
        raise ValueError("not a recheck")
    sessions, users = body.get("sessions", []), body.get("users", [])
    if not (isinstance(sessions, list) and all(isinstance(s, str) for s in sessions)):
        raise ValueError("bad sessions")
    if not (isinstance(users, list) and all(isinstance(u, int) and not isinstance(u, bool) for u in users)):
        raise ValueError("bad users")
    return Recheck(sessions=frozenset(sessions), users=frozenset(users))


def encode_message(*, seq: int, frame: str) -> str:
    # The seq travels in front of the frame so a hub routes without decoding the JSON.
    return f"{seq} {frame}"


def decode_message(message: str | bytes) -> tuple[int, str]:
    if isinstance(message, bytes):
        message = message.decode()
    seq, frame = message.split(" ", 1)
    return int(seq), frame


# -- sending side ---------------------------------------------------------------------------


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1.0, socket_connect_timeout=1.0)


_local: tuple[asyncio.AbstractEventLoop, Sink] | None = None
"""The sink attached in this process, with its loop (embedded mode)."""


def publish(*, stream: str, seq: int, frame: str) -> None:
    """Broadcast a committed entry (from any thread). Never raises: a lost broadcast is
    recovered from the log."""
    if settings.REDIS_URL:
        try:
            _redis().publish(channel_for(stream), encode_message(seq=seq, frame=frame))
        except redis.RedisError as exc:
            logger.warning("stream broadcast of %s#%s failed (%s); hubs will fill it from the log", stream, seq, exc)
        return
    if _local is not None:
        loop, sink = _local
        loop.call_soon_threadsafe(partial(sink.deliver, stream=stream, seq=seq, frame=frame))


def publish_recheck(recheck: Recheck) -> None:
    """Ask every process's hub to re-authorize the sockets ``recheck`` names (from any thread;
    call it after the change committed). Never raises: the periodic re-check is the backstop."""
    if settings.REDIS_URL:
        try:
            _redis().publish(control_channel(), encode_recheck(recheck))
        except redis.RedisError as exc:
            logger.warning("recheck broadcast failed (%s); sockets are re-checked periodically", exc)
        return
    if _local is not None:
        loop, sink = _local
        loop.call_soon_threadsafe(sink.recheck, recheck)


# -- receiving side -------------------------------------------------------------------------


def attach(sink: Sink, loop: asyncio.AbstractEventLoop) -> Subscriber:
    """Attach this process's hub: returns the subscriber that feeds it, for the hub to run."""
    if settings.REDIS_URL:
        return RedisSubscriber(sink, settings.REDIS_URL)
    return LocalSubscriber(sink, loop)


class LocalSubscriber:
    """Embedded mode: ``publish`` calls the sink directly, so there is nothing to subscribe to."""

    def __init__(self, sink: Sink, loop: asyncio.AbstractEventLoop) -> None:
        global _local
        _local = (loop, sink)

    async def subscribe(self, stream: str) -> None:
        pass

    async def unsubscribe(self, stream: str) -> None:
        pass

    async def renew(self) -> None:
        pass

    async def run(self) -> None:
        await asyncio.Event().wait()


class RedisSubscriber:
    """One Pub/Sub connection per process. Reconnects with backoff and then re-subscribes every
    local stream and asks the sink to fill what Pub/Sub dropped meanwhile."""

    def __init__(self, sink: Sink, url: str) -> None:
        self.sink = sink
        self.url = url
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        self._pubsub: aioredis.client.PubSub | None = None

    @property
    def channels(self) -> list[str]:
        """The channels this process must hear: the control channel, and one per stream with
        local subscribers."""
        return [control_channel(), *(channel_for(stream) for stream in self.sink.streams)]

    async def subscribe(self, stream: str) -> None:
        channel = channel_for(stream)
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmations[channel] = confirmed
        if self._pubsub is not None:
            try:
                await self._pubsub.subscribe(channel)
            except (aioredis.RedisError, OSError):
                pass  # the reader reconnects and re-subscribes
        try:
            await asyncio.wait_for(asyncio.shield(confirmed), timeout=2.0)
        except TimeoutError:
            logger.warning("no Pub/Sub confirmation for %s yet; the heartbeat fills entries meanwhile", stream)

    async def unsubscribe(self, stream: str) -> None:
        if stream in self.sink.streams:
            return  # somebody subscribed again meanwhile
        self._confirmations.pop(channel_for(stream), None)
        if self._pubsub is not None:
            try:
                await self._pubsub.unsubscribe(channel_for(stream))
            except (aioredis.RedisError, OSError):
                pass

    async def renew(self) -> None:
        if self._pubsub is not None and self.channels:
            try:
                await self._pubsub.subscribe(*self.channels)
            except (aioredis.RedisError, OSError):
                pass

    async def run(self) -> None:
        backoff = 0.2
        while True:
            client = aioredis.Redis.from_url(self.url, socket_connect_timeout=2.0, health_check_interval=5)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(*self.channels)
                self._pubsub = pubsub
                if backoff > 0.2:
                    logger.info("stream hub reconnected to Redis; filling from the log")
                    self.sink.check_all()
                backoff = 0.2
                while True:
                    message = await pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    self._handle(message)
            except (aioredis.RedisError, OSError) as exc:
                logger.warning("stream hub lost Redis (%s); retrying in %.1fs", exc, backoff)
            finally:
                self._pubsub = None
                try:
                    await pubsub.aclose()  # type: ignore[no-untyped-call]  # unannotated in redis-py
                    await client.aclose()
                except (aioredis.RedisError, OSError):
                    pass
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    def _handle(self, message: dict[str, Any]) -> None:
        channel = message["channel"].decode()
        if message["type"] == "message" and channel == control_channel():
            try:
                recheck = decode_recheck(message["data"])
            except ValueError:
                logger.warning("ignoring a malformed control message")
                return
            self.sink.recheck(recheck)
        elif message["type"] == "message":
            try:
                seq, frame = decode_message(message["data"])
            except ValueError:
                logger.warning("ignoring a malformed message on %s", channel)
                return
            self.sink.deliver(stream=stream_for(channel), seq=seq, frame=frame)
        elif message["type"] == "subscribe":
            confirmed = self._confirmations.pop(channel, None)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)
