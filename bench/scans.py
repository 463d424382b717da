#!/usr/bin/env python
"""Scan API benchmark (issue 4): scans per second through ``POST …/scanner/scan``.

Every scan admits a fresh ticket (the full write path: signature check, ticket row lock, check-in
row, occupancy counter, scan log, staff stream entry), through one gate or four gates at once,
on daphne and on gunicorn with 2 sync workers. Each gate is one registered scanner device;
``--lanes`` client connections per gate send scans back to back (keep-alive where the server
allows it), each from its own process. Prints one JSON line per run and a table: scans/s,
p50/p90/p99 latency, errors, result codes.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/eventhub_t2 .venv/bin/python bench/scans.py \
        [--servers daphne,gunicorn] [--gates 1,4] [--lanes 4] [--seconds 8] [--max-scans 12000]

Bounded: each run stops after ``--seconds`` or ``--max-scans`` scans, whichever comes first.
Talks to 127.0.0.1 only; every process it starts is stopped at the end. It creates its own
organization and event in the database (migrating it first) and leaves them there.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_DEBUG"}
    env.update(
        EMBEDDED_SCHEDULER="0",
        DATABASE_POOL="1",
        DATABASE_POOL_MAX="16",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def start_server(kind: str, port: int, log: Path) -> subprocess.Popen:
    if kind == "daphne":
        cmd = [str(BIN / "daphne"), "-b", "127.0.0.1", "-p", str(port), "eventhub.asgi:application"]
    elif kind == "gunicorn":
        cmd = [
            str(BIN / "gunicorn"),
            "eventhub.wsgi:application",
            "-w",
            "2",
            "-k",
            "sync",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ]
    else:
        raise SystemExit(f"unknown server {kind}")
    out = log.open("wb")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=server_env(), stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(log.read_text()[-3000:])
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return proc
        time.sleep(0.1)
    raise RuntimeError(f"{kind} did not listen:\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


# --- data -------------------------------------------------------------------------------------


def prepare(*, gates: int, tickets: int) -> dict:
    """An event whose check-in is open, ``gates`` gates with one device each, and ``tickets``
    paid tickets (bulk-inserted) with their signed payloads."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eventhub.settings")
    django.setup()

    from django.core.management import call_command  # noqa: PLC0415 (django-setup)
    from django.utils import timezone  # noqa: PLC0415 (django-setup)
    from django_scopes import scopes_disabled  # noqa: PLC0415 (django-setup)

    from accounts.models import User  # noqa: PLC0415 (django-setup)
    from events.enums import EventStatus, MemberRole  # noqa: PLC0415 (django-setup)
    from events.models import Event, Organization, OrganizationMember  # noqa: PLC0415 (django-setup)
    from ticketing.enums import OrderStatus  # noqa: PLC0415 (django-setup)
    from ticketing.models import Gate, Order, OrderPosition, Ticket, TicketType, new_ticket_secret  # noqa: PLC0415 (django-setup)
    from ticketing.services.checkin import checkin_config_update  # noqa: PLC0415 (django-setup)
    from ticketing.services.scanner import device_register  # noqa: PLC0415 (django-setup)
    from ticketing.services.tickets import ticket_payload  # noqa: PLC0415 (django-setup)

    call_command("migrate", verbosity=0)
    stamp = f"{int(time.time() * 1000)}"
    with scopes_disabled():
        owner = User.objects.create_user(email=f"bench-{stamp}@example.org", password=None)
        organization = Organization.objects.create(name=f"Bench {stamp}", slug=f"bench-{stamp}")
        OrganizationMember.objects.create(organization=organization, user=owner, role=MemberRole.OWNER)
        now = timezone.now()
        event = Event.objects.create(
            organization=organization,
            name="Stadium",
            slug="stadium",
            start=now + timedelta(hours=1),
            end=now + timedelta(hours=5),
            status=EventStatus.LIVE,
        )
        checkin_config_update(actor=owner, event=event, capacity=tickets)
        ticket_type = TicketType.objects.create(event=event, name="Standing", price=Decimal("30.00"))
        tokens = []
        for index in range(gates):
            gate = Gate.objects.create(event=event, name=f"Gate {index + 1}")
            _device, token = device_register(actor=owner, event=event, name=f"Scanner {index + 1}", gate=gate)
            tokens.append(token)
        order = Order.objects.create(event=event, email=owner.email, status=OrderStatus.PAID, total=0, paid_at=now)
        positions = OrderPosition.objects.bulk_create(
            OrderPosition(
                order=order,
                ticket_type=ticket_type,
                price=Decimal("30.00"),
                attendee_name=f"Fan {i}",
                attendee_email=f"fan{i}@example.org",
                position=i % 30000,
            )
            for i in range(tickets)
        )
        made = Ticket.objects.bulk_create(
            Ticket(order_position=p, event=event, attendee_name=p.attendee_name, secret=new_ticket_secret())
            for p in positions
        )
        payloads = [ticket_payload(ticket=t) for t in made]
    return {"event_id": event.pk, "tokens": tokens, "payloads": payloads}


# --- client -------------------------------------------------------------------------------------


