#!/usr/bin/env python
"""Doors-open load test (issue 12, item 4): N attendees on the production profile.

Starts ``scripts/serve --production`` (nginx → gunicorn for HTTP, two daphne processes for
WebSockets, a Celery worker and beat) on PostgreSQL and Redis, on a database recreated each run
and seeded with the demo event plus N generated attendee accounts (bulk-inserted: one real
password hash, made once, shared by every account; e-mail addresses and participations too).
Then, from several client processes (asyncio, httpx + websockets):

* every attendee logs in through allauth headless (app client: ``POST
  /_allauth/app/v1/auth/login``, then ``X-Session-Token``), the logins spread over ``--ramp``
  seconds (``--login-share`` < 1 gives the rest a session token made in setup, as a phone that
  logged in the day before); fetches the offline bundle (gzip); opens one WebSocket on
  ``/ws/v1/`` subscribed to ``event:<id>`` and ``user:<me>``; reads the agenda every 30 s with
  ``If-None-Match``; bookmarks (or un-bookmarks) a session now and then (``--bookmark-every``);
* 4 gates (one scanner device each, one connection) scan fresh tickets back to back through
  ``POST …/scanner/scan`` of a second, check-in-ready event (``bench/scans.py``'s data);
* the organizer, logged in to the portal, delays a session and publishes every 20 s (the portal's
  own requests).

After ``--ramp`` + ``--duration`` seconds everything stops, the sockets get ``--settle`` seconds
for the last entries, and the received seqs of each socket are compared with the stream log
(``realtime_streamentry``): every entry after the head a socket subscribed at, appended before
the end of the steady state, must have arrived once. Prints per request kind and phase
(``ramp``: logins and bundles; ``steady``): requests, req/s, p50/p99, errors; WebSocket
delivery p50/p99 (arrival minus the entry's ``at``), lost, duplicates; CPU (% of one core) and
peak RSS per process: the profile's, PostgreSQL's backends of this database, and the load
client's own. A JSON summary lands in ``var/bench/doors-open-<time>.json``.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eventhub_load REDIS_URL=redis://127.0.0.1:6379/4 \\
        .venv/bin/python bench/doors_open.py [--attendees 5000] [--duration 120] [--ramp 60]

Each attendee's requests leave from one of ``--addresses`` loopback addresses (127.0.1.x):
phones are not all behind one address, and allauth limits logins to 600/min per address.
Rate limits on scans are off (``TICKETING_RATE_LIMITS='{}'``, as the settings say load tests
run): a gate at its best rate is the point. Talks to 127.0.0.0/8 only; bounded in time (ramp +
duration + settle, hard deadline) and count (``--max-scans``); stops everything it starts.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import resource
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from fanout import free_port  # noqa: E402
from publish_to_phone import portal_client, publish  # noqa: E402
from scans import lane  # noqa: E402

PASSWORD = "doors-open-bench"  # noqa: S105 (a throw-away benchmark account's password)
ORGANIZATION, EVENT_SLUG = "demo", "eventhub-conf-2026"
CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))], 1)


def parse_at(at: str) -> float:
    return datetime.fromisoformat(at.replace("Z", "+00:00")).timestamp()


# --- environment and data -------------------------------------------------------------------------


def bench_env(database_url: str, redis_url: str, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "PROMETHEUS_MULTIPROC_DIR")}
    db_name = urlsplit(database_url).path.lstrip("/")
    run_dir = ROOT / "var" / "bench" / f"doors-open-run-{port}"
    env.update(
        DATABASE_URL=database_url,
        REDIS_URL=redis_url,
        # Pub/Sub ignores Redis's database number: keep this run's broadcasts to itself.
        STREAM_CHANNEL_PREFIX=f"eventhub:{db_name}:stream:",
        HOST="127.0.0.1",
        PORT=str(port),
        WEB_PORT=str(free_port()),
        SOCKET_PORTS=f"{free_port()},{free_port()}",
        SERVE_RUN_DIR=str(run_dir),
        # Each proxied WebSocket holds two nginx connections (phone and daphne).
        NGINX_WORKER_CONNECTIONS="16384",
        TICKETING_RATE_LIMITS="{}",
        LOG_LEVEL="WARNING",
    )
    return env


def recreate_database(database_url: str, env: dict[str, str]) -> None:
    parts = urlsplit(database_url)
    name = parts.path.lstrip("/")
    psql = [
        "psql",
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]
    subprocess.run([*psql, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=True)
    subprocess.run([*psql, "-qc", f"CREATE DATABASE {name}"], check=True)
    steps = (["migrate", "--noinput", "-v0"], ["seed_demo", "--allow-non-demo"], ["collectstatic", "--noinput", "-v0"])
    for args in steps:  # seed_demo: a scratch database of its own
        subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def prepare(*, attendees: int, login_share: float, max_scans: int) -> dict[str, Any]:
    """Bulk-insert the attendees (one hash for all), their e-mail addresses and participations
    in the demo event; session tokens for those who do not log in; the gates' data."""
    from scans import prepare as prepare_scans  # noqa: PLC0415 (django-setup)

    gates = prepare_scans(gates=4, tickets=max_scans + 40)  # sets Django up and migrates

    from allauth.account.models import EmailAddress  # noqa: PLC0415 (django-setup)
    from django.contrib.auth.hashers import make_password  # noqa: PLC0415 (django-setup)
    from django_scopes import scopes_disabled  # noqa: PLC0415 (django-setup)

    from accounts.models import User  # noqa: PLC0415 (django-setup)
    from eventhub.testing.live import session_token_for  # noqa: PLC0415 (django-setup)
    from events.enums import ParticipantKind  # noqa: PLC0415 (django-setup)
    from events.models import Event, Participant, Session  # noqa: PLC0415 (django-setup)

    with scopes_disabled():
        event = Event.objects.get(organization__slug=ORGANIZATION, slug=EVENT_SLUG)
        password = make_password(PASSWORD)
        users = User.objects.bulk_create(
            User(email=f"load{i}@example.org", password=password) for i in range(attendees)
        )
        EmailAddress.objects.bulk_create(
            EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users
        )
        Participant.objects.bulk_create(Participant(event=event, user=u, kind=ParticipantKind.ATTENDEE) for u in users)
        logging_in = round(attendees * login_share)
        people = []
        for index, user in enumerate(users):
            token = None if index < logging_in else session_token_for(user)
            people.append({"email": user.email, "id": user.pk, "token": token})
        sessions = list(Session.objects.filter(event=event, status="published").values_list("pk", flat=True)) or list(
            Session.objects.filter(event=event).values_list("pk", flat=True)
        )
        delayed = (
            Session.objects.filter(event=event, room__name="Room B")
            .order_by("start")
            .values_list("pk", flat=True)
            .first()
        )
    return {"event_id": event.pk, "people": people, "sessions": sessions, "delayed": delayed, "gates": gates}


