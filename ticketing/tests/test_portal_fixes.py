"""Regression tests for the ticketing bugs of issue 10 (3, 4, 6, 8, 9, 10, 11), through the
portal pages (Django test client). Each failed before its fix."""

import re
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_scopes import scopes_disabled

from eventhub.testing.factories import EventFactory, MemberFactory
from events.enums import MemberRole

from ..enums import PaymentStatus
from ..models import CheckIn, CheckInConfig, Gate, Order, OrderPosition, Payment, ScanLog, TicketType
from .checkin_helpers import paid_tickets, venue
from .test_portal import TICKET_TYPE

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


# --- bug 3: ISO 4217 from a list, one currency per event ------------------------------------------


def test_currency_is_a_select_of_iso_4217_codes_and_three_letters_are_refused(shop):
    client = _client(shop.owner)

    form = client.get(_url(shop.event, "ticket-type-create")).content.decode()
    refused = client.post(_url(shop.event, "ticket-type-create"), {**TICKET_TYPE, "currency": "DOL"})

    assert '<select name="currency"' in form
    assert '<option value="EUR" selected>EUR — Euro</option>' in form
    assert '<option value="JPY">JPY — Yen</option>' in form
    assert refused.status_code == 200
    with scopes_disabled():
        assert not TicketType.objects.filter(name="Student").exists()


def test_second_currency_in_one_event_is_refused(shop):
    response = _client(shop.owner).post(_url(shop.event, "ticket-type-create"), {**TICKET_TYPE, "currency": "USD"})

    assert response.status_code == 200
    assert "Every ticket type of this event is sold in EUR: one currency per event." in response.content.decode()
    with scopes_disabled():
        assert not TicketType.objects.filter(name="Student").exists()


def test_only_ticket_type_may_change_currency(db):
    with scopes_disabled():
        event = EventFactory()
        owner = MemberFactory(organization=event.organization, role=MemberRole.OWNER).user
        only = TicketType.objects.create(event=event, name="Only", price=Decimal("5.00"))

    response = _client(owner).post(
        _url(event, "ticket-type-edit", ticket_type_id=only.pk), {**TICKET_TYPE, "name": "Only", "currency": "CHF"}
    )

    assert response.status_code == 302
    with scopes_disabled():
        only.refresh_from_db()
    assert only.currency == "CHF"


# --- bug 4: the multiple-checkbox label before its checkboxes -----------------------------------


@pytest.mark.parametrize("page", ["quota-create", "checkin-gates"])
def test_ticket_types_label_comes_before_the_checkboxes(shop, page):
    html = _client(shop.owner).get(_url(shop.event, page)).content.decode()

    block = html[html.index('data-field="ticket_types"') :]
    legend = block.index("<legend>Ticket types</legend>")
    first_box = block.index('type="checkbox"')
    assert legend < first_box
    # no <label> wrapping the whole list (the single-checkbox layout)
    assert '<label for="id_ticket_types_0"><div' not in html


# --- bug 6: a pending order has nothing refundable ----------------------------------------------


def test_pending_order_shows_nothing_refundable(shop):
    with scopes_disabled():
        order = Order.objects.create(event=shop.event, email="p@example.org", total=Decimal("25.00"))
        OrderPosition.objects.create(
            order=order, ticket_type=shop.paid, price=Decimal("25.00"), attendee_name="P", attendee_email="p@x.org"
        )
        Payment.objects.create(order=order, amount=Decimal("25.00"), currency="EUR", status=PaymentStatus.PENDING)

    html = _client(shop.owner).get(_url(shop.event, "order", order_code=order.code)).content.decode()

    assert re.search(r'data-col="refundable">—<', html)
    assert 'id="refund"' not in html


# --- bug 8: device times and the live feed in the event's zone -----------------------------------


def test_device_times_and_latest_scans_are_in_the_event_zone():
    v = venue(devices=1, timezone="America/New_York")
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1)
    registered = datetime(2026, 3, 1, 15, 30, tzinfo=ZoneInfo("UTC"))
    scanned = timezone.now().replace(microsecond=0)
    with scopes_disabled():
        type(v.devices[0]).objects.filter(pk=v.devices[0].pk).update(created_at=registered, last_seen_at=registered)
        ScanLog.objects.create(event=v.event, ticket=ticket, gate=v.gates[0], result="ok", scanned_at=scanned)
    client = _client(v.owner)

    devices = client.get(_url(v.event, "checkin-devices")).content.decode()
    dashboard = client.get(_url(v.event, "checkin")).content.decode()

    assert '<td data-col="registered">1 Mar, 10:30</td>' in devices  # 15:30 UTC is 10:30 in New York
    assert ">1 Mar, 10:30</time>" in devices
    local = scanned.astimezone(ZoneInfo("America/New_York"))
    assert f'<span class="when">{local:%H:%M:%S}</span>' in dashboard
    assert 'data-timezone="America/New_York"' in dashboard  # the live feed's zone (static/js/checkin.js)


