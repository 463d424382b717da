"""A ticket bought in the attendee app through the web checkout (Stripe Checkout, against the
Stripe stand-in of the ticketing tests in front of localstripe) appears in the app with its QR,
and the QR decodes to a payload the scan API accepts. Screenshot: var/screenshots/app-20-*.png."""

import json
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, Route, expect

from eventhub.testing.factories import EventFactory, MemberFactory, UserFactory
from eventhub.testing.live import daphne, session_token_for
from events.enums import MemberRole
from events.models import Participant
from ticketing.models import Order, Quota, TicketType
from ticketing.tests.conftest import localstripe_url, stripe_front  # noqa: F401
from ticketing.tests.stripe_events import WEBHOOK_SECRET, sign, stripe_event

from .test_app_browser import _decode_qr, _shot, _signed_in

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(tmp_path, transactional_db, _collected_static, stripe_front):  # noqa: F811
    stripe_front.reset()
    with daphne(
        tmp_path,
        DJANGO_ALLOW_ASYNC_UNSAFE="",
        STRIPE_API_BASE=stripe_front.url,
        STRIPE_SECRET_KEY="sk_test_eventhub",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    ) as url:
        yield url


def stripe_pays(page: Page, server: str, front, name: str) -> list[str]:
    """Route Stripe's hosted checkout page: paying there completes the Checkout Session, Stripe
    delivers ``checkout.session.completed`` to our webhook (signed), and the page says "Paid".
    Returns the list that collects each paid session's success URL."""
    paid: list[str] = []

    def stripe_checkout(route: Route) -> None:
        session = front.checkout_sessions[route.request.url.rsplit("/", 1)[-1]]
        completed = {**session, "payment_status": "paid", "status": "complete", "payment_intent": f"pi_{name}"}
        payload = stripe_event(event_id=f"evt_{name}", type="checkout.session.completed", obj=completed)
        answer = httpx.post(
            f"{server}/api/v1/stripe/webhook",
            content=payload,
            headers={"Stripe-Signature": sign(payload), "Content-Type": "application/json"},
            timeout=30,
        )
        assert answer.json() == {"status": "processed"}
        paid.append(session["success_url"])
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Paid</title><p>Paid.</p>")

    page.route("https://checkout.stripe.test/**", stripe_checkout)
    return paid


def test_ticket_bought_through_the_web_checkout_appears_in_the_app_and_scans(
    page: Page,
    server,
    stripe_front,  # noqa: F811
):
    start = timezone.now() + timedelta(hours=1)
    with scopes_disabled():
        event = EventFactory(name="Acme Conf", start=start, end=start + timedelta(hours=8))
        owner = MemberFactory(organization=event.organization, role=MemberRole.OWNER).user
        regular = TicketType.objects.create(event=event, name="Regular", price=Decimal("30.00"))
        Quota.objects.create(event=event, name="Hall", size=50).ticket_types.set([regular])
        buyer = UserFactory(email="bea@example.org")
        Participant.objects.create(event=event, user=buyer, kind="attendee")

    _signed_in(page, server, buyer, f"/e/{event.pk}/buy")
    expect(page.get_by_role("radio", name="Regular · €30.00")).to_be_checked()
    page.get_by_label("Name on the ticket").fill("Bea Buyer")

    # Stripe's checkout page: the buyer pays there and Stripe tells our server by its webhook.
    paid = stripe_pays(page, server, stripe_front, "app_1")
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_title("Paid")
    (success_url,) = paid
    assert success_url.startswith(f"{server}/app/#/e/{event.pk}/tickets")

    page.goto(success_url)  # Stripe sends the buyer back into the app
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    page.get_by_role("link", name="Show QR code of Regular").click()
    expect(page.locator("#qr")).to_be_visible()
    _shot(page, "20-web-checkout-ticket")
    with scopes_disabled():
        assert Order.objects.get(user=buyer).status == "paid"

    scan = httpx.post(
        f"{server}/api/v1/events/{event.pk}/scanner/scan",
        content=json.dumps({"payload": _decode_qr(page)}),
        headers={"X-Session-Token": session_token_for(owner), "Content-Type": "application/json"},
        timeout=30,
    )
    assert scan.json()["result"] == "ok"