def stream_entries(before: float) -> dict[str, set[int]]:
    """The seqs of each stream appended before ``before`` (epoch seconds): what a socket open
    until after it must have received. Entries appended later (requests nginx already gave up on
    can still commit, see bench/README.md) are not counted as lost."""

    from eventhub.realtime.models import StreamEntry  # noqa: PLC0415 (django-setup)

    cutoff = datetime.fromtimestamp(before, tz=UTC)
    entries: dict[str, set[int]] = {}
    for stream, seq in StreamEntry.objects.filter(created_at__lt=cutoff).values_list("stream", "seq"):
        entries.setdefault(stream, set()).add(seq)
    return entries


# --- the attendees (client processes) -------------------------------------------------------------


class Tally:
    def __init__(self) -> None:
        self.samples: list[tuple[str, float, float, int]] = []  # kind, start, seconds, status (0 = failed)
        self.deliveries: list[float] = []
        self.sockets: list[dict[str, Any]] = []
        self.failures: dict[str, int] = {}

    def fail(self, what: str) -> None:
        self.failures[what] = self.failures.get(what, 0) + 1


async def timed(tally: Tally, kind: str, call, ok: tuple[int, ...]) -> Any:
    began = time.time()
    try:
        response = await call()
    except Exception as error:  # noqa: BLE001 (every failure is counted, none stops the run)
        tally.samples.append((kind, began, time.time() - began, 0))
        tally.fail(f"{kind}: {type(error).__name__}")
        return None
    tally.samples.append((kind, began, time.time() - began, response.status_code))
    if response.status_code not in ok:
        tally.fail(f"{kind}: HTTP {response.status_code}")
        return None
    return response


