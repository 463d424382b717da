"""The scan API: device authentication (a device of event A can neither scan nor download event
B), every result code, check-out and re-entry, undo, retries by client scan id, the offline
ticket list and the staff stream entries with occupancy."""

import base64
import hashlib
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled
from prometheus_client import REGISTRY

from eventhub.realtime.models import StreamEntry
from eventhub.realtime.streams import event_staff_stream
from eventhub.testing.factories import UserFactory
from eventhub.testing.live import session_token_for

from .. import signing
from ..models import CheckIn, CheckInConfig, ScanLog
from ..services.checkin import checkin_config_update
from ..services.scanner import device_revoke
from ..services.tickets import ticket_revoke
from .checkin_helpers import paid_tickets, payload, venue

pytestmark = pytest.mark.django_db


def _scan(v, code: str, device: int = 0, **extra):
    return Client().post(v.url("scanner/scan"), {"payload": code, **extra}, **v.device_headers(device))


def _state(v) -> dict:
    with scopes_disabled():
        return {
            "checkins": list(CheckIn.objects.filter(event=v.event).order_by("pk").values()),
            "scans": ScanLog.objects.filter(event=v.event).count(),
            "config": list(CheckInConfig.objects.filter(event=v.event).values()),
            "entries": StreamEntry.objects.filter(stream=event_staff_stream(v.event.pk)).count(),
        }


# --- authentication ---------------------------------------------------------------------------


def test_scan_without_credentials_is_401():
    v = venue()
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)

    response = Client().post(v.url("scanner/scan"), {"payload": payload(ticket)})

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_device_of_event_a_cannot_scan_or_download_event_b_and_nothing_changes():
    a, b = venue(), venue()
    (ticket_b,) = paid_tickets(event=b.event, ticket_type=b.regular, count=1)
    before = _state(b)
    headers_a = a.device_headers()

    scan = Client().post(b.url("scanner/scan"), {"payload": payload(ticket_b)}, **headers_a)
    listing = Client().get(b.url("scanner/ticket-list"), **headers_a)
    config = Client().get(b.url("scanner/config"), **headers_a)
    batch = Client().post(
        b.url("scanner/batch"),
        {"scans": [{"client_scan_id": "x", "payload": payload(ticket_b), "scanned_at": timezone.now().isoformat()}]},
        content_type="application/json",
        **headers_a,
    )
    missing = Client().get("/api/v1/events/987654321/scanner/ticket-list", **headers_a)

    assert [r.status_code for r in (scan, listing, config, batch, missing)] == [401] * 5
    assert scan.content == missing.content
    assert _state(b) == before


def test_ticket_of_event_b_scanned_by_device_of_a_at_own_event_is_invalid_signature():
    a, b = venue(), venue()
    (ticket_b,) = paid_tickets(event=b.event, ticket_type=b.regular, count=1)

    response = _scan(a, payload(ticket_b))

    assert response.json()["result"] == "invalid_signature"
    assert _state(b)["checkins"] == []


def test_revoked_device_is_401():
    v = venue()
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)
    with scopes_disabled():
        device_revoke(actor=v.owner, device=v.devices[0], event=v.event)

    response = _scan(v, payload(ticket))

    assert response.status_code == 401
    assert _state(v)["checkins"] == []


def test_operator_session_may_scan_at_a_gate_but_attendee_gets_404():
    v = venue()
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)
    attendee = UserFactory()

    denied = Client(HTTP_X_SESSION_TOKEN=session_token_for(attendee)).post(
        v.url("scanner/scan"), {"payload": payload(ticket)}
    )
    allowed = Client(HTTP_X_SESSION_TOKEN=session_token_for(v.operator)).post(
        v.url("scanner/scan"), {"payload": payload(ticket), "gate": v.gates[1].pk}
    )

    assert denied.status_code == 404
    assert allowed.json()["result"] == "ok"
    assert allowed.json()["checkin"]["gate"] == {"id": v.gates[1].pk, "name": "Gate B"}
    assert allowed.json()["checkin"]["manual"] is True


