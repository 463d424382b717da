"""Orders and Stripe through the real SDK against localstripe; webhooks signed with the real
scheme and delivered to the public endpoint."""

from datetime import timedelta
from decimal import Decimal

import pytest
import stripe
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from eventhub.realtime.models import StreamEntry
from eventhub.testing.factories import UserFactory
from ticketing.enums import OrderStatus, PaymentStatus
from ticketing.models import Order, OrderPosition, Payment, Refund, StripeEvent, Ticket, Voucher
from ticketing.tasks import expire_reservations

from .conftest import deliver, pay_with_test_card
from .stripe_events import sign, stripe_event

pytestmark = pytest.mark.django_db(transaction=True)


def _client(token_for, user) -> Client:
    return Client(headers={"X-Session-Token": token_for(user)})


def _buy(client, event, ticket_type, n=1, **extra):
    return client.post(
        f"/api/v1/events/{event.pk}/orders",
        {
            "positions": [
                {"ticket_type": ticket_type.pk, "attendee_name": f"Guest {i}", "attendee_email": f"g{i}@example.org"}
                for i in range(n)
            ],
            **extra,
        },
        content_type="application/json",
        headers=extra.pop("headers", {}),
    )


def _succeeded_payload(intent: stripe.PaymentIntent, *, event_id: str) -> bytes:
    return stripe_event(event_id=event_id, type="payment_intent.succeeded", obj=intent.to_dict())


def _order(code):
    with scopes_disabled():
        return Order.objects.get(code=code)


def test_free_order_is_confirmed_at_once_with_tickets_stream_entry_and_email(shop, token_for):
    response = _buy(_client(token_for, shop.buyer), shop.event, shop.free, n=2)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "paid"
    assert body["payment"] is None
    with scopes_disabled():
        order = Order.objects.get(code=body["code"])
        assert Ticket.objects.filter(order_position__order=order).count() == 2
    entry = StreamEntry.objects.get(stream=f"user:{shop.buyer.pk}", type="order.confirmed")
    assert entry.data["order"] == body["code"]
    assert entry.data["tickets"] == 2
    assert [m.to for m in mail.outbox] == [[shop.buyer.email]]


def test_paid_order_returns_client_secret_and_stays_pending_until_webhook(shop, token_for, fake_stripe):
    response = _buy(_client(token_for, shop.buyer), shop.event, shop.paid)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "pending"
    assert body["total"] == "50.00"
    intent = stripe.PaymentIntent.retrieve(body["payment"]["payment_intent"])
    assert body["payment"]["client_secret"] == intent.client_secret
    assert intent.amount == 5000
    assert intent.metadata["order_code"] == body["code"]
    assert _order(body["code"]).status == OrderStatus.PENDING


def test_same_signed_webhook_three_times_yields_one_paid_order(shop, token_for, fake_stripe):
    body = _buy(_client(token_for, shop.buyer), shop.event, shop.paid).json()
    intent = pay_with_test_card(body["payment"]["payment_intent"])
    assert intent.status == "succeeded"
    payload = _succeeded_payload(intent, event_id="evt_three_times")
    webhook = Client()

    answers = [deliver(webhook, payload) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["status"] for a in answers] == ["processed", "duplicate", "duplicate"]
    order = _order(body["code"])
    assert order.status == OrderStatus.PAID
    with scopes_disabled():
        assert Ticket.objects.filter(order_position__order=order).count() == 1
        assert list(Payment.objects.filter(order=order).values_list("status", flat=True)) == [PaymentStatus.SUCCEEDED]
    assert StreamEntry.objects.filter(stream=f"user:{shop.buyer.pk}", type="order.confirmed").count() == 1
    assert StripeEvent.objects.filter(stripe_event_id="evt_three_times").count() == 1


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param(lambda payload: sign(payload, secret="whsec_wrong"), id="wrong-secret"),
        pytest.param(lambda payload: sign(payload + b" "), id="other-payload"),
        pytest.param(lambda payload: sign(payload, timestamp=1_000_000), id="stale"),
        pytest.param(lambda payload: "", id="missing"),
    ],
)
def test_webhook_with_bad_signature_is_400_and_changes_nothing(shop, token_for, fake_stripe, signature):
    body = _buy(_client(token_for, shop.buyer), shop.event, shop.paid).json()
    intent = pay_with_test_card(body["payment"]["payment_intent"])
    payload = _succeeded_payload(intent, event_id="evt_bad_signature")

    response = deliver(Client(), payload, signature(payload))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_signature"
    assert _order(body["code"]).status == OrderStatus.PENDING
    assert not StripeEvent.objects.exists()
    with scopes_disabled():
        assert not Ticket.objects.exists()