def lane(port: int, path: str, token: str, payloads: list[str], deadline: float, start_at: float, out) -> None:
    """One client connection sending scans back to back; reports latencies and results. With
    ``path`` = FLOOR_PATH it sends the same requests to an unknown API path instead (the JSON 404
    through the whole middleware stack, no database work in the view): the calibration floor."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Device {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    results: dict[str, int] = {}
    errors = 0
    while time.time() < start_at:
        time.sleep(0.001)
    for payload in payloads:
        if time.time() >= deadline:
            break
        body = json.dumps({"payload": payload})
        began = time.perf_counter()
        try:
            connection.request("POST", path, body=body, headers=headers)
            if path == FLOOR_PATH:
                response = connection.getresponse()
                response.read()
                latencies.append(time.perf_counter() - began)
                results["floor"] = results.get("floor", 0) + 1
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
                continue
            response = connection.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException):
            errors += 1
            connection.close()
            continue
        latencies.append(time.perf_counter() - began)
        if response.status != 200:
            errors += 1
            results[f"http_{response.status}"] = results.get(f"http_{response.status}", 0) + 1
        else:
            result = json.loads(data)["result"]
            results[result] = results.get(result, 0) + 1
    connection.close()
    out.put({"latencies": latencies, "results": results, "errors": errors})


FLOOR_PATH = "/api/v1/bench-floor-unknown-path"


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def run(
    *, server: str, gates: int, lanes: int, seconds: float, data: dict, offset: int, max_scans: int, floor: bool = False
) -> dict:
    port = free_port()
    log = ROOT / "var" / f"bench-scans-{server}-{port}.log"
    log.parent.mkdir(exist_ok=True)
    proc = start_server(server, port, log)
    try:
        path = FLOOR_PATH if floor else f"/api/v1/events/{data['event_id']}/scanner/scan"
        # warm up: imports, pool, first queries (on tickets nobody else scans)
        warm = data["payloads"][offset : offset + 20]
        offset += 20
        queue: multiprocessing.Queue = multiprocessing.Queue()
        lane(port, path, data["tokens"][0], warm, time.time() + 30, 0, queue)
        queue.get()
        clients = gates * lanes
        share = max_scans // clients
        start_at = time.time() + 1.0
        deadline = start_at + seconds
        processes = []
        for index in range(clients):
            payloads = data["payloads"][offset + index * share : offset + (index + 1) * share]
            token = data["tokens"][index % gates]
            processes.append(
                multiprocessing.Process(target=lane, args=(port, path, token, payloads, deadline, start_at, queue))
            )
        for process in processes:
            process.start()
        reports = [queue.get(timeout=seconds + 120) for _ in processes]
        finished = time.time()
        for process in processes:
            process.join(timeout=10)
    finally:
        stop(proc)
    latencies = [lat for r in reports for lat in r["latencies"]]
    results: dict[str, int] = {}
    for report in reports:
        for key, value in report["results"].items():
            results[key] = results.get(key, 0) + value
    elapsed = min(finished, deadline) - start_at if latencies else seconds
    return {
        "server": server,
        "gates": "floor" if floor else gates,
        "connections": clients,
        "scans": len(latencies),
        "seconds": round(elapsed, 2),
        "scans_per_s": round(len(latencies) / elapsed, 1) if elapsed > 0 else 0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p90_ms": round(percentile(latencies, 90) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "errors": sum(r["errors"] for r in reports),
        "results": results,
        "next_offset": offset + clients * share,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--servers", default="daphne,gunicorn")
    parser.add_argument("--gates", default="1,4")
    parser.add_argument("--lanes", type=int, default=4, help="client connections per gate")
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--max-scans", type=int, default=12000, help="per run")
    parser.add_argument(
        "--floor", action="store_true", help="also measure the JSON 404 of an unknown API path (calibration)"
    )
    args = parser.parse_args()
    servers = args.servers.split(",")
    gate_counts = [int(g) for g in args.gates.split(",")]
    per_run = args.max_scans + 20 + max(gate_counts) * args.lanes
    data = prepare(gates=max(gate_counts), tickets=per_run * len(servers) * len(gate_counts))
    rows = []
    offset = 0
    for server in servers:
        if args.floor:
            row = run(
                server=server,
                gates=1,
                lanes=args.lanes,
                seconds=args.seconds,
                data=data,
                offset=offset,
                max_scans=args.max_scans,
                floor=True,
            )
            row.pop("next_offset")
            print(json.dumps(row), flush=True)
            rows.append(row)
        for gates in gate_counts:
            row = run(
                server=server,
                gates=gates,
                lanes=args.lanes,
                seconds=args.seconds,
                data=data,
                offset=offset,
                max_scans=args.max_scans,
            )
            offset = row.pop("next_offset")
            print(json.dumps(row), flush=True)
            rows.append(row)
    print()
    print("| server | gates | connections | scans | scans/s | p50 ms | p90 ms | p99 ms | errors | results |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        results = ", ".join(f"{k} {v}" for k, v in sorted(r["results"].items()))
        print(
            f"| {r['server']} | {r['gates']} | {r['connections']} | {r['scans']} | {r['scans_per_s']} | "
            f"{r['p50_ms']} | {r['p90_ms']} | {r['p99_ms']} | {r['errors']} | {results} |"
        )


if __name__ == "__main__":
    main()
