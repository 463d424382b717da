"""The public event page and its shop in a real browser at phone width (390 px), with
JavaScript switched off: the page renders the schedule, and a visitor signs in on the way and
gets a free ticket. Screenshots: var/screenshots/public-*.png."""

from decimal import Decimal

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from eventhub.testing.factories import UserFactory
from events.tests.agenda_world import build_world
from tests.browser.conftest import SCREENSHOTS
from ticketing.models import Order, Ticket
from ticketing.tests.factories import QuotaFactory, TicketTypeFactory

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long public password"


@pytest.fixture
def phone(page: Page) -> Page:
    """A 390 px wide phone without JavaScript, in the same browser as ``page``."""
    browser = page.context.browser
    assert browser is not None
    context = browser.new_context(
        viewport={"width": 390, "height": 844},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
        locale="en-US",
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_event_page_without_javascript_and_a_free_ticket_bought_on_a_phone(phone: Page, server, browser_passwords):
    world = build_world(
        name="PyCon Berlin",
        venue_name="bcc Berlin Congress Center",
        venue_address="Alexanderstraße 11\n10178 Berlin",
        description="Three days of talks, workshops and sprints about Python.",
    )
    event = world.event
    with scopes_disabled():
        free = TicketTypeFactory(event=event, name="Community", price=Decimal("0.00"), description="For everyone.")
        regular = TicketTypeFactory(event=event, name="Regular", price=Decimal("49.00"))
        QuotaFactory(event=event, name="Hall", size=300, ticket_types=[free, regular])
    visitor = UserFactory(email="visitor@example.org", password=PASSWORD)

    phone.goto(f"{server}/events/{event.pk}/")
    expect(phone).to_have_title("PyCon Berlin · EventHub")
    expect(phone.get_by_role("heading", name="PyCon Berlin", level=1)).to_be_visible()
    expect(phone.get_by_text("Tue 10 Jun 2031, 09:00")).to_be_visible()
    expect(phone.get_by_test_id("public-session").first).to_contain_text("Opening keynote")
    expect(phone.get_by_test_id("public-session").first).to_contain_text("Ada Lovelace")
    expect(phone.get_by_test_id("ticket-offer")).to_have_count(2)
    expect(phone.get_by_test_id("open-in-app")).to_have_attribute("href", f"/app/#/e/{event.pk}/agenda")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width} px"
    screenshot_phone(phone, "public-event")

    phone.get_by_role("link", name="Opening keynote").click()
    expect(phone.get_by_role("heading", name="Opening keynote")).to_be_visible()
    expect(phone.get_by_text("Welcome to the conference.")).to_be_visible()
    screenshot_phone(phone, "public-session")
    phone.get_by_role("link", name="Ada Lovelace").click()
    expect(phone.get_by_role("heading", name="Ada Lovelace")).to_be_visible()
    screenshot_phone(phone, "public-speaker")

    phone.goto(f"{server}/events/{event.pk}/")
    phone.get_by_role("link", name="Get tickets").click()
    expect(phone.get_by_role("heading", name="Tickets")).to_be_visible()
    phone.get_by_label("Community").select_option("1")
    screenshot_phone(phone, "public-shop")
    phone.get_by_role("button", name="Continue").click()

    expect(phone).to_have_url(f"{server}/accounts/login/?next=/events/{event.pk}/checkout/")
    phone.get_by_label("Email").fill("visitor@example.org")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Sign In").click()

    expect(phone).to_have_url(f"{server}/events/{event.pk}/checkout/")
    expect(phone.get_by_test_id("checkout-total")).to_have_text("Free")
    phone.get_by_label("Name", exact=True).fill("Vera Visitor")
    screenshot_phone(phone, "public-checkout")
    phone.get_by_role("button", name="Get my tickets").click()

    expect(phone.get_by_text("Your tickets are confirmed.")).to_be_visible()
    expect(phone.get_by_test_id("order")).to_have_attribute("data-status", "paid")
    expect(phone.get_by_test_id("open-tickets-in-app")).to_have_attribute("href", f"/app/#/e/{event.pk}/tickets")
    screenshot_phone(phone, "public-order")
    with scopes_disabled():
        order = Order.objects.get(user=visitor)
        assert order.status == "paid"
        assert [t.order_position.attendee_name for t in Ticket.objects.filter(order_position__order=order)] == [
            "Vera Visitor"
        ]

    phone.goto(f"{server}/portal/")
    expect(phone).to_have_url(f"{server}/my/events/")
    expect(phone.get_by_test_id("my-events")).to_contain_text("PyCon Berlin")
    screenshot_phone(phone, "public-my-events")


def screenshot_phone(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
