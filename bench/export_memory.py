#!/usr/bin/env python
"""Export memory benchmark (issue 10): 50,000 tickets exported as CSV and as XLSX through the
portal's attendee export (``…/exports/attendees.csv|xlsx``), each in a fresh serving process.

The parent recreates the database ``eventhub_bench_export`` (migrations, then --tickets
tickets in --orders orders, bulk-inserted). Each measurement is a child process
(``--child FORMAT HANDLER``) that sets Django up, signs the owner in, reads its RSS and peak RSS
(``ru_maxrss``) as the baseline, requests the export through Django's WSGI request handler
(``Client``) or its ASGI one (``AsyncClient``: the async generator path daphne takes), consumes
the body chunk by chunk into a byte count, and reads the peak again. ``naive`` is the negative
control: the same rows gathered into one list and written into one response (what an
export without streaming does), so the difference streaming makes is measured, not assumed.
Only talks to 127.0.0.1 (PostgreSQL).

    .venv/bin/python bench/export_memory.py [--tickets 50000] [--orders 5000]
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = os.environ.get("BENCH_EXPORT_DB", "eventhub_bench_export")
DATABASE_URL = f"postgres://postgres@127.0.0.1:5432/{DB_NAME}"


def child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "REDIS_URL")}
    env.update(DATABASE_URL=DATABASE_URL, EMBEDDED_SCHEDULER="0", DJANGO_SETTINGS_MODULE="eventhub.settings")
    return env


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def setup_django() -> None:
    os.environ.update(child_env())
    sys.path.insert(0, str(ROOT))
    import django  # noqa: PLC0415 (django-setup)

    django.setup()


def seed(tickets: int, orders: int) -> None:
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB_NAME], check=True)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DB_NAME], check=True)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=child_env(), check=True)
    setup_django()
    from decimal import Decimal  # noqa: PLC0415 (django-setup)

    from django_scopes import scopes_disabled  # noqa: PLC0415 (django-setup)

    from eventhub.testing.factories import EventFactory, MemberFactory  # noqa: PLC0415 (django-setup)
    from ticketing.enums import OrderStatus  # noqa: PLC0415 (django-setup)
    from ticketing.models import Order, OrderPosition, Ticket, TicketType  # noqa: PLC0415 (django-setup)

    started = time.monotonic()
    per_order = tickets // orders
    with scopes_disabled():
        event = EventFactory(slug="bench-export", organization__slug="bench", timezone="Europe/Berlin")
        owner = MemberFactory(organization=event.organization, role="owner", user__email="bench-owner@example.org")
        ticket_type = TicketType.objects.create(event=event, name="Regular", price=Decimal("25.00"))
        for start in range(0, orders, 500):
            batch = Order.objects.bulk_create(
                Order(
                    event=event,
                    email=f"buyer{n}@example.org",
                    status=OrderStatus.PAID,
                    total=Decimal("25.00") * per_order,
                )
                for n in range(start, min(start + 500, orders))
            )
            positions = OrderPosition.objects.bulk_create(
                OrderPosition(
                    order=order,
                    ticket_type=ticket_type,
                    price=Decimal("25.00"),
                    attendee_name=f"Attendee {order.pk}-{i}",
                    attendee_email=f"attendee{order.pk}-{i}@example.org",
                    position=i,
                )
                for order in batch
                for i in range(per_order)
            )
            Ticket.objects.bulk_create(
                Ticket(order_position=position, event=event, attendee_name=position.attendee_name)
                for position in positions
            )
        count = Ticket.objects.filter(event=event).count()
    print(f"seeded {count} tickets in {orders} orders ({time.monotonic() - started:.1f} s); owner {owner.user.email}")


def child(fmt: str, handler: str) -> None:
    setup_django()
    import asyncio  # noqa: PLC0415 (django-setup)

    from django.http import HttpResponse  # noqa: PLC0415 (django-setup)
    from django.test import AsyncClient, Client  # noqa: PLC0415 (django-setup)
    from django_scopes import scope, scopes_disabled  # noqa: PLC0415 (django-setup)

    from accounts.models import User  # noqa: PLC0415 (django-setup)
    from eventhub.exports import csv_response  # noqa: PLC0415 (django-setup)
    from events.models import Event  # noqa: PLC0415 (django-setup)
    from ticketing.selectors.exports import tickets_table  # noqa: PLC0415 (django-setup)

    owner = User.objects.get(email="bench-owner@example.org")
    with scopes_disabled():
        event = Event.objects.get(slug="bench-export")
    path = f"/portal/{event.organization.slug}/events/{event.slug}/exports/attendees.{fmt}"
    client = Client()
    client.force_login(owner)
    # Warm up: the first request loads templates, URLconf and the rules once (not the export's cost).
    client.get(f"/portal/{event.organization.slug}/events/{event.slug}/exports/")
    baseline_rss, baseline_peak = rss_kib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    size = 0
    first_byte = None
    if handler == "naive":
        with scope(organization=[event.organization_id]):
            table = tickets_table(event=event)
            rows = list(table.rows)  # everything in memory at once
            body = b"".join(
                csv_response(_plain_request(), filename="x", header=table.header, rows=rows).streaming_content
            )
            response = HttpResponse(body)
            size = len(response.content)
            first_byte = time.monotonic() - started
    elif handler == "wsgi":
        response = client.get(path)
        assert response.status_code == 200, response.status_code
        for chunk in response.streaming_content:
            if first_byte is None:
                first_byte = time.monotonic() - started
            size += len(chunk)
        response.close()
    else:

        async def fetch() -> tuple[int, float | None]:
            async_client = AsyncClient()
            async_client.cookies = client.cookies
            response = await async_client.get(path)
            assert response.status_code == 200, response.status_code
            got, first = 0, None
            async for chunk in response.streaming_content:
                if first is None:
                    first = time.monotonic() - started
                got += len(chunk)
            return got, first

        size, first_byte = asyncio.run(fetch())
    elapsed = time.monotonic() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result: dict[str, Any] = {
        "format": fmt,
        "handler": handler,
        "bytes": size,
        "seconds": round(elapsed, 2),
        "first_byte_s": round(first_byte or 0.0, 2),
        "baseline_rss_mib": round(baseline_rss / 1024, 1),
        "baseline_peak_mib": round(baseline_peak / 1024, 1),
        "peak_mib": round(peak / 1024, 1),
        "peak_growth_mib": round((peak - baseline_peak) / 1024, 1),
    }
    print(json.dumps(result))


def _plain_request() -> Any:  # noqa: N802 (a stand-in request for the naive control)
    from django.test import RequestFactory  # noqa: PLC0415 (django-setup)

    return RequestFactory().get("/")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=50_000)
    parser.add_argument("--orders", type=int, default=5_000)
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "HANDLER"))
    parser.add_argument("--no-seed", action="store_true", help="reuse the database of the last run")
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    if not args.no_seed:
        seed(args.tickets, args.orders)
    runs = [("csv", "naive"), ("csv", "wsgi"), ("csv", "asgi"), ("xlsx", "wsgi"), ("xlsx", "asgi")]
    columns = ["format", "handler", "rows", "MB out", "time s", "1st byte s", "RSS before", "peak before", "peak after"]
    print("  ".join(f"{name:>11}" for name in [*columns, "growth"]))
    for fmt, handler in runs:
        output = subprocess.run(
            [sys.executable, __file__, "--child", fmt, handler],
            cwd=ROOT,
            env=child_env(),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        r = json.loads(output.strip().splitlines()[-1])
        cells = [fmt, handler, args.tickets, f"{r['bytes'] / 1e6:.1f}", r["seconds"], r["first_byte_s"]]
        cells += [
            f"{r[key]:.1f} MiB" for key in ("baseline_rss_mib", "baseline_peak_mib", "peak_mib", "peak_growth_mib")
        ]
        print("  ".join(f"{cell:>11}" for cell in cells))


if __name__ == "__main__":
    main()
