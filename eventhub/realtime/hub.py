"""The process-local stream hub: one per server process, living on its event loop.

The consumer talks to it with ``connect`` / ``subscribe`` / ``unsubscribe`` / ``disconnect``;
the transport (``transport.py``) feeds it broadcasts. The hub subscribes the transport once per
stream that has local subscribers, decodes nothing but the seq in front of each message, and
writes the same pre-encoded text frame to every local subscription of that stream — no
channel-layer message, no handler call and no JSON encode per socket (see shared/PERFORMANCE.md
for why).

Correctness never rests on the broadcast: the hub delivers each stream strictly in seq order and
fills any gap from the log; a periodic tick reads the heads of all local streams from the
database, fills trailing losses (a broadcast lost to a Redis restart), renews the Pub/Sub
subscriptions and sends every connection a heartbeat with its streams' heads. Each subscription
tracks the last seq it sent, so replays and live entries never overlap or skip.

Everything that reaches the dispatcher goes through one queue, the inbox, as typed records
(``Broadcast``, ``CheckLog``, ``Heartbeat``); the dispatcher is the only code that advances a
stream's ``last_seq``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Collection, Coroutine
from dataclasses import dataclass
from typing import Any, Protocol

from channels.db import database_sync_to_async
from django.conf import settings

from eventhub import metrics

from . import transport
from .frames import Op, OutgoingFrame, Ref, heartbeat_frame, op_frame, reset_frame
from .selectors import StreamPosition, stream_frames_since, stream_heads, stream_position

logger = logging.getLogger(__name__)

_FANOUT_YIELD_EVERY = 100
_INBOX_LIMIT = 100_000
_hub: StreamHub | None = None


class Connection(Protocol):
    """What the hub needs from a WebSocket connection (implemented by the consumer)."""

    async def send_text(self, text: str) -> None: ...

    async def send_frame(self, frame: OutgoingFrame, *, wait_for_drain: bool = False) -> None: ...

    def try_push(self, frame: OutgoingFrame) -> bool:
        """Send synchronously if this server allows it; False means: use ``send_frame``."""
        ...

    def on_heartbeat(self) -> None: ...

    def on_recheck(self, recheck: transport.Recheck) -> None:
        """A session or user changed somewhere (``transport.publish_recheck``): re-authorize now
        if this connection is one of them."""
        ...

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None: ...


# -- the inbox ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Broadcast:
    """An entry the transport heard: sent on if it is the stream's next seq, else the log is read."""

    stream: str
    seq: int
    frame: str


@dataclass(frozen=True, slots=True)
class CheckLog:
    """Read the log of ``stream`` past what the hub has delivered (a first subscriber, a head
    ahead of ``last_seq`` at the tick, a Redis reconnect)."""

    stream: str


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """Send every connection its heartbeat; queued by the tick behind the checks it asked for."""


InboxItem = Broadcast | CheckLog | Heartbeat


# -- subscriptions --------------------------------------------------------------------------


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
        batch: int = settings.STREAMS["REPLAY_BATCH"]
        empty_reads = 0
        try:
            while self.active:
                frames: list[tuple[int, str]] = await database_sync_to_async(stream_frames_since)(
                    stream=self.stream, since=self.last, limit=batch
                )
                if not self.active:
                    return
                if frames and frames[0][0] != self.last + 1:
                    position: StreamPosition = await database_sync_to_async(stream_position)(stream=self.stream)
                    await self.connection.send_text(reset_frame(stream=self.stream, head=position.head))
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


# -- the hub --------------------------------------------------------------------------------


