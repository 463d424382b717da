"""From the public pages into the app, in a real browser at 390 px: a visitor signs in on the
public event page, gets a free ticket there and a paid one through the web shop's checkout
(Stripe Checkout against the Stripe stand-in of the ticketing tests, its webhook signed), then
opens the attendee app as the same person and finds both tickets with their QR codes.
Screenshots: var/screenshots/app-30-*.png."""

from decimal import Decimal

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from eventhub.testing.factories import UserFactory
from events.tests.agenda_world import build_world
from ticketing.models import Order
from ticketing.tests.conftest import localstripe_url, stripe_front  # noqa: F401
from ticketing.tests.factories import QuotaFactory, TicketTypeFactory

from .test_app_browser import PHONE, _decode_qr, _shot, _signed_in
from .test_app_checkout_browser import server, stripe_pays  # noqa: F401 (the server with Stripe's stand-in)

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]

PASSWORD = "a long public password"


def _buy(page: Page, base: str, event_id: int, ticket: str) -> None:
    page.goto(f"{base}/events/{event_id}/")
    page.get_by_role("link", name="Get tickets").click()
    expect(page.get_by_role("heading", name="Tickets")).to_be_visible()
    page.get_by_label(ticket).select_option("1")
    page.get_by_role("button", name="Continue").click()


def test_free_and_paid_tickets_from_the_public_page_both_appear_in_the_app(
    page: Page,
    server,  # noqa: F811
    browser_passwords,
    stripe_front,  # noqa: F811
):
    event = build_world(name="PyCon Berlin").event
    with scopes_disabled():
        free = TicketTypeFactory(event=event, name="Community", price=Decimal("0.00"))
        regular = TicketTypeFactory(event=event, name="Regular", price=Decimal("49.00"))
        QuotaFactory(event=event, name="Hall", size=300, ticket_types=[free, regular])
    visitor = UserFactory(email="visitor@example.org", password=PASSWORD)
    page.set_viewport_size(PHONE)

    # The free one: the shop asks for a sign-in on the way and confirms at once.
    _buy(page, server, event.pk, "Community")
    expect(page).to_have_url(f"{server}/accounts/login/?next=/events/{event.pk}/checkout/")
    page.get_by_label("Email").fill("visitor@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_test_id("checkout-total")).to_have_text("Free")
    page.get_by_label("Name", exact=True).fill("Vera Visitor")
    page.get_by_role("button", name="Get my tickets").click()
    expect(page.get_by_test_id("order")).to_have_attribute("data-status", "paid")

    # The paid one: Stripe's hosted checkout (routed here) is paid, and Stripe tells our server
    # by its signed webhook before it sends the buyer back.
    paid = stripe_pays(page, server, stripe_front, "public_1")
    _buy(page, server, event.pk, "Regular")
    expect(page.get_by_test_id("checkout-total")).to_contain_text("49.00")
    page.get_by_label("Name", exact=True).fill("Vera Visitor")
    page.get_by_role("button", name="Pay").click()
    expect(page).to_have_title("Paid")
    (success_url,) = paid
    assert success_url.startswith(f"{server}/events/{event.pk}/orders/")
    page.goto(success_url)
    expect(page.get_by_test_id("order")).to_have_attribute("data-status", "paid")
    with scopes_disabled():
        assert sorted(o.status for o in Order.objects.filter(user=visitor)) == ["paid", "paid"]

    # The same person in the app (a token as after the app's login): both tickets, each a QR.
    _signed_in(page, server, visitor, f"/e/{event.pk}/tickets")
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    expect(page.get_by_role("link", name="Show QR code of Community")).to_be_visible()
    expect(page.get_by_role("link", name="Show QR code of Regular")).to_be_visible()
    _shot(page, "30-public-tickets-in-app")
    payloads = set()
    for name in ("Community", "Regular"):
        page.goto(f"{server}/app/#/e/{event.pk}/tickets")
        page.get_by_role("link", name=f"Show QR code of {name}").click()
        expect(page.locator("#qr")).to_be_visible()
        _shot(page, f"30-public-{name.lower()}-qr")
        payloads.add(_decode_qr(page))
    assert len(payloads) == 2, "two tickets, two different QR payloads"
