"""The go-live checklist on the event dashboard (issue 10, gap 1): what is missing before
attendees can see the event, buy and get in, each with the link that fixes it; ticketing's
checks arrive through the registry (``eventhub.checklist``); the public addresses once live."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from events.enums import EventStatus, EventVisibility
from events.models import DisplayLink, Event
from events.services.agenda import session_create
from events.services.schedule import schedule_publish
from ticketing.models import Gate, PaymentSettings, TicketType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _portal_settings(page_settings):
    pass


def dashboard(client) -> str:
    return client.get(reverse("portal:event", kwargs={"organization": "acme", "event": "acme-conf"})).content.decode()


def checks(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-check="([\w.]+)" data-done="([01])"', html))


def draft(event: Event) -> None:
    with scopes_disabled():
        Event.objects.filter(pk=event.pk).update(status=EventStatus.DRAFT)


def test_new_event_lists_everything_missing_with_links_to_fix_it(logged_in, agenda_event):
    draft(agenda_event)

    html = dashboard(logged_in)

    assert checks(html) == {
        "agenda.rooms": "0",
        "agenda.sessions": "0",
        "agenda.conflicts": "1",
        "agenda.published": "0",
        "event.published": "0",
        "tickets.types": "0",
        "checkin.gates": "0",
        "checkin.devices": "0",
        "checkin.settings": "0",
    }
    assert "Before attendees can come: 6 things to do" in html
    assert 'href="/portal/acme/events/acme-conf/agenda/rooms/new"' in html
    assert 'href="/portal/acme/events/acme-conf/tickets/types/new"' in html
    assert 'href="/portal/acme/events/acme-conf/checkin/gates/"' in html
    assert 'data-testid="public-urls"' not in html


def test_paid_ticket_types_without_a_payment_method_are_flagged(logged_in, agenda_event, settings):
    settings.STRIPE_SECRET_KEY = ""
    TicketType.objects.create(event=agenda_event, name="Regular", price=Decimal("25.00"))
    TicketType.objects.create(event=agenda_event, name="Free", price=Decimal("0"))

    html = dashboard(logged_in)

    assert checks(html)["tickets.payments"] == "0"
    assert "1 paid ticket type cannot be sold: no payment method is configured." in html


def test_paid_ticket_types_with_payments_set_up_pass(logged_in, agenda_event, settings):
    settings.STRIPE_SECRET_KEY = "sk_test_configured"
    TicketType.objects.create(event=agenda_event, name="Regular", price=Decimal("25.00"))

    assert checks(dashboard(logged_in))["tickets.payments"] == "1"


def test_a_manual_payment_method_alone_lets_paid_ticket_types_sell(logged_in, agenda_event, settings):
    settings.STRIPE_SECRET_KEY = ""
    TicketType.objects.create(event=agenda_event, name="Regular", price=Decimal("25.00"))
    PaymentSettings.objects.create(organization=agenda_event.organization, bank_transfer_enabled=True)

    assert checks(dashboard(logged_in))["tickets.payments"] == "1"


def test_event_set_up_and_published_is_ready_and_shows_its_public_addresses(logged_in, owner, agenda_event, hall_a):
    with scopes_disabled():
        session_create(
            actor=owner,
            event=agenda_event,
            title="Opening",
            start=agenda_event.start,
            end=agenda_event.start + timedelta(hours=1),
            room=hall_a,
        )
        schedule_publish(actor=owner, event=agenda_event)
        TicketType.objects.create(event=agenda_event, name="Free", price=Decimal("0"))
        Gate.objects.create(event=agenda_event, name="North")
        Event.objects.filter(pk=agenda_event.pk).update(status=EventStatus.PUBLISHED)
        link = DisplayLink.objects.create(event=agenda_event, name="Hall A door", room=hall_a)

    html = dashboard(logged_in)

    assert "Ready for attendees" in html
    assert {key for key, done in checks(html).items() if done == "0"} == {"checkin.devices", "checkin.settings"}
    assert f"http://testserver/displays/{link.token}" in html
    assert f"http://testserver/api/v1/events/{agenda_event.pk}" in html
    assert f"http://testserver/events/{agenda_event.pk}/" in html


def test_private_event_gets_advice_not_a_blocker(logged_in, agenda_event):
    draft(agenda_event)
    with scopes_disabled():
        Event.objects.filter(pk=agenda_event.pk).update(visibility=EventVisibility.PRIVATE)

    html = dashboard(logged_in)

    assert checks(html)["event.visibility"] == "0"
    assert "Before attendees can come: 6 things to do" in html


def test_unpublished_changes_and_conflicts_keep_the_agenda_item_open(logged_in, owner, agenda_event, hall_a):
    with scopes_disabled():
        session_create(
            actor=owner,
            event=agenda_event,
            title="Opening",
            start=agenda_event.start,
            end=agenda_event.start + timedelta(hours=1),
            room=hall_a,
        )
        schedule_publish(actor=owner, event=agenda_event)
        session_create(
            actor=owner,
            event=agenda_event,
            title="Second",
            start=agenda_event.start + timedelta(hours=2),
            end=agenda_event.start + timedelta(hours=3),
            room=hall_a,
        )
        Event.objects.filter(pk=agenda_event.pk).update(start=agenda_event.start + timedelta(minutes=30))

    html = dashboard(logged_in)

    assert (checks(html)["agenda.published"], checks(html)["agenda.conflicts"]) == ("0", "0")
    assert "Version 1 is out; 1 change is not published yet." in html
    assert "1 conflict blocks publishing." in html


def test_tickets_tab_shows_the_open_ticket_and_check_in_items(logged_in, agenda_event, settings):
    settings.STRIPE_SECRET_KEY = ""
    TicketType.objects.create(event=agenda_event, name="Regular", price=Decimal("25.00"))

    html = logged_in.get(
        reverse("ticketing:sales", kwargs={"organization": "acme", "event": "acme-conf"})
    ).content.decode()

    assert re.findall(r'data-check="([\w.]+)"', html) == [
        "tickets.payments",
        "checkin.gates",
        "checkin.devices",
        "checkin.settings",
    ]
    assert "1 paid ticket type cannot be sold: no payment method is configured." in html
