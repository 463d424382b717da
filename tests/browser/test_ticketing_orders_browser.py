"""Order management in a real browser (chromium) against a real daphne and localstripe: a card
order is found by the filters, its PDF ticket downloaded (a PDF holding the order code), then it
is cancelled with a refund (the confirmation dialog accepted) and its timeline shows what
happened; the orders search sits beside its input; and at 390 px no ticketing page scrolls
sideways. Screenshots: var/screenshots/portal-tickets-*.png."""

import re
import zlib
from datetime import timedelta
from decimal import Decimal

import httpx
import pytest
import stripe
from django.utils import timezone
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from eventhub.testing.factories import EventFactory, MemberFactory, OrganizationFactory, UserFactory
from eventhub.testing.live import session_token_for
from events.enums import MemberRole
from ticketing.models import Gate, Order, Quota, TicketType
from ticketing.services.checkin import checkin_manual
from ticketing.tests.conftest import localstripe_url, pay_with_test_card  # noqa: F401
from ticketing.tests.stripe_events import sign, stripe_event

from .test_ticketing_browser import server  # noqa: F401 (daphne with the Stripe stand-in)

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def _pdf_text(pdf: bytes) -> bytes:
    out = b""
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out += zlib.decompress(raw)
        except zlib.error:
            out += raw
    return out


def _world(server_url: str):  # noqa: ARG001 (the server is up first)
    owner = UserFactory(email="olivia@example.org")
    organization = OrganizationFactory(name="Acme Events", slug="acme")
    MemberFactory(organization=organization, user=owner, role=MemberRole.OWNER)
    start = timezone.now() + timedelta(hours=2)
    event = EventFactory(
        organization=organization, name="Acme Conf", slug="acme-conf", start=start, end=start + timedelta(hours=8)
    )
    with scopes_disabled():
        regular = TicketType.objects.create(event=event, name="Regular", price=Decimal("30.00"))
        quota = Quota.objects.create(event=event, name="Hall", size=50)
        quota.ticket_types.set([regular])
        Gate.objects.create(event=event, name="Main entrance")
    return owner, event, regular


def _buy_by_card(server_url: str, event, ticket_type, buyer) -> str:
    # Generous timeouts: the machine is shared; the answers are checked, not their speed.
    api = httpx.Client(base_url=server_url, headers={"X-Session-Token": session_token_for(buyer)}, timeout=60)
    created = api.post(
        f"/api/v1/events/{event.pk}/orders",
        json={
            "positions": [{"ticket_type": ticket_type.pk, "attendee_name": "Bob Builder", "attendee_email": "b@x.org"}]
        },
    ).json()
    intent = pay_with_test_card(created["payment"]["payment_intent"])
    payload = stripe_event(event_id=f"evt_{created['code']}", type="payment_intent.succeeded", obj=intent.to_dict())
    answer = httpx.post(
        f"{server_url}/api/v1/stripe/webhook",
        content=payload,
        headers={"Stripe-Signature": sign(payload), "Content-Type": "application/json"},
        timeout=60,
    )
    assert answer.json() == {"status": "processed"}
    return created["code"]


def test_order_cancelled_with_refund_its_timeline_and_pdf_ticket(page: Page, server, screenshot):  # noqa: F811
    owner, event, regular = _world(server)
    code = _buy_by_card(server, event, regular, UserFactory(email="bob@example.org"))
    page.context.add_cookies([{"name": "sessionid", "value": session_token_for(owner), "url": server}])

    page.goto(f"{server}/portal/acme/events/acme-conf/tickets/orders/")
    search, button = page.get_by_label("Search orders"), page.get_by_role("button", name="Search")
    box, button_box = search.bounding_box(), button.bounding_box()
    assert box is not None
    assert button_box is not None
    assert button_box["y"] < box["y"] + box["height"]  # beside the inputs, not glued under one (bug 12)
    page.get_by_label("Status").select_option("paid")
    page.get_by_label("Payment").select_option("stripe")
    button.click()
    expect(page.locator(f"tr[data-order='{code}'] .badge.paid")).to_have_text("Paid")
    screenshot("portal-tickets-01-orders-filtered")
    page.get_by_role("link", name=code).click()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download tickets (PDF)").click()
    pdf = open(download_info.value.path(), "rb").read()  # noqa: PTH123, SIM115 (Playwright's temp file)
    assert pdf.startswith(b"%PDF-")
    assert code.encode() in _pdf_text(pdf)
    assert download_info.value.suggested_filename == f"tickets-{code}.pdf"

    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    cancel = page.locator("#cancel")
    expect(cancel.get_by_label("Refund the payment")).to_be_checked()
    cancel.get_by_label("Reason").fill("Event moved")
    cancel.get_by_role("button", name="Cancel order").click()
    expect(page.get_by_text(f"Order {code} cancelled.")).to_be_visible()
    expect(page.get_by_test_id("order-status")).to_have_text("Cancelled")
    timeline = page.locator("#timeline")
    expect(timeline).to_contain_text("Order placed by bob@example.org")
    expect(timeline).to_contain_text("Payment received: 30.00 EUR (Stripe)")
    expect(timeline).to_contain_text("Refunded 30.00 EUR · olivia@example.org")
    expect(timeline).to_contain_text("Cancelled · olivia@example.org")
    expect(page.locator("#positions")).to_contain_text("revoked")
    screenshot("portal-tickets-02-order-cancelled-timeline")
    assert dialogs == ["Cancel this order? Its tickets stop admitting."]

    with scopes_disabled():
        order = Order.objects.get(code=code)
        intent_id = order.payments.get().stripe_payment_intent_id
    assert order.status == "cancelled"
    assert [(r.amount, r.status) for r in stripe.Refund.list(payment_intent=intent_id).data] == [(3000, "succeeded")]


TICKETING_PAGES = [
    ("sales", "tickets/"),
    ("types", "tickets/types/"),
    ("type-new", "tickets/types/new"),
    ("quotas", "tickets/quotas/"),
    ("quota-new", "tickets/quotas/new"),
    ("vouchers", "tickets/vouchers/"),
    ("orders", "tickets/orders/"),
    ("order", "tickets/orders/{code}/"),
    ("checkin", "checkin/"),
    ("checkin-log", "checkin/log"),
    ("checkin-attendees", "checkin/attendees"),
    ("checkin-gates", "checkin/gates/"),
    ("checkin-devices", "checkin/devices/"),
    ("checkin-settings", "checkin/settings"),
]


def test_ticketing_pages_at_390_px_do_not_scroll_sideways(page: Page, server, screenshot):  # noqa: F811
    owner, event, regular = _world(server)
    code = _buy_by_card(server, event, regular, UserFactory(email="bob@example.org"))
    with scopes_disabled():
        ticket = Order.objects.get(code=code).positions.get().ticket
        checkin_manual(actor=owner, event=event, ticket=ticket, gate=event.gates.get(), kind="entry")
    page.context.add_cookies([{"name": "sessionid", "value": session_token_for(owner), "url": server}])
    page.set_viewport_size({"width": 390, "height": 844})

    wide = {}
    urls = [(name, f"{server}/portal/acme/events/acme-conf/{path.format(code=code)}") for name, path in TICKETING_PAGES]
    for name, url in [*urls, ("payments", f"{server}/portal/acme/payments/")]:
        page.goto(url)
        expect(page.locator("main")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[name] = width
        screenshot(f"portal-tickets-390-{name}")
    assert wide == {}