def test_payment_succeeded_before_order_creation_response_still_ends_paid(shop, token_for, fake_stripe, stripe_front):
    """The phone may pay and Stripe may deliver ``payment_intent.succeeded`` while our order
    creation request is still running: here the webhook is delivered after Stripe created the
    intent and before our server has Stripe's answer. The webhook finds the order by the
    intent's metadata; the still-running request must not undo it."""
    deliveries = []

    def pay_and_deliver_before_our_server_hears_back(intent: dict) -> None:
        paid = pay_with_test_card(intent["id"])
        deliveries.append(deliver(Client(), _succeeded_payload(paid, event_id="evt_early")))

    stripe_front.after_once("POST", "/v1/payment_intents", pay_and_deliver_before_our_server_hears_back)

    response = _buy(_client(token_for, shop.buyer), shop.event, shop.paid)

    assert [d.json()["status"] for d in deliveries] == ["processed"]
    assert response.status_code == 201
    assert response.json()["status"] == "paid"
    order = _order(response.json()["code"])
    assert order.status == OrderStatus.PAID
    with scopes_disabled():
        payment = Payment.objects.get(order=order)
    assert payment.status == PaymentStatus.SUCCEEDED
    assert payment.stripe_payment_intent_id == response.json()["payment"]["payment_intent"]


