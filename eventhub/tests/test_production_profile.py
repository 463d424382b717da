"""The production profile for real (docs/production.md): `scripts/serve --production` from this
checkout on free ports — nginx, gunicorn with 2 workers, 2 daphne processes, a Celery worker and
beat — started once for the module, on the test database and a private Redis.

PostgreSQL is reached through a TCP relay the test can cut, and the Redis is this module's own:
the machine's shared servers are never stopped.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
import structlog
from channels.db import database_sync_to_async
from django.conf import settings
from django_scopes import scopes_disabled
from websockets.exceptions import ConnectionClosed

from eventhub.celery import app as celery_app
from eventhub.realtime.models import StreamEntry
from eventhub.realtime.streams import event_staff_stream
from eventhub.testing.factories import EventFactory, MemberFactory, ParticipantFactory, UserFactory
from eventhub.testing.live import ROOT, free_port, process_env, session_token_for
from eventhub.testing.live import test_database_url as live_database_url
from eventhub.testing.ws import StreamClient
from events.models import Speaker

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]


class Relay:
    """A TCP relay to PostgreSQL on a port of its own: ``cut()`` drops every connection and
    refuses new ones (PostgreSQL unreachable, as a network failure looks); ``mend()`` listens again."""

    def __init__(self, target_port: int) -> None:
        self.target = ("127.0.0.1", target_port)
        self.port = free_port()
        self.listener: socket.socket | None = None
        self.sockets: set[socket.socket] = set()
        self.lock = threading.Lock()

    def mend(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def cut(self) -> None:
        if self.listener is not None:
            # shutdown() first: a close() alone leaves the socket listening while the accept
            # thread is blocked in it (Linux), and mend() could not bind the port again.
            try:
                self.listener.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            self.listener.close()
            self.listener = None
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


class PrivateRedis:
    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.directory = directory
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).stdout != b"PONG\n":
            assert time.monotonic() < deadline, "redis did not start"
            time.sleep(0.05)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


class Profile:
    def __init__(self, run_dir: Path, log: Path, port: int, redis: PrivateRedis, relay: Relay, env: dict) -> None:
        self.run_dir, self.log, self.redis, self.relay, self.env = run_dir, log, redis, relay, env
        self.base = f"http://127.0.0.1:{port}"
        self.ws = f"ws://127.0.0.1:{port}/ws/v1/"
        self.proc: subprocess.Popen | None = None

    def pids(self) -> dict[str, int]:
        state = json.loads((self.run_dir / "processes.json").read_text())
        return {name: entry["pid"] for name, entry in state["processes"].items()}

    def web_workers(self) -> set[int]:
        master = self.pids()["web"]
        return {int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()}

    def log_lines(self) -> list[dict]:
        lines = []
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    lines.append(json.loads(line))
                except ValueError:
                    pass
        return lines


def get(url: str, headers: dict[str, str] | None = None, timeout: float = 10) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = predicate()
        except (OSError, KeyError, ValueError):
            result = None
        if result:
            return result
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout}s"
        time.sleep(interval)


@pytest.fixture(scope="module")
def profile(tmp_path_factory, django_db_setup):
    directory = tmp_path_factory.mktemp("production")
    redis = PrivateRedis(directory)
    redis.start()
    relay = Relay(int(settings.DATABASES["default"]["PORT"] or 5432))
    relay.mend()
    database_url = live_database_url().replace(f":{settings.DATABASES['default']['PORT'] or 5432}/", f":{relay.port}/")
    port = free_port()
    env = process_env(
        DATABASE_URL=database_url,
        REDIS_URL=redis.url,
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_PORT=str(free_port()),
        SOCKET_PORTS=f"{free_port()},{free_port()}",
        WEB_WORKERS="2",
        CELERY_CONCURRENCY="1",
        DATABASE_POOL_MAX="4",
        DATABASE_POOL_MIN="1",
        SERVE_RUN_DIR=str(directory / "run"),
        NGINX_WORKER_PROCESSES="1",
        STREAM_CHANNEL_PREFIX=settings.STREAMS["CHANNEL_PREFIX"],
    )
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    log = directory / "profile.log"
    profile = Profile(directory / "run", log, port, redis, relay, env)
    with log.open("wb") as out:
        profile.proc = subprocess.Popen(
            [str(ROOT / "scripts" / "serve"), "--production"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:

        def serving():
            if profile.proc.poll() is not None:
                pytest.fail(f"scripts/serve --production exited:\n{log.read_text()[-3000:]}")
            return any(line.get("event") == "serving" for line in profile.log_lines())

        # On a fresh machine this includes installing nginx (scripts/serve does, as root).
        wait_for(serving, timeout=240, what=f"the profile serving (log: {log})")
        # Every process is up: the daphne processes and the worker too.
        wait_for(lambda: any("ready." in str(line.get("event")) for line in profile.log_lines()), 60, "celery ready")
        yield profile
    finally:
        if profile.proc.poll() is None:
            profile.proc.send_signal(signal.SIGTERM)
            try:
                profile.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(profile.proc.pid, signal.SIGKILL)
                profile.proc.wait()
        relay.cut()
        redis.kill()


@pytest.fixture
def attendee(transactional_db):
    with scopes_disabled():
        event = EventFactory()
        user = ParticipantFactory(event=event).user
    return event, user


@pytest.fixture
def organizer(transactional_db):
    with scopes_disabled():
        event = EventFactory()
        user = MemberFactory(organization=event.organization).user
    return event, user


def join_sync(profile: Profile, event, count: int) -> list[int]:
    """``count`` new people join the event through the profile (``POST …/join`` via nginx and
    gunicorn): each join appends ``participant.joined`` to the event's staff stream, committed
    and broadcast through the profile's Redis. The seqs of those entries."""
    stream = event_staff_stream(event.pk)
    head = StreamEntry.objects.filter(stream=stream).order_by("-seq").values_list("seq", flat=True).first() or 0
    for _ in range(count):
        token = session_token_for(UserFactory())
        request = urllib.request.Request(
            f"{profile.base}/api/v1/events/{event.pk}/join", method="POST", headers={"X-Session-Token": token}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 201
    return list(StreamEntry.objects.filter(stream=stream, seq__gt=head).order_by("seq").values_list("seq", flat=True))


join = database_sync_to_async(join_sync)


def test_http_goes_through_nginx_to_gunicorn_and_static_and_media_from_disk(profile, attendee):
    event, user = attendee
    token = session_token_for(user)

    status, headers, body = get(f"{profile.base}/api/v1/me", {"X-Session-Token": token})
    assert status == 200, body
    assert json.loads(body)["email"] == user.email
    assert headers["Server"] == "nginx"  # no version, no gunicorn banner
    assert len(headers["X-Request-ID"]) == 32

    status, _, body = get(f"{profile.base}/portal/", {"Cookie": f"{settings.SESSION_COOKIE_NAME}={token}"})
    assert status == 200
    assert b"<html" in body.lower()

    manifest_file = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest_file.exists():
        pytest.fail("no collected static files: run manage.py collectstatic first (make test does)")
    manifest = json.loads(manifest_file.read_text())
    hashed = manifest["paths"]["js/stream.js"]
    status, headers, body = get(f"{profile.base}/static/{hashed}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert headers.get("Content-Encoding") == "gzip"  # collectstatic's .gz, served by nginx as is

    media = Path(settings.MEDIA_ROOT) / "production-test" / f"{uuid.uuid4().hex}.txt"
    media.parent.mkdir(parents=True, exist_ok=True)
    media.write_text("<script>alert(1)</script>")
    try:
        status, headers, body = get(f"{profile.base}/media/production-test/{media.name}")
    finally:
        media.unlink()
    assert status == 200
    assert body == b"<script>alert(1)</script>"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_app_sees_the_client_address_nginx_saw_not_what_the_client_claims(profile):
    # A 404: the app logs a line for each 4xx/5xx answer (nginx logs every request).
    status, headers, _ = get(f"{profile.base}/api/v1/no-such-route", {"X-Forwarded-For": "203.0.113.7"})
    assert status == 404
    request_id = headers["X-Request-ID"]

    line = wait_for(
        lambda: next((x for x in profile.log_lines() if x.get("request_id") == request_id and "ip" in x), None),
        10,
        "the request's log line",
    )
    assert line["ip"] == "127.0.0.1"
    # nginx's own JSON access log has the same request id (written once the response went out).
    access = profile.run_dir / "nginx-access.log"
    wait_for(lambda: f'"request_id":"{request_id}"' in access.read_text(), 5, "the access log line")


def test_nginx_access_log_redacts_bearer_links(profile):
    token = "s3cr3t-bearer-token-" + "x" * 20
    requests = [f"/calendar/{token}.ics?since=1", f"/displays/{token}", f"/api/v1/events/1/calendar/{token}.ics"]
    ids = [get(profile.base + path)[1]["X-Request-ID"] for path in requests]

    access = profile.run_dir / "nginx-access.log"
    wait_for(lambda: all(f'"request_id":"{i}"' in access.read_text() for i in ids), 5, "the access log lines")
    lines = [json.loads(x) for x in access.read_text().splitlines() if any(i in x for i in ids)]

    assert token not in access.read_text()
    assert sorted(x["uri"] for x in lines) == sorted(
        ["/calendar/[redacted].ics?since=1", "/displays/[redacted]", "/api/v1/events/1/calendar/[redacted].ics"]
    )


async def test_an_api_write_reaches_a_websocket_subscriber_through_nginx(profile, organizer):
    event, user = organizer
    staff = event_staff_stream(event.pk)
    token = await database_sync_to_async(session_token_for)(user)
    client = await StreamClient.open(profile.ws, token=token)
    subscribed = await client.subscribe(staff)
    assert subscribed["op"] == "subscribed"

    seqs = await join(profile, event, 3)
    entries = await client.entries(staff, 3)

    assert [entry["seq"] for entry in entries] == seqs
    assert [entry["type"] for entry in entries] == ["participant.joined"] * 3
    # Every process's own counters, summed by the scrape of one gunicorn worker: the appends
    # counted where the joins ran (gunicorn), deliveries and sockets where they went (daphne).
    text = get(f"{profile.base}/metrics")[2].decode()
    assert "eventhub_websocket_connections 1.0" in text
    assert 'eventhub_stream_lag_seconds_count{kind="event:staff"}' in text
    assert metric_value(text, 'eventhub_hub_deliveries_total{kind="event:staff"}') >= 3
    assert metric_value(text, 'eventhub_stream_appends_total{kind="event:staff"}') >= 3
    assert metric_value(text, 'eventhub_stream_appends_total{kind="user"}') >= 3
    await client.close()
    wait_for(lambda: "eventhub_websocket_connections 0.0" in get(f"{profile.base}/metrics")[2].decode(), 10, "closed")


def metric_value(text: str, sample: str) -> float:
    line = next(line for line in text.splitlines() if line.startswith(sample + " "))
    return float(line.rsplit(" ", 1)[1])


async def test_kill_9_of_a_web_worker_a_socket_process_and_the_celery_worker_restarts_each_and_loses_nothing(
    profile, organizer
):
    event, user = organizer
    staff = event_staff_stream(event.pk)
    token = await database_sync_to_async(session_token_for)(user)
    # Two sockets: least_conn puts one on each daphne process.
    clients = [await StreamClient.open(profile.ws, token=token) for _ in range(2)]
    for client in clients:
        assert (await client.subscribe(staff))["op"] == "subscribed"
    first = await join(profile, event, 2)
    for client in clients:
        assert [entry["seq"] for entry in await client.entries(staff, 2)] == first
    before = profile.pids()
    workers_before = profile.web_workers()
    celery_children = Path(f"/proc/{before['worker']}/task/{before['worker']}/children").read_text().split()

    for pid in (before["socket-1"], before["worker"], min(workers_before)):
        os.kill(pid, signal.SIGKILL)
    missed = await join(profile, event, 3)  # while a socket process is down, via the other web worker

    # Each one comes back: the supervisor restarts daphne and Celery, gunicorn its worker.
    after = wait_for(
        lambda: (
            (pids := profile.pids())["socket-1"] != before["socket-1"] and pids["worker"] != before["worker"] and pids
        ),
        30,
        "socket-1 and the worker restarted",
    )
    wait_for(lambda: len(profile.web_workers() - workers_before) == 1 and len(profile.web_workers()) == 2, 30, "web")
    assert after["socket-2"] == before["socket-2"]
    assert after["web"] == before["web"]
    # The killed worker's pool process did not linger.
    wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in celery_children), 15, "old pool gone")

    # The client of the killed process lost its socket; it reconnects with `since` and gets
    # every entry it missed, once, in order. The other one got them live.
    received, reconnects = {}, 0
    for index, client in enumerate(clients):
        try:
            received[index] = [entry["seq"] for entry in await client.entries(staff, 3, timeout=3)]
        except (ConnectionClosed, TimeoutError):
            await client.close()
            reconnects += 1
            reconnected = await StreamClient.open(profile.ws, token=token)
            assert (await reconnected.subscribe(staff, since=first[-1]))["op"] == "subscribed"
            received[index] = [entry["seq"] for entry in await reconnected.entries(staff, 3)]
            clients[index] = reconnected
    assert received == {0: missed, 1: missed}
    assert reconnects == 1  # the socket on the killed process, and only that one
    # Nothing more than that arrives (no duplicates after the reconnect).
    for client in clients:
        assert [frame for frame in await client.quiet(1.5) if "seq" in frame] == []
        await client.close()

    # HTTP still answers on the remaining and the new gunicorn worker alike.
    assert all(get(f"{profile.base}/healthz")[0] == 200 for _ in range(6))
    # The restarted Celery worker takes tasks again, with the publisher's request id in its logs.
    request_id = uuid.uuid4().hex
    _run_task_with_request_id(profile, request_id)


