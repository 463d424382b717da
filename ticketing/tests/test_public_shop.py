"""The web shop on the public event page, through plain HTTP (forms, redirects, no JavaScript):
the tickets block, the cart, a free order confirmed at once, a paid one through the Stripe
Checkout Session stand-in and its webhook, and the limits the API keeps."""

import re

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from ticketing.enums import OrderStatus
from ticketing.models import Order, PaymentSettings, Ticket

from .conftest import deliver
from .stripe_events import stripe_event

pytestmark = pytest.mark.django_db


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _orders(user) -> list[Order]:
    with scopes_disabled():
        return list(Order.objects.filter(user=user).order_by("pk"))


def _fill_cart(client: Client, shop, **quantities: int):
    data = {f"quantity_{getattr(shop, name).pk}": str(n) for name, n in quantities.items()}
    return client.post(f"/events/{shop.event.pk}/tickets/", data)


def _checkout(client: Client, shop, *, count: int, **extra: str):
    data = {"email": "buyer@example.org", **extra}
    for i in range(count):
        data.update({f"name_{i}": f"Guest {i}", f"email_{i}": f"guest{i}@example.org"})
    return client.post(f"/events/{shop.event.pk}/checkout/", data)


def test_event_page_lists_ticket_types_with_prices_and_availability(shop):
    html = Client().get(f"/events/{shop.event.pk}/").content.decode()

    offers = re.findall(r'data-testid="ticket-offer">(.*?)</li>', html, re.S)
    assert len(offers) == 2
    assert "Community" in offers[0] or "Community" in offers[1]
    assert "50.00 EUR" in html
    assert "Free" in html
    assert html.count("5 left") == 2
    assert f'href="/events/{shop.event.pk}/tickets/"' in html


def test_free_ticket_is_confirmed_at_once_without_javascript(shop):
    client = _signed_in(shop.buyer)

    cart = _fill_cart(client, shop, free=2)
    page = client.get(f"/events/{shop.event.pk}/checkout/")
    placed = _checkout(client, shop, count=2)
    [order] = _orders(shop.buyer)
    shown = client.get(placed["Location"])

    assert cart.status_code == 302
    assert cart["Location"] == f"/events/{shop.event.pk}/checkout/"
    assert page.status_code == 200
    assert b'data-testid="checkout-total">Free<' in page.content
    assert placed.status_code == 302
    assert placed["Location"] == f"/events/{shop.event.pk}/orders/{order.code}/"
    assert order.status == OrderStatus.PAID
    assert order.email == "buyer@example.org"
    with scopes_disabled():
        assert sorted(t.order_position.attendee_name for t in Ticket.objects.filter(order_position__order=order)) == [
            "Guest 0",
            "Guest 1",
        ]
    assert b"Your tickets are confirmed." in shown.content
    assert f'href="/app/#/e/{shop.event.pk}/tickets"'.encode() in shown.content
    # the cart is empty again
    assert b"Your cart is empty." in client.get(f"/events/{shop.event.pk}/checkout/").content


def test_paid_ticket_goes_through_the_checkout_session_and_its_webhook(shop, fake_stripe, stripe_front):
    client = _signed_in(shop.buyer)
    _fill_cart(client, shop, paid=1)

    placed = _checkout(client, shop, count=1)
    [order] = _orders(shop.buyer)
    session_id = placed["Location"].rsplit("/", 1)[-1]
    session = stripe_front.checkout_sessions[session_id]
    back = client.get(f"/events/{shop.event.pk}/orders/{order.code}/?result=paid")  # before the webhook
    completed = {**session, "payment_status": "paid", "status": "complete", "payment_intent": "pi_shop_1"}
    delivered = deliver(Client(), stripe_event(event_id="evt_shop_1", type="checkout.session.completed", obj=completed))
    after = client.get(f"/events/{shop.event.pk}/orders/{order.code}/?result=paid")

    assert placed.status_code == 302
    assert placed["Location"].startswith("https://checkout.stripe.test/c/pay/cs_test_")
    assert session["amount_total"] == 5000
    assert session["metadata"]["order_code"] == order.code
    assert session["success_url"] == f"http://testserver/events/{shop.event.pk}/orders/{order.code}/?result=paid"
    assert session["cancel_url"] == f"http://testserver/events/{shop.event.pk}/orders/{order.code}/?result=cancelled"
    assert b"confirming your order" in back.content
    assert b'http-equiv="refresh"' in back.content
    assert delivered.json()["status"] == "processed"
    assert _orders(shop.buyer)[0].status == OrderStatus.PAID
    assert b'data-status="paid"' in after.content
    assert b'http-equiv="refresh"' not in after.content


