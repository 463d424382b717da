"""Check-in against a live daphne: two gates scanning the same ticket at the same moment get
exactly one ``ok`` (and, as a negative control, without the ticket row lock the race does let
both in), and a subscribed staff WebSocket sees every check-in with the occupancy moving."""

import http.client
import json
import threading
from collections import Counter
from urllib.parse import urlsplit

import pytest
from channels.db import database_sync_to_async
from django_scopes import scopes_disabled

from eventhub.realtime.streams import event_staff_stream
from eventhub.testing.live import daphne, session_token_for, ws_url
from eventhub.testing.ws import StreamClient

from ..models import CheckIn
from ..services.checkin import checkin_config_update
from .checkin_helpers import paid_tickets, payload, venue

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

TICKETS = 25
# The gates' race scans faster than any real gate: the per-device scan limit (tested in
# test_buyer_limits) would answer some with a 429.
UNLIMITED = {"TICKETING_RATE_LIMITS": "{}"}


def _post(base_url: str, path: str, token: str, body: dict, barrier: threading.Barrier | None = None) -> dict:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection.connect()
        if barrier is not None:
            barrier.wait(timeout=30)
        connection.request(
            "POST",
            path,
            body=json.dumps(body),
            headers={"Authorization": f"Device {token}", "Content-Type": "application/json"},
        )
        response = connection.getresponse()
        return {"status": response.status, **json.loads(response.read())}
    finally:
        connection.close()


def _two_gates_at_once(base_url: str) -> tuple[list[list[str]], dict[int, int]]:
    """For each of TICKETS tickets, gate A and gate B scan it at the same moment (both requests
    connected, released together). Returns each ticket's two answers and its check-in count."""
    v = venue(gates=2, devices=2)
    tickets = paid_tickets(event=v.event, ticket_type=v.regular, count=TICKETS)
    path = f"/api/v1/events/{v.event.pk}/scanner/scan"
    answers: list[list[str]] = []
    for ticket in tickets:
        code = payload(ticket)
        barrier = threading.Barrier(2)
        got: list[str] = []

        def scan(token: str, code=code, barrier=barrier, got=got) -> None:
            got.append(_post(base_url, path, token, {"payload": code}, barrier)["result"])

        threads = [threading.Thread(target=scan, args=(token,)) for token in v.tokens]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        answers.append(sorted(got))
    with scopes_disabled():
        counts = Counter(CheckIn.objects.filter(event=v.event).values_list("ticket_id", flat=True))
    return answers, {ticket.pk: counts.get(ticket.pk, 0) for ticket in tickets}


def test_two_gates_scanning_the_same_ticket_at_once_get_exactly_one_ok(tmp_path):
    with daphne(tmp_path, **UNLIMITED) as url:
        answers, checkins = _two_gates_at_once(url)

    assert answers == [["already_checked_in", "ok"]] * TICKETS
    assert set(checkins.values()) == {1}


def test_negative_control_without_the_ticket_lock_both_gates_let_someone_in(tmp_path):
    """Proves the test above can see the race: with the lock switched off (test-only
    settings) at least one ticket is admitted twice."""
    with daphne(tmp_path, DJANGO_SETTINGS_MODULE="ticketing.tests.settings_nolock", **UNLIMITED) as url:
        answers, checkins = _two_gates_at_once(url)

    doubles = [pair for pair in answers if pair == ["ok", "ok"]]
    assert doubles, f"no double admission in {TICKETS} races: {Counter(map(tuple, answers))}"
    assert max(checkins.values()) == 2


def _sync(fn):
    def run():
        with scopes_disabled():
            return fn()

    return database_sync_to_async(run)


async def test_staff_websocket_sees_each_checkin_and_occupancy_move(tmp_path):
    v = await _sync(lambda: venue(gates=2, devices=2))()
    await _sync(lambda: checkin_config_update(actor=v.owner, event=v.event, capacity=10))()
    tickets = await _sync(lambda: paid_tickets(event=v.event, ticket_type=v.regular, count=3))()
    codes = await _sync(lambda: [payload(t) for t in tickets])()
    token = await _sync(lambda: session_token_for(v.operator))()
    path = f"/api/v1/events/{v.event.pk}/scanner/scan"

    with daphne(tmp_path) as url:
        client = await StreamClient.open(ws_url(url), token=token)
        subscribed = await client.subscribe(event_staff_stream(v.event.pk))
        for index, code in enumerate(codes):
            result = await database_sync_to_async(_post)(url, path, v.tokens[index % 2], {"payload": code})
            assert result["result"] == "ok"
        result = await database_sync_to_async(_post)(url, path, v.tokens[0], {"payload": codes[0], "kind": "exit"})
        assert result["result"] == "ok"
        entries = await client.entries(event_staff_stream(v.event.pk), 4)
        await client.close()

    assert subscribed["op"] == "subscribed"
    assert [e["seq"] for e in entries] == list(range(subscribed["head"] + 1, subscribed["head"] + 5))
    assert [(e["type"], e["data"]["inside"], e["data"]["capacity"], e["data"]["percent"]) for e in entries] == [
        ("checkin.entry", 1, 10, 10.0),
        ("checkin.entry", 2, 10, 20.0),
        ("checkin.entry", 3, 10, 30.0),
        ("checkin.exit", 2, 10, 20.0),
    ]
    assert [e["data"]["gate"] for e in entries] == ["Gate A", "Gate B", "Gate A", "Gate A"]
    assert [e["data"]["ticket_id"] for e in entries] == [t.pk for t in tickets] + [tickets[0].pk]
    assert [e["data"]["arrived"] for e in entries] == [1, 2, 3, 3]
