"""Check-in portal pages: gates, scanner devices (token shown once, only its hash kept,
revocable), settings, the dashboard figures and manual check-in by name; who may do what."""

import hashlib

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from eventhub.models import AuditLogEntry
from eventhub.realtime.models import StreamEntry
from eventhub.realtime.streams import event_staff_stream
from eventhub.testing.factories import MemberFactory
from events.enums import MemberRole

from ..models import CheckIn, CheckInConfig, Gate, ScannerDevice
from .checkin_helpers import paid_tickets, payload, venue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages(page_settings):
    return page_settings


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _url(v, name: str, **kwargs) -> str:
    return reverse(
        f"ticketing:{name}", kwargs={"organization": v.event.organization.slug, "event": v.event.slug, **kwargs}
    )


def test_operator_registers_device_token_shown_once_only_hash_stored():
    v = venue(devices=0)
    client = _client(v.operator)

    response = client.post(_url(v, "checkin-devices"), {"name": "North phone", "gate": v.gates[0].pk}, follow=True)
    again = client.get(_url(v, "checkin-devices"))

    with scopes_disabled():
        device = ScannerDevice.objects.get(event=v.event)
    html = response.content.decode()
    token = html.split('data-testid="device-token">')[1].split("<")[0]
    assert response.redirect_chain == [(_url(v, "checkin-devices"), 302)]
    assert response["Cache-Control"] == "no-store"
    assert token.startswith("ehd_")
    assert device.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in again.content.decode()
    assert "North phone" in again.content.decode()
    with scopes_disabled():
        assert AuditLogEntry.objects.filter(action="scanner_device.registered", object_id=str(device.pk)).count() == 1
    # the token works on the scan API
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)
    scan = Client().post(v.url("scanner/scan"), {"payload": payload(ticket)}, HTTP_AUTHORIZATION=f"Device {token}")
    assert scan.json()["result"] == "ok"


def test_revoked_device_token_stops_working():
    v = venue()
    client = _client(v.operator)

    response = client.post(_url(v, "checkin-device-revoke", device_id=v.devices[0].pk))
    scan = Client().get(v.url("scanner/config"), **v.device_headers())

    assert response.status_code == 302
    assert scan.status_code == 401
    with scopes_disabled():
        assert ScannerDevice.objects.get(pk=v.devices[0].pk).revoked_at is not None


def test_gate_create_with_ticket_types_and_duplicate_name():
    v = venue(gates=0, devices=0)
    client = _client(v.owner)

    created = client.post(_url(v, "checkin-gates"), {"name": "VIP entrance", "ticket_types": [v.vip.pk]})
    duplicate = client.post(_url(v, "checkin-gates"), {"name": "VIP entrance"})

    assert created.status_code == 302
    assert "Another gate of this event has this name." in duplicate.content.decode()
    with scopes_disabled():
        gate = Gate.objects.get(event=v.event)
        assert list(gate.ticket_types.values_list("name", flat=True)) == ["VIP"]
        assert Gate.objects.filter(event=v.event).count() == 1


def test_gate_edit_changes_admitted_types():
    v = venue()
    client = _client(v.owner)

    response = client.post(
        _url(v, "checkin-gate-edit", gate_id=v.gates[0].pk), {"name": "Gate A", "ticket_types": [v.regular.pk]}
    )

    assert response.status_code == 302
    (vip,) = paid_tickets(event=v.event, ticket_type=v.vip, count=1)
    scan = Client().post(v.url("scanner/scan"), {"payload": payload(vip)}, **v.device_headers(0))
    assert scan.json()["result"] == "wrong_gate"


def test_dashboard_shows_figures_and_gate_rates():
    v = venue()
    tickets = paid_tickets(event=v.event, ticket_type=v.regular, count=4)
    with scopes_disabled():
        CheckInConfig.objects.create(event=v.event, capacity=10)
    for ticket in tickets[:3]:
        Client().post(v.url("scanner/scan"), {"payload": payload(ticket)}, **v.device_headers(0))

    response = _client(v.operator).get(_url(v, "checkin"))

    html = response.content.decode()
    figures = response.context["figures"]
    assert response.status_code == 200
    assert (figures.inside, figures.capacity, figures.percent) == (3, 10, 30.0)
    assert (figures.expected, figures.arrived, figures.outstanding) == (4, 3, 1)
    gate_a, gate_b = figures.gates
    assert (gate_a.name, gate_a.entries_last_minute, gate_a.scans_per_minute) == ("Gate A", 3, 0.6)
    assert gate_a.outstanding == gate_b.outstanding == 0.5  # one outstanding ticket, two gates
    assert gate_a.wait_minutes == round(0.5 / 0.6, 1)
    assert gate_b.wait_minutes is None
    assert f'data-checkin-stream="event:{v.event.pk}:staff"' in html
    assert f'data-since="{response.context["stream_head"]}"' in html
    assert response.context["stream_head"] == 3


def test_manual_checkin_by_name_search():
    v = venue()
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1, prefix="Ada Lovelace")
    client = _client(v.operator)

    found = client.get(_url(v, "checkin-search"), {"q": "lovelace"})
    checked = client.post(
        _url(v, "checkin-manual", ticket_id=ticket.pk),
        {"gate": v.gates[1].pk, "kind": "entry", "q": "lovelace"},
        HTTP_HX_REQUEST="true",
    )
    twice = client.post(
        _url(v, "checkin-manual", ticket_id=ticket.pk), {"gate": v.gates[1].pk, "kind": "entry"}, HTTP_HX_REQUEST="true"
    )

    assert [t.pk for t in found.context["results"]] == [ticket.pk]
    assert f"{ticket.attendee_name} checked in." in checked.content.decode()
    assert "already checked in" in twice.content.decode()
    with scopes_disabled():
        checkin = CheckIn.objects.get(event=v.event)
        entry = StreamEntry.objects.get(stream=event_staff_stream(v.event.pk))
    assert (checkin.created_by, checkin.gate, checkin.device) == (v.operator, v.gates[1], None)
    assert entry.data["manual"] is True
    assert checked.context["results"][0].inside is True


def test_settings_update_capacity_and_threshold():
    v = venue()
    client = _client(v.owner)

    response = client.post(_url(v, "checkin-settings"), {"capacity": "500", "alert_threshold_percent": "80"})

    assert response.status_code == 302
    with scopes_disabled():
        config = CheckInConfig.objects.get(event=v.event)
    assert (config.capacity, config.alert_threshold_percent) == (500, 80)


@pytest.mark.parametrize(
    ("role", "dashboard", "devices", "manual"),
    [
        (MemberRole.ANALYST, 200, 404, 404),
        (MemberRole.EDITOR, 404, 404, 404),
        (MemberRole.OPERATOR, 200, 200, 200),
        (MemberRole.ADMIN, 200, 200, 200),
    ],
)
def test_roles(role, dashboard, devices, manual):
    v = venue()
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)
    with scopes_disabled():
        user = MemberFactory(organization=v.event.organization, role=role).user
    client = _client(user)

    statuses = (
        client.get(_url(v, "checkin")).status_code,
        client.get(_url(v, "checkin-devices")).status_code,
        client.post(
            _url(v, "checkin-manual", ticket_id=ticket.pk), {"kind": "entry"}, HTTP_HX_REQUEST="true"
        ).status_code,
    )

    assert statuses == (dashboard, devices, manual)
    with scopes_disabled():
        assert CheckIn.objects.filter(event=v.event).count() == (1 if manual == 200 else 0)