async def attendee(
    person: dict[str, Any], plan: dict[str, Any], http: Any, address: str, tally: Tally, stop: asyncio.Event
) -> None:
    event_id = plan["event_id"]
    await asyncio.sleep(max(0.0, person["login_at"] - time.time()))
    token = person["token"]
    if token is None:
        response = await timed(
            tally,
            "login",
            lambda: http.post("/_allauth/app/v1/auth/login", json={"email": person["email"], "password": PASSWORD}),
            (200,),
        )
        if response is None:
            return
        token = response.json()["meta"]["session_token"]
    headers = {"X-Session-Token": token}
    await timed(
        tally,
        "bundle",
        lambda: http.get(f"/api/v1/events/{event_id}/bundle", headers={**headers, "Accept-Encoding": "gzip"}),
        (200,),
    )
    streams = {f"event:{event_id}": None, f"user:{person['id']}": None}
    seqs: dict[str, list[int]] = {s: [] for s in streams}
    record: dict[str, Any] = {"heads": streams, "seqs": seqs, "closed_early": False}
    ws = None
    for attempt in range(3):  # a phone retries a refused socket (each refusal counts as an error)
        began = time.time()
        try:
            ws = await asyncio.wait_for(
                connect(plan["ws_url"], additional_headers=headers, max_size=2**22, local_addr=(address, 0)), 60
            )
            tally.samples.append(("websocket connect", began, time.time() - began, 101))
            break
        except Exception as error:  # noqa: BLE001
            tally.samples.append(("websocket connect", began, time.time() - began, 0))
            tally.fail(f"websocket connect: {type(error).__name__}")
            await asyncio.sleep(1 + attempt * 2 + random.random())
    if ws is None:
        return
    tally.sockets.append(record)
    reader_done = asyncio.Event()

    async def reader() -> None:
        try:
            async for raw in ws:
                now = time.time()
                frame = json.loads(raw)
                stream = frame.get("stream")
                if frame.get("op") == "subscribed":
                    streams[stream] = frame.get("head", 0)
                elif frame.get("seq") is not None and stream in seqs:
                    seqs[stream].append(frame["seq"])
                    tally.deliveries.append(now - parse_at(frame["at"]))
                elif frame.get("op") in ("error", "reset"):
                    tally.fail(f"websocket {frame.get('op')}: {frame.get('code', '')}")
        except Exception as error:  # noqa: BLE001 (counted below as a socket closed early)
            tally.fail(f"websocket read: {type(error).__name__}")
        record["closed_early"] = not plan["closing"]
        reader_done.set()

    read_task = asyncio.create_task(reader())
    for ref, stream in enumerate(streams):
        await ws.send(json.dumps({"op": "subscribe", "stream": stream, "ref": ref}))
    # The agenda every 30 s with its ETag, a bookmark now and then, until the end.
    rng = random.Random(person["id"])
    etag = ""
    next_read = time.time() + rng.uniform(1, 30)
    next_bookmark = time.time() + rng.expovariate(1 / plan["bookmark_every"])
    bookmarked: set[int] = set()
    while not stop.is_set():
        now = time.time()
        if now >= next_read:
            next_read += 30
            read_headers = {**headers, "If-None-Match": etag} if etag else headers
            response = await timed(
                tally,
                "agenda",
                lambda h=read_headers: http.get(f"/api/v1/events/{event_id}/sessions", headers=h),
                (200, 304),
            )
            if response is not None:
                etag = response.headers.get("ETag", etag)
        if now >= next_bookmark:
            next_bookmark += rng.expovariate(1 / plan["bookmark_every"])
            session = rng.choice(plan["sessions"])
            path = f"/api/v1/events/{event_id}/sessions/{session}/bookmark"
            if session in bookmarked:
                bookmarked.discard(session)
                await timed(tally, "unbookmark", lambda p=path: http.delete(p, headers=headers), (200, 204))
            else:
                bookmarked.add(session)
                await timed(tally, "bookmark", lambda p=path: http.put(p, headers=headers), (200, 201, 204))
        wake = min(next_read, next_bookmark) - time.time()
        try:
            await asyncio.wait_for(stop.wait(), max(0.01, wake))
        except TimeoutError:
            pass
    await asyncio.sleep(max(0.0, plan["close_at"] - time.time()))
    plan["closing"] = True
    await ws.close()
    await asyncio.wait_for(reader_done.wait(), 10)
    read_task.cancel()