def test_pending_order_can_be_paid_again_from_its_page(shop, fake_stripe, stripe_front):
    client = _signed_in(shop.buyer)
    _fill_cart(client, shop, paid=1)
    _checkout(client, shop, count=1)
    [order] = _orders(shop.buyer)

    page = client.get(f"/events/{shop.event.pk}/orders/{order.code}/?result=cancelled")
    again = client.post(f"/events/{shop.event.pk}/orders/{order.code}/pay")

    assert b"The payment was cancelled." in page.content
    assert b"Pay now" in page.content
    assert again.status_code == 302
    assert again["Location"].startswith("https://checkout.stripe.test/c/pay/")
    assert len([s for s in stripe_front.checkout_sessions.values() if s["metadata"]["order_code"] == order.code]) == 2


def test_checkout_needs_a_sign_in_and_keeps_the_cart(shop):
    client = Client()
    _fill_cart(client, shop, free=1)

    anonymous = client.get(f"/events/{shop.event.pk}/checkout/")

    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/accounts/login/?next=/events/{shop.event.pk}/checkout/"
    assert _orders(shop.buyer) == []


def test_cart_refuses_more_than_are_left_and_an_empty_choice(shop):
    client = _signed_in(shop.buyer)

    too_many = _fill_cart(client, shop, free=6)
    nothing = _fill_cart(client, shop, free=0)

    assert too_many.status_code == 200
    assert b"Select a valid choice" in too_many.content
    assert nothing.status_code == 200
    assert b"Choose at least one ticket." in nothing.content


def test_sold_out_shows_on_the_form_and_orders_nothing(shop):
    with scopes_disabled():
        shop.quota.size = 1
        shop.quota.save()
    client = _signed_in(shop.buyer)
    _fill_cart(client, shop, free=1)
    rival = _signed_in(type(shop.buyer).objects.create_user(email="rival@example.org", password="x" * 12))
    _fill_cart(rival, shop, free=1)
    _checkout(rival, shop, count=1)

    refused = _checkout(client, shop, count=1)

    assert refused.status_code == 200
    assert b"Sold out: Community." in refused.content
    assert _orders(shop.buyer) == []


def test_a_wrong_voucher_is_a_form_error_and_counts_against_the_guess_limit(shop, settings):
    settings.TICKETING_RATE_LIMITS = {**settings.TICKETING_RATE_LIMITS, "voucher_failed": "2/h/user"}
    client = _signed_in(shop.buyer)
    _fill_cart(client, shop, free=1)

    answers = [_checkout(client, shop, count=1, voucher="GUESS").content for _ in range(3)]

    assert b"invalid" in answers[0].lower() or b"voucher" in answers[0].lower()
    assert b"Too many requests" in answers[2]
    assert _orders(shop.buyer) == []


def test_someone_elses_order_page_is_404(shop):
    owner = _signed_in(shop.buyer)
    _fill_cart(owner, shop, free=1)
    _checkout(owner, shop, count=1)
    [order] = _orders(shop.buyer)
    intruder = _signed_in(shop.owner)

    assert intruder.get(f"/events/{shop.event.pk}/orders/{order.code}/").status_code == 404
    assert intruder.post(f"/events/{shop.event.pk}/orders/{order.code}/pay").status_code == 404


def test_paid_ticket_by_bank_transfer_shows_the_account_and_reference_instead_of_stripe(shop, settings, page_settings):
    settings.STRIPE_SECRET_KEY = ""
    with scopes_disabled():
        PaymentSettings.objects.create(
            organization=shop.event.organization, bank_transfer_enabled=True, bank_transfer_details="IBAN DE00 1"
        )
    client = _signed_in(shop.buyer)

    _fill_cart(client, shop, paid=1)
    placed = _checkout(client, shop, count=1)
    [order] = _orders(shop.buyer)
    shown = client.get(placed["Location"]).content.decode()

    assert placed["Location"] == f"/events/{shop.event.pk}/orders/{order.code}/"
    assert order.status == OrderStatus.PENDING
    assert f"with the reference {order.code}" in shown
    assert "IBAN DE00 1" in shown


def test_paid_ticket_without_any_payment_method_is_refused_in_the_checkout(shop, settings, page_settings):
    settings.STRIPE_SECRET_KEY = ""
    client = _signed_in(shop.buyer)

    _fill_cart(client, shop, paid=1)
    refused = _checkout(client, shop, count=1)

    assert refused.status_code == 200
    assert "Payments are not configured for this event" in refused.content.decode()
    assert _orders(shop.buyer) == []
