#!/usr/bin/env python
"""Fan-out benchmark for the stream contract (issue: foundation; DESIGN §3).

Production configuration on this machine: PostgreSQL, Redis, two server processes. N WebSocket
clients (default 500, 1,000, 2,000) subscribe to one public event stream, spread over both
servers; another process appends 20 entries 0.3 s apart; the shared yardstick
(../shared/bench/ws_fanout_client.py) measures delivery latency from each entry's `at`, losses,
gaps and duplicates. Prints one JSON line per run and a summary table.

    .venv/bin/python bench/fanout.py [--clients 500,1000,2000] [--servers daphne,uvicorn]

BENCH_DB_NAME (default eventhub_bench) names the database it recreates, so runs of several
checkouts on one machine keep apart (Redis: BENCH_REDIS_URL).

Only talks to 127.0.0.1; every process it starts is stopped at the end.
"""

import argparse
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
YARDSTICK = Path(os.environ.get("BENCH_YARDSTICK", ROOT.parent / "shared" / "bench" / "ws_fanout_client.py"))
DB_NAME = os.environ.get("BENCH_DB_NAME", "eventhub_bench")  # recreated each run
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
# Pub/Sub ignores Redis's database number: runs on different databases must not hear each other.
CHANNEL_PREFIX = f"eventhub:{DB_NAME}:stream:"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def env(**extra: str) -> dict[str, str]:
    result = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG",)}
    result.update(
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        STREAM_CHANNEL_PREFIX=CHANNEL_PREFIX,
        EMBEDDED_SCHEDULER="0",
        DATABASE_POOL_MAX="10",
        LOG_LEVEL="WARNING",
    )
    result.update(extra)
    return result


def manage(*args: str) -> str:
    return subprocess.run(
        [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env(), check=True, capture_output=True, text=True
    ).stdout


def prepare_database() -> int:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"DROP DATABASE IF EXISTS {DB_NAME}"], check=True
    )
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {DB_NAME}"], check=True)
    manage("migrate", "--noinput", "-v0")
    manage("seed_demo", "--allow-non-demo")  # a scratch database of its own
    return 1  # the demo event: public, published


def start_server(kind: str, port: int, log: Path) -> subprocess.Popen:
    if kind == "daphne":
        cmd = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "eventhub.asgi:application"]
    else:
        cmd = [
            str(BIN / "uvicorn"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--ws",
            "websockets",
            "eventhub.asgi:application",
        ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env(), stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 30
    while True:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{kind} did not start: {log.read_text()[-2000:]}")
        time.sleep(0.1)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def rss_mb(proc: subprocess.Popen) -> float:
    try:
        for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def run(kind: str, clients: int, event_id: int, k: int) -> dict:
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    ports = [free_port(), free_port()]
    servers = [start_server(kind, port, logs / f"{kind}-{port}.log") for port in ports]
    try:
        stream = f"event:{event_id}"
        appender = f"{BIN / 'python'} manage.py stream_append --stream {stream} --count {{k}} --interval 0.3"
        out = subprocess.run(
            [
                str(BIN / "python"),
                str(YARDSTICK),
                "-n",
                str(clients),
                "-k",
                str(k),
                "--stream",
                stream,
                "--urls",
                ",".join(f"ws://127.0.0.1:{p}/ws/v1/" for p in ports),
                "--appender",
                appender,
                "--timeout",
                "180",
            ],
            cwd=ROOT,
            env=env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        (logs / f"client-{kind}-{clients}.txt").write_text(out.stdout + out.stderr)
        line = next((line for line in out.stdout.splitlines() if line.startswith("{")), "{}")
        result = json.loads(line)
        result.update(server=kind, rss_mb_per_server=round(max(rss_mb(s) for s in servers), 1))
        return result
    finally:
        for server in servers:
            stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="500,1000,2000")
    parser.add_argument("--servers", default="daphne,uvicorn,bare", help="bare: bench/bare_floor.py, the floor")
    parser.add_argument("-k", type=int, default=20)
    args = parser.parse_args()
    if not YARDSTICK.exists():
        raise SystemExit(f"the yardstick is missing: {YARDSTICK}")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    event_id = prepare_database()
    results = []
    for kind in args.servers.split(","):
        for clients in (int(n) for n in args.clients.split(",")):
            result = run(kind, clients, event_id, args.k)
            print(json.dumps(result), flush=True)
            results.append(result)
    print(
        f"\n{'server':8} {'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'lost':>5} "
        f"{'dups':>5} {'gaps':>5} {'RSS MB':>7}"
    )
    for r in results:
        print(
            f"{r['server']:8} {r.get('n', 0):>7} {r.get('p50_ms')!s:>8} {r.get('p95_ms')!s:>8} "
            f"{r.get('p99_ms')!s:>8} {r.get('max_ms')!s:>8} {r.get('lost')!s:>5} {r.get('duplicates')!s:>5} "
            f"{r.get('gaps')!s:>5} {r['rss_mb_per_server']:>7}"
        )


if __name__ == "__main__":
    main()
