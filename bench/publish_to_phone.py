#!/usr/bin/env python
"""Publish-to-phone benchmark (issue 3): from the organizer's portal publish request to the
`session.updated` entry arriving at every subscribed phone.

Production configuration as in fanout.py (PostgreSQL with the seeded demo agenda, Redis, two
daphne processes). N WebSocket clients (default 500, 1,000, 2,000) spread over both servers
subscribe to the demo event's stream. The organizer, logged in to the portal over HTTP, then K
times delays one session by a minute (a draft edit), and publishes; the clock starts when the
publish request is sent. Each socket notes when the `session.updated` of that schedule version
arrives. Prints p50/p95/p99/max of publish-request-to-phone, the publish request's own latency,
and losses. Only talks to 127.0.0.1; stops everything it starts.

    .venv/bin/python bench/publish_to_phone.py [--clients 500,1000,2000] [-k 10]
"""

import argparse
import asyncio
import json
import re
import resource
import sys
import time
from pathlib import Path

import httpx
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fanout import ROOT, free_port, manage, prepare_database, start_server, stop  # noqa: E402

ORGANIZATION, EVENT = "demo", "eventhub-conf-2026"
PORTAL = f"/portal/{ORGANIZATION}/events/{EVENT}/agenda"


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    return round(values[min(len(values) - 1, max(0, round(p / 100 * (len(values) - 1))))], 1)


def portal_client(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30, follow_redirects=False)
    page = client.get("/accounts/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = client.post(
        "/accounts/login/",
        data={"login": "organizer@example.com", "password": "eventhub-demo", "csrfmiddlewaretoken": csrf},
        headers={"Referer": base + "/accounts/login/"},
    )
    assert response.status_code == 302, response.text[:500]
    client.headers["X-CSRFToken"] = client.cookies["csrftoken"]
    client.headers["Referer"] = base + PORTAL + "/"
    return client


def publish(client: httpx.Client, session_id: int, minutes: int) -> float:
    """One draft edit, then the publish request; returns the time the publish was sent."""
    delayed = client.post(f"{PORTAL}/sessions/{session_id}/delay", data={"minutes": minutes})
    assert delayed.status_code in (200, 302), delayed.text[:300]
    sent = time.time()
    published = client.post(f"{PORTAL}/publish", data={"comment": "bench"})
    assert published.status_code in (200, 302), published.text[:300]
    return sent


async def phone(url: str, stream: str, arrivals: dict[int, list[float]], ready: list, done: asyncio.Event) -> None:
    try:
        ws = await asyncio.wait_for(connect(url, max_size=2**22), 30)
    except Exception:
        ready.append(False)
        return
    async with ws:
        await ws.send(json.dumps({"op": "subscribe", "stream": stream}))
        while True:
            frame = json.loads(await ws.recv())
            if frame.get("op") == "subscribed":
                break
        ready.append(True)
        while not done.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 1)
            except TimeoutError:
                continue
            except Exception:
                return
            now = time.time()
            frame = json.loads(raw)
            if frame.get("type") == "session.updated":
                arrivals.setdefault(frame["data"]["version"], []).append(now)


async def run_once(clients: int, k: int, event_id: int, session_id: int, first_version: int) -> dict:
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    ports = [free_port(), free_port()]
    servers = [start_server("daphne", port, logs / f"publish-{port}.log") for port in ports]
    try:
        arrivals: dict[int, list[float]] = {}
        ready: list[bool] = []
        done = asyncio.Event()
        tasks = []
        for i in range(clients):
            url = f"ws://127.0.0.1:{ports[i % 2]}/ws/v1/"
            tasks.append(asyncio.create_task(phone(url, f"event:{event_id}", arrivals, ready, done)))
            if i % 100 == 99:
                await asyncio.sleep(0.05)
        deadline = time.monotonic() + 120
        while len(ready) < clients and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        organizer = await asyncio.to_thread(portal_client, f"http://127.0.0.1:{ports[0]}")
        sent_at, request_ms = {}, []
        for n in range(k):
            started = time.time()
            sent = await asyncio.to_thread(publish, organizer, session_id, 1 if n % 2 == 0 else -1)
            request_ms.append((time.time() - sent) * 1000)
            sent_at[n] = sent
            await asyncio.sleep(max(0.0, 1.0 - (time.time() - started)))
        await asyncio.sleep(3)
        done.set()
        await asyncio.gather(*tasks, return_exceptions=True)
        versions = sorted(arrivals)[-k:] if arrivals else []
        latencies = sorted(
            (arrival - sent_at[n]) * 1000 for n, version in enumerate(versions) for arrival in arrivals[version]
        )
        subscribed = sum(ready)
        del first_version
        return {
            "clients": clients,
            "subscribed": subscribed,
            "publishes": k,
            "expected": subscribed * k,
            "received": len(latencies),
            "lost": subscribed * k - len(latencies),
            "p50_ms": pct(latencies, 50),
            "p95_ms": pct(latencies, 95),
            "p99_ms": pct(latencies, 99),
            "max_ms": pct(latencies, 100),
            "publish_request_p50_ms": pct(sorted(request_ms), 50),
        }
    finally:
        for server in servers:
            stop(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", default="500,1000,2000")
    parser.add_argument("-k", type=int, default=10, help="publishes per run")
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    event_id = prepare_database()
    session_id = int(
        manage(
            "shell",
            "-c",
            "from django_scopes import scopes_disabled\n"
            "from events.models import Session\n"
            "with scopes_disabled(): print(Session.objects.filter(event_id=1, room__name='Room B').order_by('start')"
            ".values_list('pk', flat=True).first())",
        )
        .strip()
        .splitlines()[-1]
    )
    results = []
    for run, clients in enumerate(int(n) for n in args.clients.split(",")):
        # seed_demo published version 1; each run publishes k more.
        result = asyncio.run(run_once(clients, args.k, event_id, session_id, first_version=2 + run * args.k))
        print(json.dumps(result), flush=True)
        results.append(result)
    print(
        f"\n{'clients':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'lost':>5} {'publish req ms':>15}"
    )
    for r in results:
        print(
            f"{r['clients']:>7} {r['p50_ms']!s:>8} {r['p95_ms']!s:>8} {r['p99_ms']!s:>8} {r['max_ms']!s:>8} "
            f"{r['lost']:>5} {r['publish_request_p50_ms']!s:>15}"
        )


if __name__ == "__main__":
    main()
