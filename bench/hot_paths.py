#!/usr/bin/env python
"""The HTTP read hot paths (issue 12, item 3): the agenda read (body cache hit, ETag 304, cache
miss), the offline bundle and the stack floor (the JSON 404 of an unknown API path), measured two
ways so that a run on a loaded machine still says something:

* ``inprocess`` — CPU time per request (``time.process_time``) through the whole WSGI stack
  (Django's ``WSGIHandler`` with the real middleware, DRF, PostgreSQL and Redis), min of
  ``--rounds`` rounds of ``--requests`` requests. CPU time survives load: it is what a request
  costs, not how long it waited for a core. With ``--middleware`` it also prints what each
  middleware costs on the floor and on the agenda hit (the stack rebuilt without it).
* ``profile MODE`` — a pyinstrument profile of ``--requests`` requests of one mode, top frames
  (pyinstrument is not a dependency: ``python3.11 -m pip install --target /tmp/pyinst
  pyinstrument`` and ``PYINSTRUMENT_PATH=/tmp/pyinst``).
* ``wrk`` — throughput on the production profile's HTTP server (gunicorn, 2 sync workers,
  ``deploy/gunicorn.conf.py``, JSON logs), ``wrk -t2 -c50``, with the same-run floor, the load
  average beside each row and the workers' CPU seconds per request served.

Modes: ``floor`` (JSON 404, token), ``hit`` (agenda, 200 from the rendered-body cache), ``etag``
(agenda with If-None-Match, 304), ``miss`` (agenda read after a change: the event stream's head
moves before every request, so the ETag and every cache keyed by it are new — in ``wrk`` mode a
fresh query string per request instead), ``published`` (in-process only: the first read of
a new version in a process that did not render it — another process read it first),
``bundle`` (the offline bundle, gzip, each request a different attendee: the personal part
differs, the public part is shared; in ``inprocess`` the event head moves once per round, so
its first bundle renders).

PostgreSQL (BENCH_DB_NAME, default eventhub_bench, recreated with the demo data unless
``--keep-db``), Redis (BENCH_REDIS_URL). Only talks to 127.0.0.1.

    .venv/bin/python bench/hot_paths.py inprocess [--middleware]
    .venv/bin/python bench/hot_paths.py profile miss
    .venv/bin/python bench/hot_paths.py wrk [--seconds 10]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fanout import BIN, ROOT, env, free_port, manage, prepare_database, stop  # noqa: E402

AGENDA = "/api/v1/events/1/sessions"
BUNDLE = "/api/v1/events/1/bundle"
FLOOR = "/api/v1/no-such-path"
ATTENDEES = 50  # bundle requests rotate over this many attendees


def _setup_django() -> None:
    os.environ.update(env(LOG_FORMAT="json"))  # the production profile's logging
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventhub.settings")
    sys.path.insert(0, str(ROOT))
    import django  # noqa: PLC0415 (django-setup)

    django.setup()


def _tokens(count: int) -> list[str]:
    from accounts.models import User  # noqa: PLC0415 (django-setup)
    from eventhub.testing.live import session_token_for  # noqa: PLC0415 (django-setup)

    return [session_token_for(User.objects.get(email=f"attendee{n}@example.com")) for n in range(1, count + 1)]


def _bump_event_head() -> None:
    """A change on the event stream (what a publish does to the ETag), outside the timing."""
    from django.db import transaction  # noqa: PLC0415 (django-setup)
    from django_scopes import scopes_disabled  # noqa: PLC0415 (django-setup)

    from eventhub.realtime.services import stream_append  # noqa: PLC0415 (django-setup)

    with scopes_disabled(), transaction.atomic():
        stream_append(stream="event:1", type="bench.bump", data={})


def _forget_local_bodies() -> None:
    from events.api.agenda import RENDERED  # noqa: PLC0415 (django-setup)

    if hasattr(RENDERED, "clear_local"):
        RENDERED.clear_local()
    else:  # before issue 12: one per-process LRU
        RENDERED._entries.clear()


class Stack:
    """The WSGI application gunicorn runs (``eventhub.wsgi``), or Django's WSGI handler with a
    given middleware list, called like a WSGI server would."""

    def __init__(self, middleware: list[str] | None = None) -> None:
        from django.conf import settings  # noqa: PLC0415 (django-setup)
        from django.core.handlers.wsgi import WSGIHandler  # noqa: PLC0415 (django-setup)

        self.handler: Any
        if middleware is None:
            try:
                from eventhub.lanes import LaneWSGIHandler  # noqa: PLC0415 (django-setup)
            except ImportError:  # before issue 12: one stack
                self.handler = WSGIHandler()
            else:
                self.handler = LaneWSGIHandler()
        else:
            saved = settings.MIDDLEWARE
            settings.MIDDLEWARE = middleware
            try:
                self.handler = WSGIHandler()
            finally:
                settings.MIDDLEWARE = saved

    def get(self, path: str, headers: dict[str, str]) -> tuple[int, bytes, dict[str, str]]:
        path, _, query = path.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "wsgi.version": (1, 0),
            "HTTP_HOST": "127.0.0.1:8000",
        }
        for name, value in headers.items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        status: list[str] = []
        out: dict[str, str] = {}

        def start_response(line: str, response_headers: list[tuple[str, str]], exc_info: object = None) -> None:
            status.append(line)
            out.update(response_headers)

        result = self.handler(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(status[0].split()[0]), body, out


class Modes:
    """The requests of each mode; ``prepare(mode, i)`` runs untimed before request ``i``."""

    def __init__(self, tokens: list[str], stack: Stack) -> None:
        self.tokens = tokens
        self.token = tokens[0]
        self.stack = stack
        self.etag = ""

    def request(self, mode: str, i: int) -> tuple[str, dict[str, str], int]:
        token = {"X-Session-Token": self.token}
        if mode == "floor":
            return FLOOR, token, 404
        if mode == "hit":
            return AGENDA, token, 200
        if mode == "etag":
            return AGENDA, {**token, "If-None-Match": self.etag}, 304
        if mode in ("miss", "published"):
            return AGENDA, token, 200
        if mode == "bundle":
            return BUNDLE, {"X-Session-Token": self.tokens[i % len(self.tokens)], "Accept-Encoding": "gzip"}, 200
        raise SystemExit(f"unknown mode {mode}")

    def prepare(self, mode: str, i: int) -> None:
        if mode == "etag" and i == 0:
            _, _, headers = self.stack.get(AGENDA, {"X-Session-Token": self.token})
            self.etag = headers["ETag"]
        if mode == "miss" or (mode == "bundle" and i == 0):
            _bump_event_head()  # bundle: a new head once per round (its public part rendered once)
        if mode == "published":
            # A publish, read first by another process (here: this one, untimed), then this
            # process's first read of the new version, with nothing of its own kept.
            _bump_event_head()
            self.stack.get(AGENDA, {"X-Session-Token": self.token})
            _forget_local_bodies()


MODES = ("floor", "etag", "hit", "miss", "published", "bundle")


def cpu_per_request(stack: Stack, modes: Modes, mode: str, requests: int, rounds: int) -> float:
    """Min over rounds of the mean CPU µs per request (untimed preparation excluded)."""
    best = float("inf")
    for _ in range(rounds):
        spent = 0.0
        for i in range(requests):
            modes.prepare(mode, i)
            path, headers, expected = modes.request(mode, i)
            started = time.process_time()
            status, _, _ = stack.get(path, headers)
            spent += time.process_time() - started
            if status != expected:
                raise SystemExit(f"{mode}: {path} answered {status}, expected {expected}")
        best = min(best, spent / requests * 1e6)
    return best


def cmd_inprocess(args: argparse.Namespace) -> None:
    _setup_django()
    from django.conf import settings  # noqa: PLC0415 (django-setup)

    stack = Stack()
    modes = Modes(_tokens(ATTENDEES), stack)
    for mode in MODES:  # warm every path once
        for i in range(3):
            modes.prepare(mode, i)
            stack.get(*modes.request(mode, i)[:2])
    rows = {}
    for mode in args.modes.split(","):
        count = args.requests if mode not in ("miss", "published") else max(args.requests // 5, 20)
        rows[mode] = cpu_per_request(stack, modes, mode, count, args.rounds)
        print(json.dumps({"mode": mode, "cpu_us_per_request": round(rows[mode]), "load": _load()}), flush=True)
    if args.middleware:
        full = list(settings.MIDDLEWARE)
        whole = Stack(full)
        for mode in ("floor", "hit"):
            print(
                json.dumps(
                    {
                        "mode": mode,
                        "whole_stack_cpu_us": round(cpu_per_request(whole, modes, mode, args.requests, args.rounds)),
                    }
                ),
                flush=True,
            )
            for name in full:
                without = Stack([m for m in full if m != name])
                # The whole stack measured again beside each variant: the machine's load drifts.
                base = cpu_per_request(whole, modes, mode, args.requests, args.rounds)
                try:
                    cost = base - cpu_per_request(without, modes, mode, args.requests, args.rounds)
                except SystemExit as refused:  # the stack does not work without it
                    print(json.dumps({"mode": mode, "without": name, "refused": str(refused)}), flush=True)
                    continue
                print(json.dumps({"mode": mode, "middleware": name, "cost_us": round(cost)}), flush=True)
    print(f"\n{'mode':8} {'CPU µs/request':>15}")
    for mode, value in rows.items():
        print(f"{mode:8} {value:>15.0f}")


def cmd_profile(args: argparse.Namespace) -> None:
    sys.path.insert(0, os.environ.get("PYINSTRUMENT_PATH", "/tmp/pyinst"))  # noqa: S108 (a throwaway install)
    from pyinstrument import Profiler  # noqa: PLC0415 (optional-dependency)

    _setup_django()
    stack = Stack()
    modes = Modes(_tokens(ATTENDEES), stack)
    for i in range(5):
        modes.prepare(args.mode, i)
        stack.get(*modes.request(args.mode, i)[:2])
    profiler = Profiler(interval=0.001)
    for i in range(args.requests):
        modes.prepare(args.mode, i)
        path, headers, _ = modes.request(args.mode, i)
        profiler.start()
        stack.get(path, headers)
        profiler.stop()
    print(profiler.output_text(unicode=True, show_all=False, color=False, flat=args.flat, short_mode=False))


# --- wrk against gunicorn -------------------------------------------------------------------------

_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return round(float(value) * _UNITS[unit], 2)


def _load() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / os.sysconf("SC_CLK_TCK")


def _workers(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


LUA_UNIQUE = """
counter = 0
request = function()
  counter = counter + 1
  return wrk.format(nil, wrk.path .. "?bench=" .. counter .. "-" .. math.random(1, 1000000000))