class StreamHub:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.streams: dict[str, _LocalStream] = {}
        self.connections: dict[Connection, dict[str, Subscription]] = {}
        self.inbox: asyncio.Queue[InboxItem] = asyncio.Queue(maxsize=_INBOX_LIMIT)
        self.subscriber = transport.attach(self, loop)
        self._supervise(self._dispatch)
        self._supervise(self._tick)
        self._supervise(self.subscriber.run)

    def _supervise(self, run: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run one of the hub's loops forever: if it ever ends, log why and start it again."""

        def restart(task: asyncio.Task[None]) -> None:
            if not task.cancelled():
                logger.error("stream hub loop %s ended (%r); restarting it", run.__name__, task.exception())
                self.loop.call_later(0.5, self._supervise, run)

        self.loop.create_task(run()).add_done_callback(restart)

    # -- the consumer's side ------------------------------------------------------------------
    def connect(self, connection: Connection) -> None:
        if connection not in self.connections:
            metrics.socket_opened()
        self.connections[connection] = {}

    def disconnect(self, connection: Connection) -> None:
        """End every subscription of the connection (idempotent)."""
        if connection not in self.connections:
            return
        metrics.socket_closed()
        for subscription in self.connections.pop(connection).values():
            self._leave(subscription)

    def subscribed_streams(self, connection: Connection) -> Collection[str]:
        return self.connections.get(connection, {}).keys()

    async def subscribe(self, connection: Connection, stream: str, since: int | None, *, ref: Ref = None) -> None:
        """Subscribe an authorized connection and bring it up to date: answer ``subscribed``
        with the head; then, with ``since`` None, go live from the head; with a ``since`` the
        log can replay, send every entry after it; else send ``reset`` and go live from the
        head. Live entries that arrive meanwhile are only noted (``Subscription.syncing``) and
        read from the log afterwards, so the replay and live entries never overlap or skip."""
        subscriptions = self.connections.get(connection)
        if subscriptions is None:
            return  # disconnected meanwhile
        subscription = subscriptions[stream] = Subscription(connection=connection, stream=stream, last=0)
        await self._join(subscription)
        position: StreamPosition = await database_sync_to_async(stream_position)(stream=stream)
        await connection.send_text(op_frame(Op.SUBSCRIBED, ref, stream=stream, head=position.head))
        if since is None:
            subscription.last = position.head
        elif position.can_replay_from(since):
            subscription.last = since
        else:
            await connection.send_text(op_frame(Op.RESET, ref, stream=stream, head=position.head))
            subscription.last = position.head
        await subscription.catch_up()

    def unsubscribe(self, connection: Connection, stream: str) -> bool:
        """End one subscription; False if the connection had none to ``stream``."""
        subscription = self.connections.get(connection, {}).pop(stream, None)
        if subscription is None:
            return False
        self._leave(subscription)
        return True

    async def _join(self, subscription: Subscription) -> None:
        local = self.streams.get(subscription.stream)
        if local is None:
            local = self.streams[subscription.stream] = _LocalStream(subscription.stream)
            local.subscriptions.add(subscription)
            await self.subscriber.subscribe(subscription.stream)
            self._enqueue(CheckLog(subscription.stream))
        else:
            local.subscriptions.add(subscription)

    def _leave(self, subscription: Subscription) -> None:
        subscription.active = False
        local = self.streams.get(subscription.stream)
        if local is None:
            return
        local.subscriptions.discard(subscription)
        if not local.subscriptions:
            del self.streams[subscription.stream]
            self.loop.create_task(self.subscriber.unsubscribe(subscription.stream))

    # -- the transport's side (transport.Sink) ------------------------------------------------
    def deliver(self, *, stream: str, seq: int, frame: str) -> None:
        if stream in self.streams:
            self._enqueue(Broadcast(stream, seq, frame))

    def check_all(self) -> None:
        for stream in list(self.streams):
            self._enqueue(CheckLog(stream))

    def recheck(self, recheck: transport.Recheck) -> None:
        for connection in list(self.connections):
            try:
                connection.on_recheck(recheck)
            except Exception:
                logger.exception("recheck of one socket failed")

    def _enqueue(self, item: Broadcast | CheckLog) -> None:
        try:
            self.inbox.put_nowait(item)
        except asyncio.QueueFull:
            logger.warning("stream hub inbox full; %s will be filled from the log", item.stream)

    # -- the dispatcher: the only code that advances a stream's last_seq -----------------------
    async def _dispatch(self) -> None:
        while True:
            item = await self.inbox.get()
            if isinstance(item, Heartbeat):
                try:
                    await self._heartbeat()
                except Exception:
                    logger.exception("stream hub heartbeat failed")
                continue
            local = self.streams.get(item.stream)
            if local is None:
                continue
            try:
                if isinstance(item, Broadcast) and local.ready and item.seq == local.last_seq + 1:
                    local.last_seq = item.seq
                    await self._fanout(local, [(item.seq, item.frame)])
                elif isinstance(item, CheckLog) or not local.ready or item.seq > local.last_seq:
                    await self._fill(local)
            except Exception:
                logger.exception("stream hub failed on %s; the next tick retries", item.stream)

    async def _fill(self, local: _LocalStream) -> None:
        if not local.ready:
            heads: dict[str, int] = await database_sync_to_async(stream_heads)(streams=[local.name])
            local.last_seq = heads[local.name]
            local.ready = True
            return
        batch: int = settings.STREAMS["REPLAY_BATCH"]
        while True:
            frames: list[tuple[int, str]] = await database_sync_to_async(stream_frames_since)(
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
            metrics.count_fanout(local.name, sockets=len(subscriptions), frame=text)
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
        interval: float = settings.STREAMS["HEARTBEAT_SECONDS"]
        while True:
            await asyncio.sleep(interval)
            try:
                await self.tick()
            except Exception:
                logger.exception("stream hub tick failed")

    async def tick(self) -> None:
        streams = list(self.streams)
        heads: dict[str, int] = await database_sync_to_async(stream_heads)(streams=streams) if streams else {}
        for stream, head in heads.items():
            local = self.streams.get(stream)
            if local is not None and head > local.last_seq:
                self._enqueue(CheckLog(stream))
        await self.subscriber.renew()
        self.inbox.put_nowait(Heartbeat())

    async def _heartbeat(self) -> None:
        """Send each connection its streams' heads; restart the catch-up of any subscription
        that trails its stream (a send that raced a replay), so none stays silently stale."""
        for count, (connection, subscriptions) in enumerate(list(self.connections.items()), start=1):
            try:
                await self._heartbeat_one(connection, subscriptions)
            except Exception:
                logger.exception("stream heartbeat to one socket failed")
            if count % _FANOUT_YIELD_EVERY == 0:
                await asyncio.sleep(0)

    async def _heartbeat_one(self, connection: Connection, subscriptions: dict[str, Subscription]) -> None:
        heads = {}
        for stream, subscription in list(subscriptions.items()):
            local = self.streams.get(stream)
            heads[stream] = local.last_seq if local is not None else subscription.last
            if local is not None and not subscription.syncing and subscription.last < local.last_seq:
                subscription.syncing = True
                connection.spawn(subscription.catch_up())
        await connection.send_text(heartbeat_frame(heads))
        connection.on_heartbeat()


def get_hub() -> StreamHub:
    """This process's hub, started on the running event loop at first use."""
    global _hub
    loop = asyncio.get_running_loop()
    if _hub is None or _hub.loop is not loop:
        _hub = StreamHub(loop)
    return _hub