# --- result codes -----------------------------------------------------------------------------


def test_second_scan_is_already_checked_in_with_when_and_where():
    v = venue()
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)

    first = _scan(v, payload(ticket), device=0)
    second = _scan(v, payload(ticket), device=1)

    assert first.json()["result"] == "ok"
    assert second.json()["result"] == "already_checked_in"
    assert second.json()["previous"] == {
        "checkin_id": first.json()["checkin"]["id"],
        "scanned_at": first.json()["checkin"]["scanned_at"],
        "gate": {"id": v.gates[0].pk, "name": "Gate A"},
    }
    assert len(_state(v)["checkins"]) == 1


def test_scans_are_counted_by_result_and_a_retried_client_scan_is_not_counted_again():
    v = venue()
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)
    before = {result: _scans_counted(result) for result in ("ok", "already_checked_in", "invalid_signature")}

    _scan(v, payload(ticket), client_scan_id="c-1")
    _scan(v, payload(ticket), client_scan_id="c-1")  # the device retries: the stored answer
    _scan(v, payload(ticket))
    _scan(v, "not-a-ticket")

    assert {result: _scans_counted(result) - count for result, count in before.items()} == {
        "ok": 1,
        "already_checked_in": 1,
        "invalid_signature": 1,
    }


def _scans_counted(result: str) -> float:
    return REGISTRY.get_sample_value("eventhub_scans_total", {"result": result}) or 0.0


def test_wrong_gate_for_regular_ticket_at_vip_gate():
    v = venue(gates=3, devices=3)  # Gate C admits VIP only
    (regular,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)
    (vip,) = paid_tickets(event=v.event, ticket_type=v.vip, count=1)

    wrong = _scan(v, payload(regular), device=2)
    right = _scan(v, payload(vip), device=2)

    assert wrong.json()["result"] == "wrong_gate"
    assert right.json()["result"] == "ok"


def test_ticket_not_yet_valid_before_check_in_opens():
    v = venue(start_in=timedelta(days=3))
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)

    early = _scan(v, payload(ticket))
    with scopes_disabled():
        checkin_config_update(actor=v.owner, event=v.event, opens_at=timezone.now() - timedelta(minutes=1))
    opened = _scan(v, payload(ticket))

    assert early.json()["result"] == "not_yet_valid"
    assert opened.json()["result"] == "ok"


def test_exit_then_re_entry_and_exit_without_entry():
    v = venue()
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)
    code = payload(ticket)

    results = [
        _scan(v, code, kind="exit").json()["result"],
        _scan(v, code).json()["result"],
        _scan(v, code, kind="exit").json()["result"],
        _scan(v, code).json()["result"],
    ]

    assert results == ["not_checked_in", "ok", "ok", "ok"]
    with scopes_disabled():
        config = CheckInConfig.objects.get(event=v.event)
    assert (config.inside, config.arrived) == (1, 1)


def test_undo_last_checkin_lets_the_ticket_in_again():
    v = venue()
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)
    first = _scan(v, payload(ticket))

    undo = Client().post(v.url("scanner/undo"), {}, **v.device_headers())
    again = _scan(v, payload(ticket))

    assert undo.json() == {
        "undone": True,
        "checkin_id": first.json()["checkin"]["id"],
        "ticket_id": ticket.pk,
        "kind": "entry",
    }
    assert again.json()["result"] == "ok"
    with scopes_disabled():
        config = CheckInConfig.objects.get(event=v.event)
        types = list(
            StreamEntry.objects.filter(stream=event_staff_stream(v.event.pk))
            .order_by("seq")
            .values_list("type", flat=True)
        )
    assert (config.inside, config.arrived) == (1, 1)
    assert types == ["checkin.entry", "checkin.undone", "checkin.entry"]


def test_undo_with_nothing_to_undo():
    v = venue()

    response = Client().post(v.url("scanner/undo"), {}, **v.device_headers())

    assert response.json() == {"undone": False, "checkin_id": None, "ticket_id": None, "kind": None}


