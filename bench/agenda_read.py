#!/usr/bin/env python
"""Agenda read benchmark (issue 3): the real attendee endpoint — DRF, session-token auth, tenant
scope, permission predicates, ETag — at 50 concurrent clients, served by daphne (ASGI, one
process) and by gunicorn with 2 sync workers (WSGI).

PostgreSQL with the seeded demo agenda (59 published sessions, 40 speakers), Redis. For each
server: `wrk` (Debian package `wrk`) with 50 connections for --seconds against
`GET /api/v1/events/1/sessions` (the whole agenda in one page), authenticated with an attendee's
`X-Session-Token`, first cold (full 200 responses), then with `If-None-Match` (304s). Prints
requests/s, p50/p99 latency and non-2xx/3xx counts. Only talks to 127.0.0.1.

    .venv/bin/python bench/agenda_read.py [--servers daphne,gunicorn] [--seconds 15] [--path ...]
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fanout import BIN, ROOT, env, free_port, manage, prepare_database, stop  # noqa: E402

TOKEN_SCRIPT = (
    "from accounts.models import User\n"
    "from eventhub.testing.live import session_token_for\n"
    "print(session_token_for(User.objects.get(email='attendee1@example.com')))"
)


def start(kind: str, port: int, log: Path) -> subprocess.Popen:
    if kind == "daphne":
        cmd = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "eventhub.asgi:application"]
    else:
        cmd = [
            str(BIN / "gunicorn"),
            "-w",
            "2",
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "eventhub.wsgi:application",
        ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env(), stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/schema/", timeout=2)  # noqa: S310
            return proc
        except OSError:
            if proc.poll() is not None:
                break
            time.sleep(0.2)
    raise SystemExit(f"{kind} did not start: {log.read_text()[-2000:]}")


def fetch_etag(url: str, token: str) -> tuple[str, int]:
    request = urllib.request.Request(url, headers={"X-Session-Token": token})  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        body = response.read()
        return response.headers["ETag"], len(body)


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return round(float(value) * _UNITS[unit], 2)


def wrk(url: str, headers: dict[str, str], seconds: int) -> dict:
    cmd = ["wrk", "-t2", "-c50", f"-d{seconds}s", "--latency", "--timeout", "5s"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    result = {
        "requests_per_s": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50_ms": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),
        "p99_ms": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    result["non_2xx_3xx"] = int(bad.group(1)) if bad else 0
    result["socket_errors"] = errors.group(1) if errors else "none"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", default="daphne,gunicorn")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--path", default="/api/v1/events/1/sessions")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    prepare_database()
    token = manage("shell", "-c", TOKEN_SCRIPT).strip().splitlines()[-1]
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    rows = []
    for kind in args.servers.split(","):
        port = free_port()
        server = start(kind, port, logs / f"agenda-{kind}.log")
        try:
            url = f"http://127.0.0.1:{port}{args.path}"
            etag, size = fetch_etag(url, token)
            wrk(url, {"X-Session-Token": token}, 3)  # warm-up
            for mode, headers in (
                ("cold", {"X-Session-Token": token}),
                ("etag-304", {"X-Session-Token": token, "If-None-Match": etag}),
            ):
                result = {"server": kind, "mode": mode, "body_bytes": size, **wrk(url, headers, args.seconds)}
                print(json.dumps(result), flush=True)
                rows.append(result)
        finally:
            stop(server)
    print(f"\n{'server':9} {'mode':9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'bad':>5}")
    for r in rows:
        print(
            f"{r['server']:9} {r['mode']:9} {r['requests_per_s']:>8.0f} {r['p50_ms']:>7} {r['p99_ms']:>7} "
            f"{r['non_2xx_3xx']:>5}"
        )


if __name__ == "__main__":
    main()
