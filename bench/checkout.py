#!/usr/bin/env python
"""Checkout benchmark (issue 4): 200 buyers at once on one hot quota, through the real order
endpoint (session-token auth, tenant scope, permission predicates, Idempotency-Key stored in the
order's transaction, quota rows locked FOR UPDATE in PostgreSQL), served by daphne (ASGI, one
process) and by gunicorn with 2 sync workers (WSGI).

Each round: a fresh event whose free ticket type has --left of --size tickets left, --buyers
new users with session tokens; every buyer holds an open connection and all requests leave
together. Prints orders/s (successful orders over the burst's wall time), requests/s, p50/p99
latency, oversell (positions beyond the quota) and 5xx count. --no-lock runs the server with the
test-only TICKETING_LOCK_QUOTAS=0 to show what the lock prevents; --joined-locks with the
test-only TICKETING_LOCK_JOINED_ROWS=1, the lock sets from before issue 11 (every FOR UPDATE also
locking the event row), for a before/after figure. The request limits are off (200 buyers behind
one address in a second are a load test). Only talks to 127.0.0.1.

    .venv/bin/python bench/checkout.py [--servers daphne,gunicorn] [--rounds 3] [--buyers 200] [--left 10]
"""

import argparse
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import django

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DB_NAME = os.environ.get("BENCH_CHECKOUT_DB", "eventhub_bench_checkout")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def env(**extra: str) -> dict[str, str]:
    result = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    result.update(
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        STREAM_CHANNEL_PREFIX="eventhub:bench-checkout:stream:",
        EMBEDDED_SCHEDULER="0",
        DATABASE_POOL="1",
        DATABASE_POOL_MAX="10",
        DATABASE_POOL_MIN="10",  # opened at start: a burst never waits for (or fails on) new connections
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        TICKETING_RATE_LIMITS="{}",  # 200 buyers behind one address in a second: a load test
    )
    result.update(extra)
    return result


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_database() -> None:
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {DB_NAME}"], check=True)
    subprocess.run([*psql, f"CREATE DATABASE {DB_NAME}"], check=True)
    subprocess.run([str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env(), check=True)


def start(kind: str, port: int, log: Path, **extra: str) -> subprocess.Popen:
    if kind == "daphne":
        cmd = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "eventhub.asgi:application"]
    else:
        cmd = [str(BIN / "gunicorn"), "-w", "2", "-k", "sync", "-b", f"127.0.0.1:{port}", "eventhub.wsgi:application"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env(**extra), stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
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
    stop(proc)
    raise RuntimeError(f"{kind} did not start:\n{log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--servers", default="daphne,gunicorn")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--buyers", type=int, default=200)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--left", type=int, default=10)
    parser.add_argument("--no-lock", action="store_true", help="negative control: quota locks off")
    parser.add_argument("--joined-locks", action="store_true", help="the lock sets before issue 11")
    parser.add_argument(
        "--mixed",
        type=int,
        metavar="N",
        default=0,
        help="instead: N plain buyers, N voucher buyers and N late payments at once on two daphne processes",
    )
    args = parser.parse_args()

    prepare_database()
    os.environ.update(env(DATABASE_POOL="0"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventhub.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    logging.getLogger("httpx").setLevel(logging.WARNING)
    from ticketing.tests import race  # noqa: PLC0415 (django-setup)
    from ticketing.tests.stripe_events import WEBHOOK_SECRET  # noqa: PLC0415 (django-setup)

    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    extra = {"TICKETING_LOCK_QUOTAS": "0"} if args.no_lock else {}
    if args.joined_locks:
        extra["TICKETING_LOCK_JOINED_ROWS"] = "1"
    locks = "OFF" if args.no_lock else "on, joined rows too" if args.joined_locks else "on"
    if args.mixed:
        mixed(args, race, logs, {**extra, "STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET}, locks)
        return
    print(
        f"{args.buyers} buyers at once, {args.left} of {args.size} left, locks {locks}\n"
        f"{'server':<9} {'round':>5} {'ok':>4} {'sold_out':>8} {'other':>5} {'5xx':>4} {'oversell':>8} "
        f"{'orders/s':>8} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    for kind in args.servers.split(","):
        port = free_port()
        proc = start(kind, port, logs / f"checkout-{kind}.log", **extra)
        try:
            for round_ in range(1, args.rounds + 1):
                event, ticket_type = race.hot_quota(size=args.size, left=args.left)
                tokens = race.make_buyers(args.buyers, prefix=f"{kind}-{round_}-{time.time_ns()}-")
                started = time.perf_counter()
                attempts = race.buy_all_at_once(
                    base_url=f"http://127.0.0.1:{port}", event_id=event.pk, ticket_type_id=ticket_type.pk, tokens=tokens
                )
                wall = time.perf_counter() - started
                ok = sum(1 for a in attempts if a.status == 201)
                sold_out = sum(1 for a in attempts if a.code == "sold_out")
                errors = sum(1 for a in attempts if a.status >= 500)
                latencies = [a.seconds * 1000 for a in attempts]
                oversell = max(0, race.positions_taken(event) - args.size)
                print(
                    f"{kind:<9} {round_:>5} {ok:>4} {sold_out:>8} {len(attempts) - ok - sold_out:>5} {errors:>4} "
                    f"{oversell:>8} {ok / wall:>8.1f} {len(attempts) / wall:>7.1f} "
                    f"{statistics.median(latencies):>7.1f} {percentile(latencies, 0.99):>7.1f} {max(latencies):>7.1f}"
                )
        finally:
            stop(proc)


def mixed(args: argparse.Namespace, race: Any, logs: Path, extra: dict[str, str], locks: str) -> None:
    """Plain, voucher and late-payment checkouts of one event at once, spread over two daphne
    processes (the lock-order test's mix, larger): what the event row lock cost."""
    n = args.mixed
    print(
        f"{n} plain + {n} voucher checkouts + {n} late payments at once on 2 daphne, locks {locks}\n"
        f"{'round':>5} {'ok':>4} {'5xx':>4} {'5xx by kind':<28} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7}"
    )
    ports = [free_port(), free_port()]
    procs = [start("daphne", port, logs / f"checkout-mixed-{port}.log", **extra) for port in ports]
    try:
        shop = race.mixed_shop()
        for round_ in range(1, args.rounds + 1):
            tokens = race.make_buyers(2 * n, prefix=f"mixed-{round_}-{time.time_ns()}-")
            late = race.late_payments(shop, n, prefix=f"m{round_}{time.time_ns()}")
            started = time.perf_counter()
            attempts = race.checkouts_at_once(
                base_urls=[f"http://127.0.0.1:{port}" for port in ports],
                shop=shop,
                plain=tokens[:n],
                voucher=tokens[n:],
                late=late,
            )
            wall = time.perf_counter() - started
            ok = sum(1 for a in attempts if a.status in (200, 201))
            failed = [a.kind for a in attempts if a.status >= 500]
            by_kind = ", ".join(f"{kind} {failed.count(kind)}" for kind in ("plain", "voucher", "late"))
            latencies = [a.seconds * 1000 for a in attempts]
            print(
                f"{round_:>5} {ok:>4} {len(failed):>4} {by_kind:<28} {len(attempts) / wall:>7.1f} "
                f"{statistics.median(latencies):>7.1f} {percentile(latencies, 0.99):>7.1f} {max(latencies):>7.1f}"
            )
    finally:
        for proc in procs:
            stop(proc)


if __name__ == "__main__":
    main()
