"""Check-in at the door (issue 10, gap 8): the stored, searchable scan log (device and manual
scans, rejected ones too, surviving a reload), the printable attendee list, and pairing a
scanner by QR code."""

import base64
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from ..enums import OrderStatus
from ..services.tickets import ticket_qr_svg
from .checkin_helpers import paid_tickets, payload, venue

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _pages(page_settings):
    return page_settings


def _client(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _url(event, name: str, **kwargs) -> str:
    return reverse(f"ticketing:{name}", kwargs={"organization": event.organization.slug, "event": event.slug, **kwargs})


def _scan(v, ticket, index=0):
    return Client().post(
        v.url("scanner/scan"), {"payload": payload(ticket)}, content_type="application/json", **v.device_headers(index)
    )


def test_scan_log_keeps_every_scan_and_is_searchable():
    v = venue(devices=1)
    (ada,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1, prefix="Ada")
    (bob,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1, prefix="Bob")
    assert _scan(v, ada).json()["result"] == "ok"
    assert _scan(v, ada).json()["result"] == "already_checked_in"
    _client(v.operator).post(
        _url(v.event, "checkin-manual", ticket_id=bob.pk), {"gate": v.gates[1].pk, "kind": "entry"}
    )
    client = _client(v.operator)

    everything = client.get(_url(v.event, "checkin-log")).content.decode()
    only_ada = client.get(_url(v.event, "checkin-log"), {"q": "Ada"}).content.decode()
    refused = client.get(_url(v.event, "checkin-log"), {"result": "already_checked_in"}).content.decode()
    dashboard = client.get(_url(v.event, "checkin")).content.decode()

    def rows(html):
        return re.findall(r'data-result="([a-z_]+)"', html)

    assert rows(everything) == ["ok", "already_checked_in", "ok"]  # newest first
    assert "staff (manual)" in everything
    assert rows(only_ada) == ["already_checked_in", "ok"]
    assert rows(refused) == ["already_checked_in"]
    assert dashboard.count("data-scan=") == 3  # the latest scans survive a reload


def test_attendee_list_prints_valid_tickets_by_name():
    v = venue(devices=0)
    paid_tickets(event=v.event, ticket_type=v.regular, count=2, prefix="Zed")
    paid_tickets(event=v.event, ticket_type=v.vip, count=1, prefix="Amy")
    paid_tickets(event=v.event, ticket_type=v.vip, count=1, prefix="Unpaid", status=OrderStatus.PENDING)

    html = _client(v.operator).get(_url(v.event, "checkin-attendees")).content.decode()
    vip = _client(v.operator).get(_url(v.event, "checkin-attendees"), {"ticket_type": v.vip.pk}).content.decode()

    names = re.findall(r"<tr><td>☐</td><td>([^<]+)</td>", html)
    assert [n.split()[0] for n in names] == ["Amy", "Zed", "Zed"]
    assert "data-print" in html
    assert len(re.findall(r"<tr><td>☐</td>", vip)) == 1


def test_new_scanner_is_paired_by_a_qr_code_of_server_event_and_token():
    v = venue(devices=0)
    client = _client(v.owner)

    page = client.post(_url(v.event, "checkin-devices"), {"name": "Door phone"}, follow=True).content.decode()

    token = page.split('data-testid="device-token">')[1].split("<")[0]
    src = re.search(r'data-testid="pairing-qr" data-payload="([^"]+)"', page)
    img = re.search(r'<img class="pairing-qr" src="data:image/svg\+xml;base64,([^"]+)"', page)
    assert src is not None
    assert img is not None
    pairing = json.loads(src.group(1).replace("&quot;", '"'))
    assert pairing == {"eventhub_scanner": 1, "server": "http://testserver", "event": v.event.pk, "token": token}
    # the QR image is the code of exactly that payload
    assert base64.b64decode(img.group(1)) == ticket_qr_svg(payload=src.group(1).replace("&quot;", '"'))
    # and the token in it works on the scanner API
    config = Client().get(v.url("scanner/config"), HTTP_AUTHORIZATION=f"Device {pairing['token']}")
    assert config.status_code == 200
    with scopes_disabled():
        again = client.get(_url(v.event, "checkin-devices")).content.decode()
    assert "pairing-qr" not in again