# --- bug 9: "opens at" entered in the event's zone -------------------------------------------------


def test_checkin_opens_at_is_entered_in_the_event_zone():
    v = venue(devices=0, timezone="Europe/Berlin")
    client = _client(v.owner)

    response = client.post(
        _url(v.event, "checkin-settings"),
        {"capacity": "", "alert_threshold_percent": "", "opens_at": "2026-07-01T08:00"},
    )
    form = client.get(_url(v.event, "checkin-settings")).content.decode()

    assert response.status_code == 302
    with scopes_disabled():
        opens_at = CheckInConfig.objects.get(event=v.event).opens_at
    assert opens_at == datetime(2026, 7, 1, 6, 0, tzinfo=ZoneInfo("UTC"))  # 08:00 CEST
    assert 'value="2026-07-01T08:00"' in form
    assert "Europe/Berlin" in form


# --- bug 10: manual check-in preselects a gate that admits the ticket -----------------------------


def test_manual_checkin_preselects_an_admitting_gate_then_the_operators_last():
    v = venue(gates=3, devices=0)  # Gate A, Gate B (all), Gate C (VIP only)
    with scopes_disabled():
        Gate.objects.filter(pk=v.gates[0].pk).update(name="Aa VIP only")
        v.gates[0].ticket_types.set([v.vip])
    (regular,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1, prefix="Rita")
    client = _client(v.operator)

    first = client.get(_url(v.event, "checkin-search"), {"q": "Rita"}).content.decode()
    client.post(_url(v.event, "checkin-manual", ticket_id=regular.pk), {"gate": v.gates[1].pk, "kind": "entry"})
    client.post(_url(v.event, "checkin-manual", ticket_id=regular.pk), {"gate": v.gates[1].pk, "kind": "exit"})
    (vip,) = paid_tickets(event=v.event, ticket_type=v.vip, count=1, prefix="Victor")
    with scopes_disabled():
        Gate.objects.filter(pk=v.gates[1].pk).update(name="Gate B")
    again = client.get(_url(v.event, "checkin-search"), {"q": "Victor"}).content.decode()

    assert f'<option value="{v.gates[1].pk}" selected>' in first  # Gate B admits Regular; "Aa VIP only" does not
    assert f'<option value="{v.gates[0].pk}" selected>' not in first
    assert f'<option value="{v.gates[1].pk}" selected>' in again  # the operator's last gate, admitting VIP too
    with scopes_disabled():
        assert CheckIn.objects.filter(ticket=regular, gate=v.gates[1]).count() == 2


# --- bug 11: revoke and reissue ask first ---------------------------------------------------------


def test_revoke_reissue_and_scanner_revoke_ask_for_confirmation():
    v = venue(devices=1)
    paid_tickets(event=v.event, ticket_type=v.regular, count=1, prefix="Carla")
    client = _client(v.owner)

    search = client.get(_url(v.event, "checkin-search"), {"q": "Carla"}).content.decode()
    devices = client.get(_url(v.event, "checkin-devices")).content.decode()

    forms = re.findall(r"<form [^>]*>", search)
    reissue = next(f for f in forms if "/reissue" in f)
    revoke = next(f for f in forms if "/revoke" in f)
    assert 'data-confirm="Reissue the ticket of Carla' in reissue
    assert 'data-confirm="Revoke the ticket of Carla' in revoke
    device_revoke = next(f for f in re.findall(r"<form [^>]*>", devices) if "/revoke" in f)
    assert "data-confirm=" in device_revoke


# --- check-in door: "opens at" in the refusal, operator override ----------------------------------


def test_not_yet_valid_names_the_opening_time_and_an_operator_may_override():
    v = venue(devices=0, timezone="Europe/Berlin", start_in=timedelta(days=2))
    opens = (
        (timezone.now() + timedelta(days=2))
        .astimezone(ZoneInfo("Europe/Berlin"))
        .replace(hour=8, minute=0, second=0, microsecond=0)
    )
    with scopes_disabled():
        CheckInConfig.objects.create(event=v.event, opens_at=opens)
    (ticket,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1, prefix="Early")
    client = _client(v.operator)
    url = _url(v.event, "checkin-manual", ticket_id=ticket.pk)

    refused = client.post(url, {"gate": v.gates[0].pk, "kind": "entry"}, follow=True).content.decode()
    admitted = client.post(url, {"gate": v.gates[0].pk, "kind": "entry", "override": "on"}, follow=True)

    assert f"check-in opens at {opens:%d %b %Y, 08:00}." in refused
    assert f"{ticket.attendee_name} checked in." in admitted.content.decode()
    with scopes_disabled():
        assert CheckIn.objects.filter(ticket=ticket).count() == 1
        assert list(ScanLog.objects.filter(ticket=ticket).values_list("result", flat=True).order_by("id")) == [
            "not_yet_valid",
            "ok",
        ]