def _run_task_with_request_id(profile: Profile, request_id: str) -> None:
    """A task sent the way a request would send it: django-structlog puts the bound request id
    in the message headers, and the worker binds it in the task's log lines."""
    with structlog.contextvars.bound_contextvars(request_id=request_id):
        with celery_app.connection_for_write(profile.redis.url) as connection:
            celery_app.send_task(
                "eventhub.realtime.tasks.purge_expired_stream_entries", connection=connection, ignore_result=True
            )
    line = wait_for(
        lambda: next(
            (
                x
                for x in profile.log_lines()
                if x.get("event") == "task_succeeded" and x.get("request_id") == request_id
            ),
            None,
        ),
        30,
        "the task run by the restarted worker",
    )
    assert line["task_id"]


def test_kill_9_of_nginx_restarts_it_without_its_old_workers_holding_the_port(profile):
    before = profile.pids()["nginx"]
    workers = Path(f"/proc/{before}/task/{before}/children").read_text().split()

    os.kill(before, signal.SIGKILL)

    wait_for(lambda: profile.pids()["nginx"] != before and get(f"{profile.base}/healthz")[0] == 200, 30, "nginx")
    assert not any(Path(f"/proc/{pid}").exists() for pid in workers)


def test_readyz_is_503_while_redis_is_down_and_recovers_by_itself(profile):
    assert get(f"{profile.base}/readyz")[0] == 200
    profile.redis.kill()
    try:
        status, _, body = get(f"{profile.base}/readyz")
        assert status == 503
        assert json.loads(body)["failed"] == ["redis"]
        assert get(f"{profile.base}/healthz")[0] == 200  # alive all the same
    finally:
        profile.redis.start()
    wait_for(lambda: all(get(f"{profile.base}/readyz")[0] == 200 for _ in range(4)), 30, "ready again")