async def client_main(people: list[dict[str, Any]], plan: dict[str, Any], addresses: list[str]) -> dict[str, Any]:
    tally = Tally()
    stop = asyncio.Event()
    limits = httpx.Limits(max_connections=400, max_keepalive_connections=400)
    clients = [
        httpx.AsyncClient(
            base_url=plan["base"],
            timeout=60,
            limits=limits,
            transport=httpx.AsyncHTTPTransport(local_address=address, limits=limits),
        )
        for address in addresses
    ]
    plan = {**plan, "closing": False}
    tasks = [
        asyncio.create_task(attendee(p, plan, clients[i % len(clients)], addresses[i % len(addresses)], tally, stop))
        for i, p in enumerate(people)
    ]
    await asyncio.sleep(max(0.0, plan["end_at"] - time.time()))
    stop.set()
    await asyncio.wait(tasks, timeout=max(5.0, plan["hard_deadline"] - time.time()))
    for task in tasks:
        if not task.done():
            task.cancel()
            tally.fail("attendee still busy at the deadline")
    for client in clients:
        await client.aclose()
    return {
        "samples": tally.samples,
        "deliveries": tally.deliveries,
        "sockets": tally.sockets,
        "failures": tally.failures,
    }


def client_process(people: list[dict[str, Any]], plan: dict[str, Any], addresses: list[str], out: Any) -> None:
    raise_nofile()
    out.put(asyncio.run(client_main(people, plan, addresses)))


def gate_process(
    port: int, path: str, token: str, payloads: list[str], deadline: float, start_at: float, out: Any
) -> None:
    lane(port, path, token, payloads, deadline, start_at, out)


def organizer_loop(base: str, session_id: int, start_at: float, end_at: float, every: float, out: list) -> None:
    """The organizer in the portal: one draft edit (a session delayed by a minute, then back) and
    a publish every ``every`` seconds."""
    client = portal_client(base)
    n = 0
    next_at = start_at
    while True:
        time.sleep(max(0.0, next_at - time.time()))
        if time.time() >= end_at:
            break
        began = time.time()
        try:
            sent = publish(client, session_id, 1 if n % 2 == 0 else -1)
            finished = time.time()
            out.append(("organizer.edit", began, sent - began, 200))
            out.append(("organizer.publish", sent, finished - sent, 200))
        except Exception:  # noqa: BLE001
            out.append(("organizer.publish", began, time.time() - began, 0))
        n += 1
        next_at += every
    client.close()


# --- process accounting ---------------------------------------------------------------------------


