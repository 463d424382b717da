"""Offline batches: 500 scans with 20 duplicates, uploaded twice — one check-in per ticket, 20
conflicts reported, and the second upload changes nothing and answers the same."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from eventhub.realtime.models import StreamEntry
from eventhub.realtime.streams import event_staff_stream

from ..models import CheckIn, CheckInConfig, ScanLog
from .checkin_helpers import paid_tickets, payload, venue

pytestmark = pytest.mark.django_db

UNIQUE, DUPLICATES = 480, 20


def _state(v) -> dict:
    with scopes_disabled():
        return {
            "checkins": list(CheckIn.objects.filter(event=v.event).order_by("pk").values()),
            "scan_logs": ScanLog.objects.filter(event=v.event).count(),
            "config": list(CheckInConfig.objects.filter(event=v.event).values("inside", "arrived")),
            "stream": StreamEntry.objects.filter(stream=event_staff_stream(v.event.pk)).count(),
        }


def test_offline_batch_of_500_with_20_duplicates_uploaded_twice():
    v = venue()
    tickets = paid_tickets(event=v.event, ticket_type=v.regular, count=UNIQUE)
    start = timezone.now() - timedelta(minutes=30)
    scans = [
        {
            "client_scan_id": f"s-{i}",
            "payload": payload(ticket),
            "scanned_at": (start + timedelta(seconds=i)).isoformat(),
        }
        for i, ticket in enumerate(tickets)
    ]
    # 20 second scans of the first 20 tickets, made later but sent *first* in the batch: the
    # earlier scan must still win.
    duplicates = [
        {
            "client_scan_id": f"dup-{i}",
            "payload": payload(tickets[i]),
            "scanned_at": (start + timedelta(minutes=20, seconds=i)).isoformat(),
        }
        for i in range(DUPLICATES)
    ]
    batch = {"scans": duplicates + scans}
    client = Client()

    first = client.post(v.url("scanner/batch"), batch, content_type="application/json", **v.device_headers())
    after_first = _state(v)
    second = client.post(v.url("scanner/batch"), batch, content_type="application/json", **v.device_headers())

    assert first.status_code == 200
    body = first.json()
    assert body["summary"] == {"ok": UNIQUE, "already_checked_in": DUPLICATES}
    results = body["results"]
    assert [r["client_scan_id"] for r in results] == [s["client_scan_id"] for s in batch["scans"]]
    conflicts = [r for r in results if r["result"] == "already_checked_in"]
    assert [r["client_scan_id"] for r in conflicts] == [f"dup-{i}" for i in range(DUPLICATES)]
    # Each conflict names the winning (earlier) scan: when and where.
    assert [c["previous"]["scanned_at"] for c in conflicts] == [scans[i]["scanned_at"] for i in range(DUPLICATES)]
    assert {c["previous"]["gate"]["name"] for c in conflicts} == {"Gate A"}

    assert len(after_first["checkins"]) == UNIQUE
    assert len({row["ticket_id"] for row in after_first["checkins"]}) == UNIQUE
    assert after_first["config"] == [{"inside": UNIQUE, "arrived": UNIQUE}]
    assert after_first["scan_logs"] == UNIQUE + DUPLICATES
    assert after_first["stream"] == UNIQUE

    assert second.status_code == 200
    assert second.json() == body
    assert _state(v) == after_first


def test_batch_overlapping_an_earlier_upload_only_adds_the_new_scans():
    v = venue()
    tickets = paid_tickets(event=v.event, ticket_type=v.regular, count=4)
    now = timezone.now()
    scans = [
        {"client_scan_id": f"s-{i}", "payload": payload(t), "scanned_at": (now - timedelta(minutes=5 - i)).isoformat()}
        for i, t in enumerate(tickets)
    ]
    client = Client()

    client.post(v.url("scanner/batch"), {"scans": scans[:2]}, content_type="application/json", **v.device_headers())
    overlap = client.post(
        v.url("scanner/batch"), {"scans": scans}, content_type="application/json", **v.device_headers()
    )

    assert overlap.json()["summary"] == {"ok": 4}
    assert _state(v)["config"] == [{"inside": 4, "arrived": 4}]


def test_batch_needs_a_device_and_valid_scans():
    v = venue()
    client = Client()

    bad = client.post(
        v.url("scanner/batch"),
        {"scans": [{"client_scan_id": "x", "payload": "p", "scanned_at": "yesterday"}]},
        content_type="application/json",
        **v.device_headers(),
    )

    assert bad.status_code == 400
    assert list(bad.json()["error"]["fields"]["scans"]["0"]) == ["scanned_at"]
    assert _state(v)["scan_logs"] == 0


@pytest.mark.parametrize(
    "scanned_at",
    [
        pytest.param(lambda now, v: now.replace(year=9999), id="year-9999"),
        pytest.param(lambda now, v: now + timedelta(hours=1), id="after-the-server-time"),
        pytest.param(lambda now, v: v.event.start - timedelta(days=3), id="long-before-check-in-opens"),
        pytest.param(lambda now, v: now.replace(year=2001), id="year-2001"),
    ],
)
def test_offline_scans_at_impossible_times_are_refused_naming_the_row_and_nothing_is_applied(scanned_at):
    """A device with a wrong clock must not win every conflict: ``scanned_at`` lies between
    check-in opening and the event's end (with a few minutes' leeway) and never after the
    server's time."""
    v = venue()
    tickets = paid_tickets(event=v.event, ticket_type=v.regular, count=3)
    now = timezone.now()
    scans = [
        {"client_scan_id": f"t-{i}", "payload": payload(ticket), "scanned_at": (now - timedelta(minutes=5)).isoformat()}
        for i, ticket in enumerate(tickets)
    ]
    scans[1]["scanned_at"] = scanned_at(now, v).isoformat()
    before = _state(v)

    response = Client().post(
        v.url("scanner/batch"), {"scans": scans}, content_type="application/json", **v.device_headers()
    )

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_scan_time"
    assert list(error["fields"]) == ["scans[1].scanned_at"]
    assert _state(v) == before


def test_offline_scans_a_little_ahead_of_the_server_clock_are_accepted():
    v = venue()
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)
    ahead = (timezone.now() + timedelta(minutes=2)).isoformat()
    scans = [{"client_scan_id": "ahead", "payload": payload(ticket), "scanned_at": ahead}]

    response = Client().post(
        v.url("scanner/batch"), {"scans": scans}, content_type="application/json", **v.device_headers()
    )

    assert response.status_code == 200
    assert response.json()["summary"] == {"ok": 1}