end
"""

LUA_TOKENS = """
tokens = {%s}
counter = 0
request = function()
  counter = counter + 1
  wrk.headers["X-Session-Token"] = tokens[(counter %% #tokens) + 1]
  return wrk.format(nil, wrk.path)
end
"""


def run_wrk(url: str, headers: dict[str, str], seconds: int, script: str | None = None) -> dict:
    cmd = ["wrk", "-t2", "-c50", f"-d{seconds}s", "--latency", "--timeout", "30s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        if script:
            lua.write(script)
    if script:
        cmd += ["-s", lua.name]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    Path(lua.name).unlink()
    result = {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99_ms": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }
    timeouts = re.search(r"timeout (\d+)", out)
    result["timeouts"] = int(timeouts.group(1)) if timeouts else 0
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    result["non_2xx_3xx"] = int(bad.group(1)) if bad else 0
    return result


def start_gunicorn(port: int, log: Path) -> subprocess.Popen:
    metrics = Path(tempfile.mkdtemp(prefix="bench-prometheus-"))
    cmd = [
        str(BIN / "gunicorn"),
        "-c",
        "deploy/gunicorn.conf.py",
        "-w",
        "2",
        "-b",
        f"127.0.0.1:{port}",
        "eventhub.wsgi:application",
    ]
    extra = {"LOG_FORMAT": "json", "PROMETHEUS_MULTIPROC_DIR": str(metrics), "DATABASE_POOL_MAX": "4"}
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env(**extra), stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    import urllib.request  # noqa: PLC0415 (django-setup)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2)  # noqa: S310
            return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not start: {log.read_text()[-2000:]}")


def _etag(url: str, headers: dict[str, str]) -> str:
    import urllib.request  # noqa: PLC0415 (django-setup)

    request = urllib.request.Request(url, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        response.read()
        return response.headers["ETag"]


def cmd_wrk(args: argparse.Namespace) -> None:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    if not args.keep_db:
        prepare_database()
    script = (
        "from accounts.models import User\n"
        "from eventhub.testing.live import session_token_for\n"
        f"for n in range(1, {ATTENDEES + 1}):\n"
        "    print(session_token_for(User.objects.get(email=f'attendee{n}@example.com')))"
    )
    tokens = manage("shell", "-c", script).split()[-ATTENDEES:]
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    port = free_port()
    server = start_gunicorn(port, logs / "hot-paths-gunicorn.log")
    base = f"http://127.0.0.1:{port}"
    token = {"X-Session-Token": tokens[0]}
    rows = []
    try:
        etag = _etag(base + AGENDA, token)
        run_wrk(base + AGENDA, token, 2)  # warm-up
        plan = [
            ("floor", FLOOR, token, None),
            ("hit", AGENDA, token, None),
            ("etag", AGENDA, {**token, "If-None-Match": etag}, None),
            ("miss", AGENDA, token, LUA_UNIQUE),
            ("bundle", BUNDLE, {"Accept-Encoding": "gzip"}, LUA_TOKENS % ",".join(f'"{t}"' for t in tokens)),
        ]
        for mode, path, headers, lua in plan:
            if args.modes and mode not in args.modes.split(","):
                continue
            workers = _workers(server.pid)
            before = _cpu_seconds(workers)
            load = _load()
            result = run_wrk(base + path, headers, args.seconds, lua)
            cpu = _cpu_seconds(workers) - before
            per_request = round(cpu / result["requests"] * 1000, 3) if result["requests"] else None
            row = {"mode": mode, **result, "server_cpu_ms_per_request": per_request}
            row["load_before"] = load
            print(json.dumps(row), flush=True)
            rows.append(row)
    finally:
        stop(server)
    print(f"\n{'mode':8} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'non-2xx':>7} {'CPU ms/req':>10}  load before")
    for r in rows:
        print(
            f"{r['mode']:8} {r['requests_per_s']:>8.0f} {r['p50_ms']:>7} {r['p99_ms']:>7} {r['non_2xx_3xx']:>7} "
            f"{r['server_cpu_ms_per_request']!s:>10}  {r['load_before']}"
        )
    print("(floor: non-2xx are its 404s; CPU ms/req: both workers' user+system seconds over requests served)")
    print(f"load after: {_load()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    inprocess = sub.add_parser("inprocess")
    inprocess.add_argument("--requests", type=int, default=300)
    inprocess.add_argument("--rounds", type=int, default=5)
    inprocess.add_argument("--modes", default=",".join(MODES))
    inprocess.add_argument("--middleware", action="store_true")
    inprocess.add_argument("--keep-db", action="store_true")
    profile = sub.add_parser("profile")
    profile.add_argument("mode", choices=MODES)
    profile.add_argument("--requests", type=int, default=200)
    profile.add_argument("--flat", action="store_true")
    profile.add_argument("--keep-db", action="store_true")
    wrk = sub.add_parser("wrk")
    wrk.add_argument("--seconds", type=int, default=10)
    wrk.add_argument("--modes", default="")
    wrk.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()
    if args.command != "wrk" and not args.keep_db:
        prepare_database()
    {"inprocess": cmd_inprocess, "profile": cmd_profile, "wrk": cmd_wrk}[args.command](args)


if __name__ == "__main__":
    main()