def raise_nofile() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def proc_stat(pid: int) -> tuple[float, int] | None:
    """CPU seconds (user + system) and RSS bytes of one process, from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLK_TCK, int(fields[21]) * PAGE


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


class Meter:
    """Samples CPU and RSS of named processes (a name may cover a process and its children)."""

    def __init__(self) -> None:
        self.first: dict[int, tuple[float, float]] = {}
        self.last: dict[int, tuple[float, float]] = {}
        self.peak: dict[int, int] = {}
        self.names: dict[int, str] = {}

    def sample(self, named: dict[str, list[int]]) -> None:
        now = time.time()
        for name, pids in named.items():
            for pid in pids:
                stat = proc_stat(pid)
                if stat is None:
                    continue
                self.names[pid] = name
                self.first.setdefault(pid, (now, stat[0]))
                self.last[pid] = (now, stat[0])
                self.peak[pid] = max(self.peak.get(pid, 0), stat[1])

    def report(self) -> list[dict[str, Any]]:
        rows: dict[str, dict[str, Any]] = {}
        for pid, name in self.names.items():
            (t0, c0), (t1, c1) = self.first[pid], self.last[pid]
            row = rows.setdefault(name, {"process": name, "pids": 0, "cpu_s": 0.0, "wall_s": 0.0, "rss_mb": 0.0})
            row["pids"] += 1
            row["cpu_s"] += c1 - c0
            row["wall_s"] = max(row["wall_s"], t1 - t0)
            row["rss_mb"] += self.peak[pid] / 2**20
        for row in rows.values():
            row["cpu_pct"] = round(100 * row["cpu_s"] / row["wall_s"], 1) if row["wall_s"] else None
            row["cpu_s"] = round(row["cpu_s"], 1)
            row["rss_mb"] = round(row["rss_mb"], 1)
            del row["wall_s"]
        return sorted(rows.values(), key=lambda r: r["process"])


def profile_pids(run_dir: Path) -> dict[str, list[int]]:
    try:
        state = json.loads((run_dir / "processes.json").read_text())
    except (OSError, ValueError):
        return {}
    named: dict[str, list[int]] = {}
    for name, entry in state["processes"].items():
        pid = entry["pid"]
        kind = "socket (daphne)" if name.startswith("socket") else name
        if name in ("web", "worker", "nginx"):
            named[f"{name} master"] = [pid]
            named[f"{name} children"] = children(pid)
        else:
            named.setdefault(kind, []).append(pid)
    return named


def postgres_pids(database: str) -> list[int]:
    out = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-Atc",
            f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}'",  # noqa: S608 (our own database name)
        ],
        capture_output=True,
        text=True,
    ).stdout
    return [int(line) for line in out.split() if line.strip().isdigit()]


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


# --- the run --------------------------------------------------------------------------------------


def wait_serving(proc: subprocess.Popen, log: Path, base: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"scripts/serve --production exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=2) as response:  # noqa: S310 (http://127.0.0.1 only)
                if response.status == 200 and "ready." in log.read_text(errors="replace"):
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the profile did not become ready:\n{log.read_text()[-3000:]}")


def summarize(samples: list[tuple], t0: float, ramp_end: float, end: float) -> list[dict[str, Any]]:
    groups: dict[tuple[str, str], list[tuple]] = {}
    for sample in samples:
        phase = "ramp" if sample[1] < ramp_end else "steady"
        groups.setdefault((phase, sample[0]), []).append(sample)
    rows = []
    for (phase, kind), group in sorted(groups.items()):
        window = (ramp_end - t0) if phase == "ramp" else (end - ramp_end)
        latencies = [s[2] * 1000 for s in group]
        statuses: dict[str, int] = {}
        for s in group:
            statuses[str(s[3])] = statuses.get(str(s[3]), 0) + 1
        rows.append(
            {
                "phase": phase,
                "kind": kind,
                "requests": len(group),
                "req_s": round(len(group) / window, 1) if window > 0 else None,
                "p50_ms": pct(latencies, 50),
                "p99_ms": pct(latencies, 99),
                "max_ms": pct(latencies, 100),
                "errors": sum(1 for s in group if s[3] == 0 or s[3] >= 400),
                "statuses": statuses,
            }
        )
    return rows


def main() -> None:  # noqa: PLR0915 (one linear script)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--attendees", type=int, default=5000)
    parser.add_argument("--duration", type=float, default=120.0, help="steady state after the ramp, seconds")
    parser.add_argument("--ramp", type=float, default=60.0, help="logins spread over this many seconds")
    parser.add_argument("--settle", type=float, default=5.0, help="time for the last entries to arrive")
    parser.add_argument("--login-share", type=float, default=1.0, help="share of attendees who log in (rest: token)")
    parser.add_argument("--bookmark-every", type=float, default=60.0, help="mean seconds between bookmarks")
    parser.add_argument("--publish-every", type=float, default=20.0)
    parser.add_argument("--gates", type=int, default=4)
    parser.add_argument("--max-scans", type=int, default=20000, help="bound on scans over the whole run")
    parser.add_argument("--processes", type=int, default=0, help="client processes (default: 1 per 1,250)")
    parser.add_argument("--addresses", type=int, default=16, help="loopback source addresses of the phones")
    args = parser.parse_args()
    raise_nofile()
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/eventhub_load")
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/4")
    host = urlsplit(database_url).hostname
    if host not in ("127.0.0.1", "localhost"):
        raise SystemExit("DATABASE_URL must point at 127.0.0.1")
    database = urlsplit(database_url).path.lstrip("/")
    port = free_port()
    env = bench_env(database_url, redis_url, port)
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "STREAM_CHANNEL_PREFIX", "LOG_LEVEL")})
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventhub.settings")
    load_before = load_average()
    print(f"load average {load_before}; ulimit -n {resource.getrlimit(resource.RLIMIT_NOFILE)}", flush=True)
    started = time.time()
    recreate_database(database_url, env)
    data = prepare(attendees=args.attendees, login_share=args.login_share, max_scans=args.max_scans)
    print(f"setup: {time.time() - started:.0f} s ({args.attendees} attendees, {args.max_scans} tickets)", flush=True)

    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"doors-open-profile-{port}.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as out:
        server = subprocess.Popen(
            [str(ROOT / "scripts" / "serve"), "--production"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    processes: list[multiprocessing.Process] = []
    try:
        wait_serving(server, log, base, 240)
        run_dir = Path(env["SERVE_RUN_DIR"])
        t0 = time.time() + 5.0
        ramp_end = t0 + args.ramp
        end = ramp_end + args.duration
        plan = {
            "base": base,
            "ws_url": f"ws://127.0.0.1:{port}/ws/v1/",
            "event_id": data["event_id"],
            "sessions": data["sessions"],
            "bookmark_every": args.bookmark_every,
            "end_at": end,
            "close_at": end + args.settle,
            "hard_deadline": end + args.settle + 60,
        }
        people = data["people"]
        for index, person in enumerate(people):
            person["login_at"] = t0 + args.ramp * index / max(1, len(people))
        count = args.processes or max(1, -(-len(people) // 1250))
        addresses = [f"127.0.1.{n + 1}" for n in range(args.addresses)]
        queue: multiprocessing.Queue = multiprocessing.Queue()
        for n in range(count):
            share = people[n::count]
            mine = addresses[n::count] or addresses
            processes.append(multiprocessing.Process(target=client_process, args=(share, plan, mine, queue)))
        gate_queue: multiprocessing.Queue = multiprocessing.Queue()
        gates = data["gates"]
        scan_path = f"/api/v1/events/{gates['event_id']}/scanner/scan"
        per_gate = args.max_scans // max(1, args.gates)
        for g in range(args.gates):
            payloads = gates["payloads"][g * per_gate : (g + 1) * per_gate]
            processes.append(
                multiprocessing.Process(
                    target=gate_process,
                    args=(port, scan_path, gates["tokens"][g % len(gates["tokens"])], payloads, end, t0, gate_queue),
                )
            )
        for process in processes:
            process.start()
        organizer_samples: list[tuple] = []
        organizer = threading.Thread(
            target=organizer_loop,
            args=(base, data["delayed"], t0 + 2, end, args.publish_every, organizer_samples),
            daemon=True,
        )
        organizer.start()
        meter = Meter()
        client_pids = [p.pid for p in processes if p.pid]
        loads = []
        while time.time() < end + args.settle:
            named = profile_pids(run_dir)
            named["postgres (this database)"] = postgres_pids(database)
            named["load client (attendees)"] = client_pids[:count]
            named["load client (gates)"] = client_pids[count:]
            named["load client (organizer, meter)"] = [os.getpid()]
            meter.sample(named)
            loads.append(load_average())
            time.sleep(5 if time.time() > t0 else 1)
        reports = [queue.get(timeout=max(10.0, plan["hard_deadline"] - time.time() + 30)) for _ in range(count)]
        gate_reports = [gate_queue.get(timeout=60) for _ in range(args.gates)]
        organizer.join(timeout=30)
        logged = stream_entries(end)
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()

    samples = [tuple(s) for r in reports for s in r["samples"]] + organizer_samples
    rows = summarize(samples, t0, ramp_end, end)
    gate_latencies = [x * 1000 for r in gate_reports for x in r["latencies"]]
    gate_results: dict[str, int] = {}
    for report in gate_reports:
        for key, value in report["results"].items():
            gate_results[key] = gate_results.get(key, 0) + value
    rows.append(
        {
            "phase": "whole run",
            "kind": "scan",
            "requests": len(gate_latencies),
            "req_s": round(len(gate_latencies) / (end - t0), 1),
            "p50_ms": pct(gate_latencies, 50),
            "p99_ms": pct(gate_latencies, 99),
            "max_ms": pct(gate_latencies, 100),
            "errors": sum(r["errors"] for r in gate_reports),
            "statuses": gate_results,
        }
    )
    deliveries = [x * 1000 for r in reports for x in r["deliveries"]]
    expected = received = lost = duplicates = unsubscribed = closed_early = 0
    for report in reports:
        for socket_record in report["sockets"]:
            closed_early += bool(socket_record["closed_early"])
            for stream, head in socket_record["heads"].items():
                got = socket_record["seqs"][stream]
                if head is None:
                    unsubscribed += 1
                    continue
                want = {seq for seq in logged.get(stream, ()) if seq > head}
                expected += len(want)
                received += len(set(got) & want)
                lost += len(want - set(got))
                duplicates += len(got) - len(set(got))
    failures: dict[str, int] = {}
    for report in reports:
        for key, value in report["failures"].items():
            failures[key] = failures.get(key, 0) + value
    sockets = sum(len(r["sockets"]) for r in reports)
    websocket = {
        "sockets": sockets,
        "unsubscribed_streams": unsubscribed,
        "closed_early": closed_early,
        "expected": expected,
        "received": received,
        "lost": lost,
        "duplicates": duplicates,
        "delivery_p50_ms": pct(deliveries, 50),
        "delivery_p99_ms": pct(deliveries, 99),
        "delivery_max_ms": pct(deliveries, 100),
    }
    summary = {
        "attendees": args.attendees,
        "login_share": args.login_share,
        "ramp_s": args.ramp,
        "duration_s": args.duration,
        "client_processes": count,
        "load_average_before": load_before,
        "load_average_during": [loads[0], loads[len(loads) // 2], loads[-1]] if loads else [],
        "requests": rows,
        "websocket": websocket,
        "failures": failures,
        "processes": meter.report(),
    }
    out_path = logs / f"doors-open-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out_path.write_text(json.dumps(summary, indent=2))
    print(json.dumps(summary), flush=True)
    print(f"\nload average before {load_before}, during {', '.join(summary['load_average_during'])}")
    print("\n| phase | kind | requests | req/s | p50 ms | p99 ms | max ms | errors | statuses |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        statuses = ", ".join(f"{k}: {v}" for k, v in sorted(r["statuses"].items()))
        print(
            f"| {r['phase']} | {r['kind']} | {r['requests']} | {r['req_s']} | {r['p50_ms']} | {r['p99_ms']} | "
            f"{r['max_ms']} | {r['errors']} | {statuses} |"
        )
    print("\n| sockets | expected | received | lost | dups | closed early | delivery p50 ms | p99 ms | max ms |")
    print("|---|---|---|---|---|---|---|---|---|")
    w = websocket
    print(
        f"| {w['sockets']} | {w['expected']} | {w['received']} | {w['lost']} | {w['duplicates']} | "
        f"{w['closed_early']} | {w['delivery_p50_ms']} | {w['delivery_p99_ms']} | {w['delivery_max_ms']} |"
    )
    print("\n| process | pids | CPU s | CPU % of a core | peak RSS MB (sum) |")
    print("|---|---|---|---|---|")
    for p in summary["processes"]:
        print(f"| {p['process']} | {p['pids']} | {p['cpu_s']} | {p['cpu_pct']} | {p['rss_mb']} |")
    if failures:
        print("\nfailures:", json.dumps(failures))
    print(f"\n(summary: {out_path})")


if __name__ == "__main__":
    main()
