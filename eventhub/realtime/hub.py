"""The process-local stream hub: one per server process, living on its event loop.

The hub subscribes once per stream that has local subscribers (Redis Pub/Sub, or direct calls in
the embedded mode), decodes nothing but the seq in front of each message, and writes the same
pre-encoded text frame to every local subscription of that stream — no channel-layer message,
no handler call and no JSON encode per socket (see shared/PERFORMANCE.md for why).

Correctness never rests on the broadcast: the hub delivers each stream strictly in seq order and
fills any gap from the log; a periodic tick reads the heads of all local streams from the
database, fills trailing losses (a broadcast lost to a Redis restart), renews the Pub/Sub
subscriptions and sends every connection a heartbeat with its streams' heads. Each subscription
tracks the last seq it sent, so replays and live entries never overlap or skip.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any, Protocol

import redis.asyncio as aioredis
from channels.db import database_sync_to_async
from django.conf import settings

from .broker import channel_for, decode_message, stream_for
from .frames import OutgoingFrame, dumps
from .selectors import stream_frames_since, stream_heads, stream_position

logger = logging.getLogger(__name__)

_FANOUT_YIELD_EVERY = 100
_INBOX_LIMIT = 100_000
_hub: StreamHub | None = None


class Connection(Protocol):
    """What the hub needs from a WebSocket connection (implemented by the consumer)."""

    subscriptions: dict[str, Subscription]

    async def send_text(self, text: str) -> None: ...

    async def send_frame(self, frame: OutgoingFrame, *, wait_for_drain: bool = False) -> None: ...

    def try_push(self, frame: OutgoingFrame) -> bool: ...

    def on_heartbeat(self) -> None: ...

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None: ...


class Subscription:
    """One connection's subscription to one stream. ``last`` is the last seq sent to the client;
    while ``syncing`` (replaying from the log) live offers are only noted, then caught up."""

    def __init__(self, *, connection: Connection, stream: str, last: int) -> None:
        self.connection = connection
        self.stream = stream
        self.last = last
        self.syncing = True
        self.pending_max = 0
        self.active = True
        """False once unsubscribed: a fan-out or catch-up still holding it sends nothing more."""

    def offer(self, seq: int, frame: OutgoingFrame) -> Awaitable[None] | None:
        """Take a live entry. Synchronous on the hot path; returns an awaitable only when the
        server needs an async send."""
        if not self.active:
            return None
        if self.syncing:
            self.pending_max = max(self.pending_max, seq)
            return None
        if seq <= self.last:
            return None
        if seq == self.last + 1:
            self.last = seq
            if self.connection.try_push(frame):
                return None
            return self.connection.send_frame(frame)
        self.pending_max = seq
        self.syncing = True
        self.connection.spawn(self.catch_up())
        return None

    async def catch_up(self) -> None:
        """Send every entry after ``last`` from the log, then go live. If the log no longer
        holds them (retention), send ``reset`` with the head and continue from there."""
        batch = settings.STREAMS["REPLAY_BATCH"]
        empty_reads = 0
        try:
            while self.active:
                frames = await database_sync_to_async(stream_frames_since)(
                    stream=self.stream, since=self.last, limit=batch
                )
                if not self.active:
                    return
                if frames and frames[0][0] != self.last + 1:
                    position = await database_sync_to_async(stream_position)(stream=self.stream)
                    await self.connection.send_text(
                        dumps({"op": "reset", "stream": self.stream, "head": position.head})
                    )
                    self.last = position.head
                    continue
                for seq, frame in frames:
                    if not self.active:
                        return
                    self.last = seq
                    await self.connection.send_frame(OutgoingFrame(frame), wait_for_drain=True)
                if not frames and self.pending_max > self.last and empty_reads < 3:
                    # A broadcast noted while the read was in flight: its entry is committed, so
                    # read again. A seq that stays missing (a stray message on a shared Redis)
                    # must not keep us polling; the heartbeat corrects any real lag.
                    empty_reads += 1
                    continue
                if not frames or (len(frames) < batch and self.pending_max <= self.last):
                    return
        finally:
            self.syncing = False


class _LocalStream:
    __slots__ = ("name", "subscriptions", "last_seq", "ready")

    def __init__(self, name: str) -> None:
        self.name = name
        self.subscriptions: set[Subscription] = set()
        self.last_seq = 0
        self.ready = False


class RedisTransport:
    """One Pub/Sub connection per process. Reconnects with backoff and then re-subscribes every
    local stream and asks the hub to fill what Pub/Sub dropped meanwhile."""

    def __init__(self, hub: StreamHub, url: str) -> None:
        self.hub = hub
        self.url = url
        self._confirmations: dict[str, asyncio.Future[None]] = {}
        self._pubsub: aioredis.client.PubSub | None = None
        self._wakeup = asyncio.Event()

    @property
    def channels(self) -> list[str]:
        """The channels this process must hear: one per stream with local subscribers."""
        return [channel_for(stream) for stream in self.hub.streams]

    async def subscribe(self, stream: str) -> None:
        channel = channel_for(stream)
        confirmed = asyncio.get_running_loop().create_future()
        self._confirmations[channel] = confirmed
        self._wakeup.set()
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
        if stream in self.hub.streams:
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
            if not self.channels:
                self._wakeup.clear()
                await self._wakeup.wait()
            client = aioredis.Redis.from_url(self.url, socket_connect_timeout=2.0, health_check_interval=5)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(*self.channels)
                self._pubsub = pubsub
                if backoff > 0.2:
                    logger.info("stream hub reconnected to Redis; filling from the log")
                    self.hub.check_all()
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
                    await pubsub.aclose()
                    await client.aclose()
                except (aioredis.RedisError, OSError):
                    pass
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    def _handle(self, message: dict[str, Any]) -> None:
        channel = message["channel"].decode()
        if message["type"] == "message":
            try:
                seq, frame = decode_message(message["data"])
            except ValueError:
                logger.warning("ignoring a malformed message on %s", channel)
                return
            self.hub.deliver(stream=stream_for(channel), seq=seq, frame=frame)
        elif message["type"] == "subscribe":
            confirmed = self._confirmations.pop(channel, None)
            if confirmed is not None and not confirmed.done():
                confirmed.set_result(None)


class StreamHub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.streams: dict[str, _LocalStream] = {}
        self.connections: set[Connection] = set()
        # Items: (stream, seq, frame) for a broadcast, (stream, None, None) for "check the log",
        # (None, None, None) for "send heartbeats" (queued behind the fills the tick asked for).
        self.inbox: asyncio.Queue[tuple[str | None, int | None, str | None]] = asyncio.Queue(maxsize=_INBOX_LIMIT)
        self.transport = RedisTransport(self, settings.REDIS_URL) if settings.REDIS_URL else None
        self._supervise(self._dispatch)
        self._supervise(self._tick)
        if self.transport is not None:
            self._supervise(self.transport.run)

    def _supervise(self, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run one of the hub's loops forever: if it ever ends, log why and start it again."""

        def restart(task: asyncio.Task[None]) -> None:
            if not task.cancelled():
                logger.error("stream hub loop %s ended (%r); restarting it", run.__name__, task.exception())
                self.loop.call_later(0.5, self._supervise, run)

        self.loop.create_task(run()).add_done_callback(restart)

    # -- feeding the hub --------------------------------------------------------------------
    def deliver(self, *, stream: str, seq: int | None, frame: str | None) -> None:
        if stream not in self.streams:
            return
        try:
            self.inbox.put_nowait((stream, seq, frame))
        except asyncio.QueueFull:
            logger.warning("stream hub inbox full; %s will be filled from the log", stream)

    def deliver_threadsafe(self, *, stream: str, seq: int, frame: str) -> None:
        self.loop.call_soon_threadsafe(lambda: self.deliver(stream=stream, seq=seq, frame=frame))

    def check_all(self) -> None:
        for stream in list(self.streams):
            self.deliver(stream=stream, seq=None, frame=None)

    # -- subscriptions ------------------------------------------------------------------------
    async def join(self, subscription: Subscription) -> None:
        local = self.streams.get(subscription.stream)
        if local is None:
            local = self.streams[subscription.stream] = _LocalStream(subscription.stream)
            local.subscriptions.add(subscription)
            if self.transport is not None:
                await self.transport.subscribe(subscription.stream)
            self.deliver(stream=subscription.stream, seq=None, frame=None)
        else:
            local.subscriptions.add(subscription)

    def leave(self, subscription: Subscription) -> None:
        subscription.active = False
        local = self.streams.get(subscription.stream)
        if local is None:
            return
        local.subscriptions.discard(subscription)
        if not local.subscriptions:
            del self.streams[subscription.stream]
            if self.transport is not None:
                self.loop.create_task(self.transport.unsubscribe(subscription.stream))

    # -- the dispatcher: the only code that advances a stream's last_seq -----------------------
    async def _dispatch(self) -> None:
        while True:
            stream, seq, frame = await self.inbox.get()
            if stream is None:
                try:
                    await self._heartbeat()
                except Exception:
                    logger.exception("stream hub heartbeat failed")
                continue
            local = self.streams.get(stream)
            if local is None:
                continue
            try:
                if seq is None or not local.ready:
                    await self._fill(local)
                elif seq == local.last_seq + 1 and frame is not None:
                    local.last_seq = seq
                    await self._fanout(local, [(seq, frame)])
                elif seq > local.last_seq:
                    await self._fill(local)
            except Exception:
                logger.exception("stream hub failed on %s; the next tick retries", stream)

    async def _fill(self, local: _LocalStream) -> None:
        if not local.ready:
            local.last_seq = (await database_sync_to_async(stream_heads)(streams=[local.name]))[local.name]
            local.ready = True
            return
        batch = settings.STREAMS["REPLAY_BATCH"]
        while True:
            frames = await database_sync_to_async(stream_frames_since)(
                stream=local.name, since=local.last_seq, limit=batch
            )
            if not frames:
                return
            local.last_seq = frames[-1][0]
            await self._fanout(local, frames)
            if len(frames) < batch:
                return

    async def _fanout(self, local: _LocalStream, frames: list[tuple[int, str]]) -> None:
        # Sequential with a yield every ~100 sockets: daphne's send is effectively synchronous,
        # and Twisted flushes nothing until we yield; a task per socket costs more than it saves.
        # Frame by frame, yielding in between, so the server flushes one frame to every socket
        # before it buffers the next.
        subscriptions = list(local.subscriptions)
        for seq, text in frames:
            frame = OutgoingFrame(text)
            for count, subscription in enumerate(subscriptions, start=1):
                try:
                    pending = subscription.offer(seq, frame)
                    if pending is not None:
                        await pending
                except Exception:
                    # One broken socket must not cost the others this frame.
                    logger.exception("stream fan-out to one socket failed")
                if count % _FANOUT_YIELD_EVERY == 0:
                    await asyncio.sleep(0)
            await asyncio.sleep(0)

    # -- the periodic tick: fill trailing losses, renew, heartbeat ---------------------------
    async def _tick(self) -> None:
        interval = settings.STREAMS["HEARTBEAT_SECONDS"]
        while True:
            await asyncio.sleep(interval)
            try:
                await self.tick()
            except Exception:
                logger.exception("stream hub tick failed")

    async def tick(self) -> None:
        streams = list(self.streams)
        heads = await database_sync_to_async(stream_heads)(streams=streams) if streams else {}
        for stream, head in heads.items():
            local = self.streams.get(stream)
            if local is not None and head > local.last_seq:
                self.deliver(stream=stream, seq=None, frame=None)
        if self.transport is not None:
            await self.transport.renew()
        self.inbox.put_nowait((None, None, None))

    async def _heartbeat(self) -> None:
        """Send each connection its streams' heads; restart the catch-up of any subscription
        that trails its stream (a send that raced a replay), so none stays silently stale."""
        for count, connection in enumerate(list(self.connections), start=1):
            try:
                await self._heartbeat_one(connection)
            except Exception:
                logger.exception("stream heartbeat to one socket failed")
            if count % _FANOUT_YIELD_EVERY == 0:
                await asyncio.sleep(0)

    async def _heartbeat_one(self, connection: Connection) -> None:
        heads = {}
        for stream, subscription in list(connection.subscriptions.items()):
            local = self.streams.get(stream)
            heads[stream] = local.last_seq if local is not None else subscription.last
            if local is not None and not subscription.syncing and subscription.last < local.last_seq:
                subscription.syncing = True
                connection.spawn(subscription.catch_up())
        await connection.send_text(dumps({"op": "heartbeat", "heads": heads}))
        connection.on_heartbeat()


def local_hub() -> StreamHub | None:
    """This process's hub, if a WebSocket connection has started it."""
    return _hub


def get_hub() -> StreamHub:
    """This process's hub, started on the running event loop at first use."""
    global _hub
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop:
        _hub = StreamHub(loop)
    return _hub
