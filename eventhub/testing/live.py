"""Real processes for tests about realtime and tasks: daphne servers and Celery workers on the
test database and the local Redis, started on free ports and always stopped."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


# Ports for servers started by tests: below Linux's ephemeral range (32768+), so the kernel never
# hands one of them to an outgoing connection or to a `bind(0)`, and split into one block per
# xdist worker, so two workers never pick the same port (a port is only probed here and bound
# later by the server, which may take a second to start; tests also restart a server on the
# port they got). Within its block a process starts at a random offset, so concurrent runs on
# one machine rarely probe the same ports, and never returns a port twice.
PORT_RANGE = range(20000, 30000)


def _port_candidates() -> Iterator[int]:
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    index = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))
    size = len(PORT_RANGE) // max(workers, 1)
    block = range(PORT_RANGE.start + index * size, PORT_RANGE.start + (index + 1) * size)
    start = random.randrange(len(block))  # noqa: S311 (spreading ports, not a secret)
    for offset in range(len(block)):
        yield block[(start + offset) % len(block)]


_ports = _port_candidates()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on, from this xdist worker's own block."""
    for port in _ports:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port left in this worker's block of {PORT_RANGE}")


def test_database_url() -> str:
    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def process_env(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "STREAM_HEARTBEAT_SECONDS": str(settings.STREAMS["HEARTBEAT_SECONDS"]),
            "EMBEDDED_SCHEDULER": "0",
            "DATABASE_POOL": "1",
            "DATABASE_POOL_MAX": "8",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(overrides)
    return env


def session_token_for(user) -> str:
    """A session token as allauth headless issues it at login (the session key of an
    authenticated session); it authenticates the API and the WebSocket alike."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    if session.session_key is None:  # create() always sets it; this tells the type checker so
        raise RuntimeError("the session was not created")
    return session.session_key


def _wait_for_port(port: int, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing listening on {port} after {timeout}s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


DAPHNE_ARGS = ("--server-name", "EventHub")
"""What ``scripts/serve`` passes daphne too: the WebSocket handshake says ``Server: EventHub``."""


@contextmanager
def daphne(tmp_path: Path, **env: str) -> Iterator[str]:
    """A daphne server; yields its base URL (``http://127.0.0.1:<port>``)."""
    port = free_port()
    log = tmp_path / f"daphne-{port}.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), *DAPHNE_ARGS, "eventhub.asgi:application"],
            cwd=ROOT,
            env=process_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_port(port, proc, 30, log)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(proc)


@contextmanager
def celery_worker(tmp_path: Path, **env: str) -> Iterator[subprocess.Popen]:
    """A Celery worker (solo pool) on the local Redis; returns once it is ready."""
    log = tmp_path / "celery.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(BIN / "celery"), "-A", "eventhub", "worker", "--pool=solo", "--loglevel=INFO", "--without-gossip"],
            cwd=ROOT,
            env=process_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while b"ready." not in log.read_bytes():
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"celery worker did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield proc
    finally:
        _stop(proc)


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/ws/v1/"