def test_retry_with_same_client_scan_id_replays_answer():
    v = venue()
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)

    first = _scan(v, payload(ticket), client_scan_id="scan-1")
    retry = _scan(v, payload(ticket), client_scan_id="scan-1")
    other = _scan(v, payload(ticket), client_scan_id="scan-2")

    assert first.json() == retry.json()
    assert retry.json()["result"] == "ok"
    assert other.json()["result"] == "already_checked_in"
    assert len(_state(v)["checkins"]) == 1


def test_checkin_appends_staff_entry_with_occupancy_and_alert_on_threshold():
    v = venue()
    with scopes_disabled():
        checkin_config_update(actor=v.owner, event=v.event, capacity=4, alert_threshold_percent=75)
    tickets = paid_tickets(event=v.event, ticket_type=v.regular, count=4)

    for ticket in tickets[:3]:
        assert _scan(v, payload(ticket)).json()["result"] == "ok"
    assert _scan(v, payload(tickets[0]), kind="exit").json()["result"] == "ok"

    with scopes_disabled():
        entries = list(StreamEntry.objects.filter(stream=event_staff_stream(v.event.pk)).order_by("seq"))
    assert [(e.type, e.data.get("inside")) for e in entries] == [
        ("checkin.entry", 1),
        ("checkin.entry", 2),
        ("checkin.occupancy_alert", 3),
        ("checkin.entry", 3),
        ("checkin.occupancy_alert", 2),
        ("checkin.exit", 2),
    ]
    assert entries[2].data == {
        "inside": 3,
        "arrived": 3,
        "capacity": 4,
        "percent": 75.0,
        "threshold_percent": 75,
        "active": True,
    }
    assert entries[4].data["active"] is False
    assert entries[0].data["gate"] == "Gate A"
    assert entries[0].data["attendee_name"] == tickets[0].attendee_name


# --- offline download ---------------------------------------------------------------------------


def test_ticket_list_and_config_let_a_scanner_verify_offline():
    v = venue()
    tickets = paid_tickets(event=v.event, ticket_type=v.regular, count=3)
    with scopes_disabled():
        ticket_revoke(actor=v.owner, ticket=tickets[2], event=v.event)
    _scan(v, payload(tickets[0]))
    client = Client()

    config = client.get(v.url("scanner/config"), **v.device_headers()).json()
    listing = client.get(v.url("scanner/ticket-list"), **v.device_headers()).json()

    public_key = signing.public_key_from_bytes(
        base64.urlsafe_b64decode(config["public_key"] + "=" * (-len(config["public_key"]) % 4))
    )
    claim = signing.decode(payload=payload(tickets[1]), public_key=public_key, event_id=v.event.pk)
    by_id = {row["id"]: row for row in listing["results"]}
    assert claim is not None
    assert claim.ticket_id == tickets[1].pk
    assert hashlib.sha256(claim.secret).hexdigest() == by_id[tickets[1].pk]["secret_hash"]
    assert [(row["id"], row["status"], row["inside"]) for row in listing["results"]] == [
        (tickets[0].pk, "valid", True),
        (tickets[1].pk, "valid", False),
        (tickets[2].pk, "revoked", False),
    ]
    assert config["gate"]["id"] == v.gates[0].pk
    assert [g["name"] for g in config["gates"]] == ["Gate A", "Gate B"]
    assert config["device"]["name"] == "Scanner 1"


def test_ticket_list_is_paged_without_n_plus_one(django_assert_max_num_queries):
    v = venue()
    paid_tickets(event=v.event, ticket_type=v.regular, count=30)
    client = Client()

    with django_assert_max_num_queries(8):
        page = client.get(v.url("scanner/ticket-list"), {"page_size": 20}, **v.device_headers()).json()
    rest = client.get(page["next"], **v.device_headers()).json()

    assert len(page["results"]) == 20
    assert len(rest["results"]) == 10
    assert rest["next"] is None
