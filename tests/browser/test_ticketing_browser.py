"""Ticketing in the portal, in a real browser against a real daphne (Stripe: localstripe):
create a ticket type (a form error first) and a quota, sell a ticket through the API with a
real PaymentIntent and a signed webhook, see it in the sales overview, find the order by the
attendee's name and refund part of it. Screenshots land in var/screenshots/."""

import httpx
import pytest
import stripe
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from eventhub.testing.factories import EventFactory, MemberFactory, OrganizationFactory, UserFactory
from eventhub.testing.live import daphne, session_token_for
from events.enums import MemberRole
from ticketing.models import Order
from ticketing.tests.conftest import localstripe_url, pay_with_test_card  # noqa: F401
from ticketing.tests.stripe_events import WEBHOOK_SECRET, sign, stripe_event

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(tmp_path, transactional_db, _collected_static, localstripe_url, monkeypatch):  # noqa: F811
    monkeypatch.setattr(stripe, "api_base", localstripe_url)
    monkeypatch.setattr(stripe, "api_key", "sk_test_eventhub")
    with daphne(
        tmp_path,
        DJANGO_ALLOW_ASYNC_UNSAFE="",
        STRIPE_API_BASE=localstripe_url,
        STRIPE_SECRET_KEY="sk_test_eventhub",
        STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
    ) as url:
        yield url


def test_catalogue_sale_overview_and_refund(page: Page, server, screenshot):
    owner = UserFactory(email="olivia@example.org")
    organization = OrganizationFactory(name="Acme Events", slug="acme")
    MemberFactory(organization=organization, user=owner, role=MemberRole.OWNER)
    event = EventFactory(organization=organization, name="Acme Conf", slug="acme-conf")
    buyer = UserFactory(email="bob@example.org")
    page.context.add_cookies([{"name": "sessionid", "value": session_token_for(owner), "url": server}])

    page.goto(f"{server}/portal/acme/events/acme-conf/")
    page.get_by_role("link", name="Tickets").click()
    expect(page.get_by_role("heading", name="Tickets · Acme Conf")).to_be_visible()
    page.get_by_role("link", name="Ticket types").click()
    page.get_by_role("link", name="New ticket type").click()
    page.get_by_label("Name").fill("Regular")
    page.get_by_label("Price").fill("-1")
    page.get_by_label("Currency").select_option("EUR")
    page.get_by_role("button", name="Save ticket type").click()
    expect(page.get_by_text("Ensure this value is greater than or equal to 0.")).to_be_visible()
    screenshot("ticketing-01-ticket-type-error")
    page.get_by_label("Price").fill("30.00")
    page.get_by_role("button", name="Save ticket type").click()
    expect(page.get_by_text("Ticket type “Regular” saved.")).to_be_visible()
    expect(page.locator("#ticket-types")).to_contain_text("none (not on sale)")
    screenshot("ticketing-02-ticket-types")

    page.get_by_role("link", name="Quotas").click()
    page.get_by_role("link", name="New quota").click()
    page.get_by_label("Name").fill("Hall")
    page.get_by_label("Size").fill("50")
    page.get_by_label("Regular").check()
    page.get_by_role("button", name="Save quota").click()
    expect(page.get_by_text("Quota “Hall (50)” saved.")).to_be_visible()

    # A phone buys one ticket: PaymentIntent, card 4242…, then Stripe's signed webhook.
    with scopes_disabled():
        ticket_type_id = event.ticket_types.get(name="Regular").pk
    api = httpx.Client(base_url=server, headers={"X-Session-Token": session_token_for(buyer)})
    created = api.post(
        f"/api/v1/events/{event.pk}/orders",
        json={
            "positions": [{"ticket_type": ticket_type_id, "attendee_name": "Bob Builder", "attendee_email": "b@x.org"}]
        },
    ).json()
    intent = pay_with_test_card(created["payment"]["payment_intent"])
    payload = stripe_event(event_id="evt_browser", type="payment_intent.succeeded", obj=intent.to_dict())
    webhook = httpx.post(
        f"{server}/api/v1/stripe/webhook",
        content=payload,
        headers={"Stripe-Signature": sign(payload), "Content-Type": "application/json"},
    )
    assert webhook.json() == {"status": "processed"}

    page.get_by_role("link", name="Sales overview").click()
    row = page.locator("#quota-sales tr[data-quota='Hall']")
    expect(row.locator("[data-col='sold']")).to_have_text("1")
    expect(row.locator("[data-col='available']")).to_have_text("49")
    expect(page.get_by_test_id("revenue-EUR")).to_have_text("30.00 EUR")
    screenshot("ticketing-03-sales-overview")

    page.get_by_role("link", name="Orders").click()
    page.get_by_label("Search orders").fill("Bob Build")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=created["code"]).click()
    expect(page.get_by_test_id("order-status")).to_have_text("Paid")
    page.on("dialog", lambda dialog: dialog.accept())  # the refund asks first (data-confirm)
    refund = page.locator("#refund")
    refund.get_by_label("Amount").fill("10.00")
    refund.get_by_label("Reason").fill("Goodwill")
    refund.get_by_role("button", name="Refund").click()
    expect(page.get_by_text("Refunded 10.00 EUR.")).to_be_visible()
    expect(page.get_by_test_id("order-status")).to_have_text("Partially refunded")
    screenshot("ticketing-04-order-refunded")

    assert [(r.amount, r.status) for r in stripe.Refund.list(payment_intent=intent.id).data] == [(1000, "succeeded")]
    with scopes_disabled():
        assert Order.objects.get(code=created["code"]).status == "partially_refunded"
