"""The ticketing exports (orders, attendees/tickets, check-ins) as CSV and XLSX, parsed back
with the csv module and openpyxl; they stream (``streaming_content``), read one query per
export whatever the number of rows, give times in the event's zone, and answer 404 to members
without the permission and to other tenants."""

import csv
import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from openpyxl import load_workbook

from eventhub.testing.factories import EventFactory, MemberFactory
from events.enums import MemberRole

from ..models import CheckIn, Gate
from .checkin_helpers import paid_tickets
from .factories import TicketTypeFactory

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _portal_settings(page_settings):
    pass


@pytest.fixture
def sold():
    with scopes_disabled():
        event = EventFactory(timezone="Europe/Berlin")
        owner = MemberFactory(organization=event.organization, role=MemberRole.OWNER).user
        regular = TicketTypeFactory(event=event, name="Regular", price=Decimal("50.00"))
        tickets = paid_tickets(event=event, ticket_type=regular, count=3)
        gate = Gate.objects.create(event=event, name="North")
        CheckIn.objects.create(
            event=event, ticket=tickets[0], gate=gate, scanned_at=datetime(2031, 6, 10, 8, 55, tzinfo=BERLIN)
        )
    return type("Sold", (), {"event": event, "owner": owner, "tickets": tickets, "gate": gate})


def url(event, name: str) -> str:
    return reverse(f"ticketing:{name}", kwargs={"organization": event.organization.slug, "event": event.slug})


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def csv_rows(response) -> list[list[str]]:
    assert response.streaming
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    assert response.streaming
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_orders_export_as_csv_and_xlsx(sold):
    owner = client_of(sold.owner)
    with scopes_disabled():
        order = sold.tickets[0].order_position.order

    rows = csv_rows(owner.get(url(sold.event, "export-orders-csv")))
    sheet = xlsx_rows(owner.get(url(sold.event, "export-orders-xlsx")))

    assert rows[0] == ["code", "status", "email", "total", "currency", "created", "paid", "cancelled"]
    assert rows[1][:5] == [order.code, "paid", "buyer@example.org", "150.00", "EUR"]
    assert rows[1][5].endswith(("+02:00", "+01:00"))  # in the event's zone
    assert len(rows) == 2
    assert sheet[0] == rows[0]
    assert sheet[1][:5] == [order.code, "paid", "buyer@example.org", 150, "EUR"]
    assert isinstance(sheet[1][5], datetime)


def test_attendees_export_lists_every_ticket(sold):
    rows = csv_rows(client_of(sold.owner).get(url(sold.event, "export-attendees-csv")))

    assert rows[0] == ["ticket", "attendee", "email", "ticket_type", "order", "order_status", "revoked", "issued"]
    assert [(r[0], r[1], r[3], r[6]) for r in rows[1:]] == [
        (str(t.pk), t.attendee_name, "Regular", "false") for t in sold.tickets
    ]


def test_checkins_export_gives_scan_times_in_the_events_zone(sold):
    owner = client_of(sold.owner)

    rows = csv_rows(owner.get(url(sold.event, "export-checkins-csv")))
    sheet = xlsx_rows(owner.get(url(sold.event, "export-checkins-xlsx")))

    assert rows[0] == ["checkin", "ticket", "attendee", "kind", "gate", "device", "by", "scanned", "undone"]
    assert rows[1][1:5] == [str(sold.tickets[0].pk), sold.tickets[0].attendee_name, "entry", "North"]
    assert rows[1][7] == "2031-06-10T08:55:00+02:00"
    assert sheet[1][7] == datetime(2031, 6, 10, 8, 55)  # wall-clock time in Berlin


def test_an_export_reads_one_query_whatever_its_size(sold):
    owner = client_of(sold.owner)
    with scopes_disabled():
        ticket_type = sold.tickets[0].order_position.ticket_type

    def queries_for_export() -> int:
        response = owner.get(url(sold.event, "export-attendees-csv"))
        with CaptureQueriesContext(connection) as queries:
            rows = list(response.streaming_content)
        assert rows
        return len(queries.captured_queries)

    small = queries_for_export()
    paid_tickets(event=sold.event, ticket_type=ticket_type, count=40)
    large = queries_for_export()

    assert small == large == 1


def test_a_cell_that_looks_like_a_formula_is_exported_as_text(sold):
    with scopes_disabled():
        ticket = sold.tickets[1]
        ticket.attendee_name = '=HYPERLINK("http://evil")'
        ticket.save()

    rows = csv_rows(client_of(sold.owner).get(url(sold.event, "export-attendees-csv")))

    assert rows[2][1] == '\'=HYPERLINK("http://evil")'


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("editor", {"orders": 200, "attendees": 200, "checkins": 404}),
        ("operator", {"orders": 200, "attendees": 200, "checkins": 200}),
        ("analyst", {"orders": 200, "attendees": 200, "checkins": 200}),
    ],
)
def test_exports_follow_the_sales_and_checkin_permissions(sold, role, expected):
    member = client_of(MemberFactory(organization=sold.event.organization, role=role).user)

    answers = {name: member.get(url(sold.event, f"export-{name}-csv")).status_code for name in expected}

    assert answers == expected


def test_another_organizations_owner_gets_a_404(sold):
    stranger = client_of(MemberFactory(role=MemberRole.OWNER).user)

    answers = {
        name: stranger.get(url(sold.event, name)).status_code
        for name in ("export-orders-csv", "export-orders-xlsx", "export-attendees-xlsx", "export-checkins-csv")
    }

    assert set(answers.values()) == {404}
