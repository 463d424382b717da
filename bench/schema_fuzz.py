#!/usr/bin/env python
"""The long schemathesis run (issue 11): every operation of /api/v1/schema/, every phase
(examples, coverage, fuzzing), with an attendee's and an organizer's session token, against a
daphne on a freshly seeded demo database, for SCHEMA_FUZZ_MINUTES (default 10) per token. Checks:
no 5xx, and every answer conforms to the schema (eventhub/testing/schemathesis.py, the same
harness as the bounded CI run in eventhub/tests/test_schemathesis.py).

    .venv/bin/python bench/schema_fuzz.py            # SCHEMA_FUZZ_MINUTES=10, seed 1
    SCHEMA_FUZZ_MINUTES=2 SCHEMA_FUZZ_SEED=7 .venv/bin/python bench/schema_fuzz.py

BENCH_DB_NAME (default eventhub_schemafuzz) names the database it recreates; reports (JUnit,
schemathesis's output) go to var/schema-fuzz/. Exit status 1 when a run found a failure. Only
talks to 127.0.0.1; the server it starts is stopped at the end.
"""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from eventhub.testing import schemathesis  # noqa: E402

BIN = Path(sys.executable).parent
DB_NAME = os.environ.get("BENCH_DB_NAME", "eventhub_schemafuzz")
MINUTES = float(os.environ.get("SCHEMA_FUZZ_MINUTES", "10"))
SEED = int(os.environ.get("SCHEMA_FUZZ_SEED", "1"))
OUT = ROOT / "var" / "schema-fuzz"
ACCOUNTS = ("attendee1@example.com", "organizer@example.com")
CASES = re.compile(r"^\s*\d+ generated.*$")


def env() -> dict[str, str]:
    result = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    result.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9"),
        STREAM_CHANNEL_PREFIX=f"eventhub:{DB_NAME}:stream:",
        EMBEDDED_SCHEDULER="0",
        TICKETING_RATE_LIMITS="{}",  # reach the logic behind the limits; 429 is documented anyway
        LOG_LEVEL="WARNING",
    )
    return result


def manage(*args: str) -> None:
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env(), check=True, capture_output=True)


def prepare_database() -> None:
    for sql in (f"DROP DATABASE IF EXISTS {DB_NAME}", f"CREATE DATABASE {DB_NAME}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    manage("migrate", "--noinput", "-v0")
    manage("seed_demo", "--allow-non-demo")  # a scratch database of its own


def start_daphne(port: int) -> subprocess.Popen:
    log = (OUT / "daphne.log").open("wb")
    proc = subprocess.Popen(
        [
            str(BIN / "daphne"),
            "-b",
            "127.0.0.1",
            "-p",
            str(port),
            "--server-name",
            "EventHub",
            "eventhub.asgi:application",
        ],  # noqa: E501
        cwd=ROOT,
        env=env(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("daphne did not start: see var/schema-fuzz/daphne.log")
        time.sleep(0.2)


def login(client: httpx.Client, email: str) -> str:
    password = os.environ.get("DEMO_PASSWORD", "eventhub-demo")
    answer = client.post("/_allauth/app/v1/auth/login", json={"email": email, "password": password})
    answer.raise_for_status()
    return answer.json()["meta"]["session_token"]


def demo_parameters(client: httpx.Client, attendee: str, organizer: str) -> dict[str, int | str]:
    """Real ids for every path parameter, read through the API as a client would."""

    def get(path: str, token: str) -> object:
        answer = client.get(path, headers={"X-Session-Token": token})
        answer.raise_for_status()
        body = answer.json()
        return body["results"] if isinstance(body, dict) and "results" in body else body

    event_id = get("/api/v1/me/events", organizer)[0]["id"]  # type: ignore[index]
    base = f"/api/v1/events/{event_id}"
    ticket = get(f"{base}/tickets", attendee)[0]  # type: ignore[index]
    return {
        "event_id": event_id,
        "session_id": get(f"{base}/sessions", attendee)[0]["id"],  # type: ignore[index]
        "speaker_id": get(f"{base}/speakers", attendee)[0]["id"],  # type: ignore[index]
        "ticket_type_id": get(f"{base}/ticket-types", attendee)[0]["id"],  # type: ignore[index]
        "ticket_id": ticket["id"],
        "order_code": ticket["order"],
        "version": 1,
        "stream": f"event:{event_id}",
    }


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    prepare_database()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = start_daphne(port)
    base_url = f"http://127.0.0.1:{port}"
    summary = {}
    try:
        with httpx.Client(base_url=base_url, timeout=30) as client:
            tokens = {email: login(client, email) for email in ACCOUNTS}
            config = schemathesis.write_config(
                OUT / "schemathesis.toml", demo_parameters(client, tokens[ACCOUNTS[0]], tokens[ACCOUNTS[1]])
            )
        for email, token in tokens.items():
            started = time.monotonic()
            args = schemathesis.command(
                base_url=base_url,
                token=token,
                config=config,
                examples=100,
                seed=SEED,
                max_time=int(MINUTES * 60),
                # One worker: CPython 3.11's AST constructor is not thread-safe, and schemathesis's
                # coverage phase parses in each worker thread ("AST constructor recursion depth
                # mismatch" with two).
                workers=1,
            )
            result = schemathesis.run(args, timeout=MINUTES * 60 + 600, cwd=OUT)
            name = email.split("@")[0]
            (OUT / f"{name}.txt").write_text(result.stdout + result.stderr)
            cases = next((m[0] for m in map(CASES.search, result.stdout.splitlines()) if m), "")
            summary[name] = {"exit": result.returncode, "seconds": round(time.monotonic() - started), "cases": cases}
            print(json.dumps({name: summary[name]}), flush=True)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(20)
    return 1 if any(run["exit"] for run in summary.values()) else 0


if __name__ == "__main__":
    raise SystemExit(main())
