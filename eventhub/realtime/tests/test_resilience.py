"""A lost broadcast loses nothing: Redis restarts, dropped and reordered broadcasts, slow
readers. Each test runs real daphne processes (and its own Redis where it kills one)."""

import asyncio
import signal
import subprocess
import time
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings
from websockets.exceptions import ConnectionClosed

from eventhub.realtime import transport
from eventhub.realtime.streams import event_stream
from eventhub.testing.live import BIN, ROOT, daphne, free_port, process_env, ws_url
from eventhub.testing.ws import StreamClient

from .conftest import append, append_sync

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

DEAD_REDIS = f"redis://127.0.0.1:{free_port()}/0"


class RedisProcess:
    """A private redis-server this test may kill -9 and restart on the same port."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = tmp_path
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.dir,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout != b"PONG\n":
            assert time.monotonic() < deadline, "redis did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()


@pytest.fixture
def redis_process(tmp_path):
    redis = RedisProcess(tmp_path)
    redis.start()
    yield redis
    if redis.proc.poll() is None:
        redis.kill()


async def start_appender(stream: str, *options: str, **env: str) -> asyncio.subprocess.Process:
    """``manage.py stream_append`` in its own process (its broadcasts go through Redis)."""
    return await asyncio.create_subprocess_exec(
        str(BIN / "python"),
        "manage.py",
        "stream_append",
        "--stream",
        stream,
        *options,
        cwd=ROOT,
        env=process_env(**env),
        stdout=subprocess.DEVNULL,
    )


class Collector:
    """A subscribed client that records every entry it receives, in arrival order."""

    def __init__(self, client: StreamClient, stream: str) -> None:
        self.client, self.stream = client, stream
        self.seqs: list[int] = []
        self.resets: list[int] = []
        self.task = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        while True:
            frame = await self.client.recv(timeout=60)
            if frame.get("stream") == self.stream and "seq" in frame:
                self.seqs.append(frame["seq"])
            elif frame.get("op") == "reset":
                self.resets.append(frame["head"])

    async def close(self) -> None:
        self.task.cancel()
        await self.client.close()


async def collectors(urls: list[str], stream: str, count: int) -> list[Collector]:
    result = []
    for index in range(count):
        client = await StreamClient.open(ws_url(urls[index % len(urls)]))
        assert (await client.subscribe(stream))["op"] == "subscribed"
        result.append(Collector(client, stream))
    return result


async def wait_until(predicate, timeout: float) -> float:
    started = time.monotonic()
    while not predicate():
        if time.monotonic() - started > timeout:
            break
        await asyncio.sleep(0.1)
    return time.monotonic() - started


async def test_redis_killed_and_restarted_loses_nothing_for_100_clients(event, redis_process, tmp_path):
    entries = 60
    with (
        daphne(tmp_path, REDIS_URL=redis_process.url) as first,
        daphne(tmp_path, REDIS_URL=redis_process.url) as second,
    ):
        clients = await collectors([first, second], event_stream(event.pk), 100)
        appender = await start_appender(
            event_stream(event.pk), "--count", str(entries), "--interval", "0.1", REDIS_URL=redis_process.url
        )
        await asyncio.sleep(1.5)
        redis_process.kill()
        await asyncio.sleep(2.0)
        redis_process.start()
        restarted = time.monotonic()
        assert await appender.wait() == 0

        expected = list(range(1, entries + 1))
        await wait_until(lambda: all(c.seqs == expected for c in clients), timeout=10)
        caught_up_after_restart = time.monotonic() - restarted
        for client in clients:
            await client.close()

    assert [c.seqs for c in clients] == [expected] * 100
    assert [c.resets for c in clients] == [[]] * 100
    assert caught_up_after_restart < 10


async def test_dropped_broadcast_is_filled_from_the_log_when_the_next_arrives(event, tmp_path):
    # A long heartbeat, so only the gap in the next broadcast can trigger the fill.
    with daphne(tmp_path, STREAM_HEARTBEAT_SECONDS="60") as url:
        client = await StreamClient.open(ws_url(url))
        await client.subscribe(event_stream(event.pk))

        await database_sync_to_async(_append_with_broadcast_lost)(event_stream(event.pk))
        assert await client.quiet(1.0) == []
        await append(event_stream(event.pk), 1, start=1)
        entries = await client.entries(event_stream(event.pk), 2, timeout=3)
        await client.close()

    assert [(e["seq"], e["data"]["n"]) for e in entries] == [(1, 0), (2, 1)]


async def test_trailing_lost_broadcast_is_delivered_by_the_heartbeat(event, ws):
    client = await StreamClient.open(ws)
    await client.subscribe(event_stream(event.pk))
    started = time.monotonic()

    await database_sync_to_async(_append_with_broadcast_lost)(event_stream(event.pk))
    entries = await client.entries(event_stream(event.pk), 1, timeout=5)

    assert [e["seq"] for e in entries] == [1]
    assert time.monotonic() - started < 3  # the heartbeat interval in tests is 1 s
    await client.close()


def _append_with_broadcast_lost(stream: str) -> None:
    transport._redis.cache_clear()
    try:
        with override_settings(REDIS_URL=DEAD_REDIS):
            append_sync(stream, 1)
    finally:
        transport._redis.cache_clear()


async def test_slow_reader_is_disconnected_and_others_keep_receiving(event, tmp_path):
    count = 1000  # 16 MB: more than the cap and the kernel's socket buffers together
    with daphne(tmp_path, STREAM_MAX_OUTBOUND_BYTES=str(2 * 1024 * 1024)) as url:
        healthy = await StreamClient.open(ws_url(url))
        await healthy.subscribe(event_stream(event.pk))
        slow = await StreamClient.open(ws_url(url))
        await slow.subscribe(event_stream(event.pk))
        slow.ws.transport.pause_reading()  # stop reading: the server's buffer for it fills up

        appender = await start_appender(event_stream(event.pk), "--count", str(count), "--payload-bytes", "16000")
        received = await healthy.entries(event_stream(event.pk), count, timeout=60)
        assert await appender.wait() == 0
        slow.ws.transport.resume_reading()
        slow_seqs = []
        with pytest.raises(ConnectionClosed):
            await _drain(slow, slow_seqs)
        await healthy.close()

    assert [e["seq"] for e in received] == list(range(1, count + 1))
    assert slow_seqs == list(range(1, len(slow_seqs) + 1))
    assert len(slow_seqs) < count


async def _drain(client: StreamClient, seqs: list[int]) -> None:
    while True:
        frame = await client.recv(timeout=10)
        if "seq" in frame:
            seqs.append(frame["seq"])


async def test_client_closing_with_unsent_data_does_not_stop_delivery_to_others(event, tmp_path):
    with daphne(tmp_path, STREAM_MAX_OUTBOUND_BYTES=str(64 * 1024 * 1024)) as url:
        appender = await start_appender(event_stream(event.pk), "--count", "300", "--payload-bytes", "16000")
        assert await appender.wait() == 0
        healthy = await StreamClient.open(ws_url(url))
        await healthy.subscribe(event_stream(event.pk))
        closing = await StreamClient.open(ws_url(url))
        closing.ws.transport.pause_reading()
        await closing.send({"op": "subscribe", "stream": event_stream(event.pk), "since": 0})
        await asyncio.sleep(0.5)  # the replay fills the server's buffer for this socket
        close = asyncio.get_running_loop().create_task(closing.ws.close())
        await asyncio.sleep(2.5)  # heartbeats (1 s) run while that socket is closing

        await append(event_stream(event.pk), 2, start=300)
        received = await healthy.entries(event_stream(event.pk), 2, timeout=5)
        close.cancel()

    assert [e["seq"] for e in received] == [301, 302]


async def test_unsubscribe_during_catch_up_then_resubscribe_gets_no_duplicates(event, ws):
    await append(event_stream(event.pk), 200)
    client = await StreamClient.open(ws)
    await client.subscribe(event_stream(event.pk), since=0)
    await client.send({"op": "unsubscribe", "stream": event_stream(event.pk)})
    await client.send({"op": "subscribe", "stream": event_stream(event.pk), "since": 0})

    frames = await client.quiet(3)
    seqs = [f["seq"] for f in frames if f.get("stream") == event_stream(event.pk) and "seq" in f]
    first_replay, second_replay = seqs[:200], seqs[200:]

    assert first_replay == list(range(1, 201))
    assert second_replay == list(range(1, 201))
    await client.close()