def test_readyz_is_503_while_postgresql_is_unreachable_and_recovers_by_itself(profile):
    assert get(f"{profile.base}/readyz")[0] == 200
    profile.relay.cut()
    try:
        started = time.monotonic()
        status, _, body = get(f"{profile.base}/readyz")
        assert status == 503
        assert "database" in json.loads(body)["failed"]
        assert time.monotonic() - started < 5  # bounded, not the pool's whole timeout
        assert get(f"{profile.base}/healthz")[0] == 200
    finally:
        profile.relay.mend()
    wait_for(lambda: all(get(f"{profile.base}/readyz")[0] == 200 for _ in range(4)), 30, "ready again")


def test_metrics_through_nginx_add_up_every_process(profile):
    _run_task_with_request_id(profile, uuid.uuid4().hex)  # a task duration from the worker

    status, headers, body = get(f"{profile.base}/metrics")
    assert status == 200
    assert headers["Content-Type"].startswith("text/plain")
    text = body.decode()
    assert "django_http_requests_total_by_method_total" in text
    assert 'eventhub_task_duration_seconds_count{state="SUCCESS",task="eventhub.realtime.tasks.purge' in text


def test_exports_stream_through_nginx_from_the_asgi_processes(profile, organizer):
    """Export downloads go to the daphne upstream (deploy/nginx.conf.template, issue 10): the
    CSV arrives whole and the XLSX is a workbook, through nginx unbuffered."""
    event, user = organizer
    with scopes_disabled():
        Speaker.objects.create(event=event, name="Ada Lovelace", external_id="S1")
    cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session_token_for(user)}"}
    base = f"{profile.base}/portal/{event.organization.slug}/events/{event.slug}/exports"

    csv_status, csv_headers, csv_body = get(f"{base}/speakers.csv", cookie)
    xlsx_status, _, xlsx_body = get(f"{base}/speakers.xlsx", cookie)

    assert csv_status == 200, csv_body[:500]
    assert csv_headers["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_body.decode("utf-8-sig").splitlines()[1].split(",")[1:3] == ["S1", "Ada Lovelace"]
    assert xlsx_status == 200
    assert xlsx_body[:2] == b"PK"  # a zip: the workbook