def test_payment_after_reservation_expired_and_sold_out_is_refunded(shop, token_for, fake_stripe):
    late = _buy(_client(token_for, shop.buyer), shop.event, shop.paid).json()
    with scopes_disabled():
        Order.objects.filter(code=late["code"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    expire_reservations.apply()
    assert _order(late["code"]).status == OrderStatus.EXPIRED
    others = _client(token_for, UserFactory())
    assert _buy(others, shop.event, shop.free, n=5).status_code == 201  # the hall is full now
    intent = pay_with_test_card(late["payment"]["payment_intent"])

    response = deliver(Client(), _succeeded_payload(intent, event_id="evt_late"))

    assert response.status_code == 200
    order = _order(late["code"])
    assert order.status == OrderStatus.CANCELLED
    refunds = stripe.Refund.list(payment_intent=intent.id).data
    assert [(r.amount, r.status) for r in refunds] == [(5000, "succeeded")]
    with scopes_disabled():
        refund = Refund.objects.get(payment__order=order)
        assert (refund.automatic, refund.stripe_refund_id, refund.amount) == (True, refunds[0].id, Decimal("50.00"))
        assert not Ticket.objects.filter(order_position__order=order).exists()
        sold = OrderPosition.objects.filter(order__event=shop.event, order__status=OrderStatus.PAID).count()
    assert sold == 5 == shop.quota.size


def test_payment_after_reservation_expired_with_room_left_is_confirmed(shop, token_for, fake_stripe):
    late = _buy(_client(token_for, shop.buyer), shop.event, shop.paid).json()
    with scopes_disabled():
        Order.objects.filter(code=late["code"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    expire_reservations.apply()
    intent = pay_with_test_card(late["payment"]["payment_intent"])

    deliver(Client(), _succeeded_payload(intent, event_id="evt_late_room"))

    assert _order(late["code"]).status == OrderStatus.PAID
    assert stripe.Refund.list(payment_intent=intent.id).data == []


def test_failure_event_after_success_changes_nothing(shop, token_for, fake_stripe):
    body = _buy(_client(token_for, shop.buyer), shop.event, shop.paid).json()
    intent = pay_with_test_card(body["payment"]["payment_intent"])
    deliver(Client(), _succeeded_payload(intent, event_id="evt_ok"))

    failed = stripe_event(event_id="evt_failed_late", type="payment_intent.payment_failed", obj=intent.to_dict())
    assert deliver(Client(), failed).status_code == 200

    assert _order(body["code"]).status == OrderStatus.PAID
    with scopes_disabled():
        assert Payment.objects.get(order__code=body["code"]).status == PaymentStatus.SUCCEEDED


def test_order_retry_with_idempotency_key_replays_the_same_order(shop, token_for, fake_stripe):
    client = _client(token_for, shop.buyer)

    first = _buy(client, shop.event, shop.paid, headers={"Idempotency-Key": "order-1"})
    second = _buy(client, shop.event, shop.paid, headers={"Idempotency-Key": "order-1"})

    assert first.status_code == second.status_code == 201
    assert second["Idempotent-Replayed"] == "true"
    assert second.json()["code"] == first.json()["code"]
    assert second.json()["payment"]["client_secret"] == first.json()["payment"]["client_secret"]
    with scopes_disabled():
        assert Order.objects.count() == 1


def test_web_checkout_session_then_its_completed_webhook_marks_the_order_paid(
    shop, token_for, fake_stripe, stripe_front
):
    buyer = _client(token_for, shop.buyer)
    order = _buy(buyer, shop.event, shop.paid, n=2).json()

    started = buyer.post(
        f"/api/v1/events/{shop.event.pk}/orders/{order['code']}/checkout-session", {}, content_type="application/json"
    )
    session_id = started.json()["url"].rsplit("/", 1)[-1]
    session = stripe_front.checkout_sessions[session_id]
    completed = {**session, "payment_status": "paid", "status": "complete", "payment_intent": "pi_web_1"}
    delivered = deliver(Client(), stripe_event(event_id="evt_cs_1", type="checkout.session.completed", obj=completed))

    assert started.status_code == 201, started.content
    assert session["amount_total"] == 10000
    assert session["currency"] == "eur"
    assert session["metadata"]["order_code"] == order["code"]
    assert session["success_url"] == f"http://testserver/?order={order['code']}&result=paid"
    assert delivered.json()["status"] == "processed"
    assert _order(order["code"]).status == OrderStatus.PAID
    with scopes_disabled():
        assert Ticket.objects.filter(order_position__order__code=order["code"]).count() == 2


def test_web_checkout_session_refuses_a_return_url_elsewhere(shop, token_for, fake_stripe, stripe_front):
    buyer = _client(token_for, shop.buyer)
    order = _buy(buyer, shop.event, shop.paid).json()

    response = buyer.post(
        f"/api/v1/events/{shop.event.pk}/orders/{order['code']}/checkout-session",
        {"return_url": "https://evil.example.net/steal"},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
    assert all(s["metadata"].get("order_code") != order["code"] for s in stripe_front.checkout_sessions.values())


def _late_voucher_order(shop, token_for, *, taken_meanwhile: bool):
    """A 10 %-off order with a one-use voucher, expired (its voucher use given back), perhaps
    bought with the same voucher by someone else meanwhile, then paid late."""
    with scopes_disabled():
        voucher = Voucher.objects.create(event=shop.event, code="ONCE", value=Decimal("10"), max_usages=1)
    late = _buy(_client(token_for, shop.buyer), shop.event, shop.paid, voucher="ONCE").json()
    with scopes_disabled():
        Order.objects.filter(code=late["code"]).update(expires_at=timezone.now() - timedelta(minutes=1))
    expire_reservations.apply()
    if taken_meanwhile:
        assert _buy(_client(token_for, UserFactory()), shop.event, shop.paid, voucher="ONCE").status_code == 201
    intent = pay_with_test_card(late["payment"]["payment_intent"])
    response = deliver(Client(), _succeeded_payload(intent, event_id=f"evt_late_voucher_{taken_meanwhile}"))
    assert response.status_code == 200
    voucher.refresh_from_db()
    return _order(late["code"]), intent, voucher


def test_late_payment_whose_voucher_was_used_up_meanwhile_is_refunded_and_alerted(shop, token_for, fake_stripe):
    order, intent, voucher = _late_voucher_order(shop, token_for, taken_meanwhile=True)

    assert order.status == OrderStatus.CANCELLED
    assert voucher.times_used == 1 == voucher.max_usages
    assert [(r.amount, r.status) for r in stripe.Refund.list(payment_intent=intent.id).data] == [(4500, "succeeded")]
    with scopes_disabled():
        alert = StreamEntry.objects.get(stream=f"event:{shop.event.pk}:staff", type="payment.refused")
    assert alert.data == {
        "order": order.code,
        "reason": "voucher_used_up",
        "amount": "45.00",
        "currency": "EUR",
        "refunded": True,
    }


def test_late_payment_whose_voucher_is_still_free_takes_its_use_back(shop, token_for, fake_stripe):
    """The negative control: the same late payment with the voucher untouched is confirmed, and
    the voucher counts the use again (expiry had given it back)."""
    order, intent, voucher = _late_voucher_order(shop, token_for, taken_meanwhile=False)

    assert order.status == OrderStatus.PAID
    assert voucher.times_used == 1
    assert stripe.Refund.list(payment_intent=intent.id).data == []
