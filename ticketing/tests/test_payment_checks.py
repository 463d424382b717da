"""The webhook trusts Stripe's signature, not the body: money that does not match the order
exactly never pays it (it is refunded and the organizer alerted), and a signed body that is
not a well-formed event is answered without a 500 (Stripe would retry a 500 for three days)."""

import json

import pytest
import stripe
from django.test import Client
from django_scopes import scopes_disabled

from eventhub.models import AuditLogEntry
from eventhub.realtime.models import StreamEntry
from ticketing.enums import OrderStatus, PaymentStatus
from ticketing.models import Order, Payment, Refund, StripeEvent, Ticket

from .conftest import deliver, pay_with_test_card
from .stripe_events import sign, stripe_event

pytestmark = pytest.mark.django_db(transaction=True)


def _client(token_for, user) -> Client:
    return Client(headers={"X-Session-Token": token_for(user)})


def _pending_order(shop, token_for) -> dict:
    response = _client(token_for, shop.buyer).post(
        f"/api/v1/events/{shop.event.pk}/orders",
        {"positions": [{"ticket_type": shop.paid.pk, "attendee_name": "A. Guest", "attendee_email": "a@example.org"}]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _order(code) -> Order:
    with scopes_disabled():
        return Order.objects.get(code=code)


def _assert_mismatch_handled(shop, code: str, intent_id: str, *, received: str, currency: str) -> None:
    order = _order(code)
    assert order.status == OrderStatus.PENDING  # not paid: the buyer may still pay the right amount
    with scopes_disabled():
        assert not Ticket.objects.filter(order_position__order=order).exists()
        refund = Refund.objects.get(payment__order=order)
        payment = refund.payment
    assert (refund.automatic, str(refund.amount), refund.status) == (True, received, "succeeded")
    assert "does not match" in refund.reason
    assert (payment.status, str(payment.amount), payment.currency) == (PaymentStatus.REFUNDED, received, currency)
    assert [(int(r.amount), r.status) for r in stripe.Refund.list(payment_intent=intent_id).data] == [
        (stripe_units(received), "succeeded")
    ]
    with scopes_disabled():
        audit = AuditLogEntry.objects.get(action="payment.mismatch")
    assert audit.event_id == shop.event.pk
    assert audit.changes["expected"] == {"amount": "50.00", "currency": "EUR"}
    assert audit.changes["received"] == {"amount": received, "currency": currency}
    alert = StreamEntry.objects.get(stream=f"event:{shop.event.pk}:staff", type="payment.mismatch")
    assert alert.data["order"] == code
    assert alert.data["received"] == {"amount": received, "currency": currency}
    assert not StreamEntry.objects.filter(type="order.confirmed").exists()


def stripe_units(amount: str) -> int:
    return int(amount.replace(".", ""))


def test_a_payment_intent_of_one_cent_does_not_pay_a_50_eur_order(shop, token_for, fake_stripe):
    order = _pending_order(shop, token_for)
    intent_id = order["payment"]["payment_intent"]
    stripe.PaymentIntent.modify(intent_id, amount=1)  # what arrives is 0.01 EUR
    intent = pay_with_test_card(intent_id)
    assert (intent.status, int(intent.amount)) == ("succeeded", 1)

    response = deliver(
        Client(), stripe_event(event_id="evt_cent", type="payment_intent.succeeded", obj=intent.to_dict())
    )

    assert response.status_code == 200
    assert response.json()["status"] == "processed"
    _assert_mismatch_handled(shop, order["code"], intent_id, received="0.01", currency="EUR")


def test_a_payment_in_another_currency_does_not_pay_the_order(shop, token_for, fake_stripe):
    order = _pending_order(shop, token_for)
    intent_id = order["payment"]["payment_intent"]
    stripe.PaymentIntent.modify(intent_id, currency="usd")  # 50.00 USD for a 50.00 EUR order
    intent = pay_with_test_card(intent_id)

    deliver(Client(), stripe_event(event_id="evt_usd", type="payment_intent.succeeded", obj=intent.to_dict()))

    _assert_mismatch_handled(shop, order["code"], intent_id, received="50.00", currency="USD")


def test_a_completed_checkout_session_of_the_wrong_amount_does_not_pay_the_order(
    shop, token_for, fake_stripe, stripe_front
):
    order = _pending_order(shop, token_for)
    started = _client(token_for, shop.buyer).post(
        f"/api/v1/events/{shop.event.pk}/orders/{order['code']}/checkout-session", {}, content_type="application/json"
    )
    session = stripe_front.checkout_sessions[started.json()["url"].rsplit("/", 1)[-1]]
    paid = stripe.PaymentIntent.create(amount=100, currency="eur", payment_method_types=["card"])
    paid = pay_with_test_card(paid.id)
    completed = {
        **session,
        "payment_status": "paid",
        "status": "complete",
        "payment_intent": paid.id,
        "amount_total": 100,
    }

    response = deliver(Client(), stripe_event(event_id="evt_cs_1eur", type="checkout.session.completed", obj=completed))

    assert response.status_code == 200
    _assert_mismatch_handled(shop, order["code"], paid.id, received="1.00", currency="EUR")


def test_the_exact_amount_still_pays_the_order(shop, token_for, fake_stripe):
    order = _pending_order(shop, token_for)
    intent = pay_with_test_card(order["payment"]["payment_intent"])

    deliver(Client(), stripe_event(event_id="evt_exact", type="payment_intent.succeeded", obj=intent.to_dict()))

    assert _order(order["code"]).status == OrderStatus.PAID
    with scopes_disabled():
        assert not AuditLogEntry.objects.filter(action="payment.mismatch").exists()


def _signed_raw(body: bytes):
    return Client(raise_request_exception=False).post(
        "/api/v1/stripe/webhook", data=body, content_type="application/json", headers={"Stripe-Signature": sign(body)}
    )


def _intent(order: dict, **changes) -> dict:
    base = {
        "id": order["payment"]["payment_intent"],
        "object": "payment_intent",
        "amount": 5000,
        "amount_received": 5000,
        "currency": "eur",
        "status": "succeeded",
        "metadata": {"order_code": order["code"]},
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not ...}


MALFORMED = {
    "empty-object": lambda order: b"{}",
    "not-an-object": lambda order: b"[1, 2]",
    "no-data": lambda order: json.dumps(
        {"id": "evt_x", "object": "event", "type": "payment_intent.succeeded"}
    ).encode(),
    "data-not-an-object": lambda order: json.dumps(
        {"id": "evt_x", "object": "event", "type": "payment_intent.succeeded", "data": "nope"}
    ).encode(),
    "no-object": lambda order: json.dumps(
        {"id": "evt_x", "object": "event", "type": "payment_intent.succeeded", "data": {}}
    ).encode(),
    "no-amount": lambda order: stripe_event(
        event_id="evt_x", type="payment_intent.succeeded", obj=_intent(order, amount=..., amount_received=...)
    ),
    "amount-not-a-number": lambda order: stripe_event(
        event_id="evt_x", type="payment_intent.succeeded", obj=_intent(order, amount="lots", amount_received="lots")
    ),
    "amount-negative": lambda order: stripe_event(
        event_id="evt_x", type="payment_intent.succeeded", obj=_intent(order, amount=-5000, amount_received=-5000)
    ),
    "amount-beyond-any-order": lambda order: stripe_event(
        event_id="evt_x", type="payment_intent.succeeded", obj=_intent(order, amount=10**20, amount_received=10**20)
    ),
    "no-currency": lambda order: stripe_event(
        event_id="evt_x", type="payment_intent.succeeded", obj=_intent(order, currency=...)
    ),
    "currency-not-iso": lambda order: stripe_event(
        event_id="evt_x", type="payment_intent.succeeded", obj=_intent(order, currency="euros")
    ),
    "no-intent-id": lambda order: stripe_event(
        event_id="evt_x", type="payment_intent.succeeded", obj=_intent(order, id=...)
    ),
    "metadata-a-list": lambda order: stripe_event(
        event_id="evt_x", type="payment_intent.succeeded", obj=_intent(order, metadata=["order_code", order["code"]])
    ),
    "order-code-too-long": lambda order: stripe_event(
        event_id="evt_x", type="payment_intent.succeeded", obj=_intent(order, metadata={"order_code": "X" * 300})
    ),
    "event-id-too-long": lambda order: stripe_event(
        event_id="evt_" + "x" * 300, type="payment_intent.succeeded", obj=_intent(order)
    ),
    "type-too-long": lambda order: stripe_event(
        event_id="evt_x", type="payment_intent." + "x" * 200, obj=_intent(order)
    ),
    # Found by the webhook fuzzer: a NUL byte in a text PostgreSQL stores was a 500.
    "nul-in-event-id": lambda order: stripe_event(
        event_id="evt_\x00", type="payment_intent.succeeded", obj=_intent(order)
    ),
    "nul-in-type": lambda order: stripe_event(event_id="evt_nul_type", type="charge.\x00", obj=_intent(order)),
    "failed-without-id": lambda order: stripe_event(
        event_id="evt_x", type="payment_intent.payment_failed", obj=_intent(order, id=...)
    ),
    "session-without-amount": lambda order: stripe_event(
        event_id="evt_x",
        type="checkout.session.completed",
        obj={
            "id": "cs_x",
            "object": "checkout.session",
            "payment_status": "paid",
            "metadata": {"order_code": order["code"]},
        },
    ),
}


@pytest.mark.parametrize("body", list(MALFORMED.values()), ids=list(MALFORMED))
def test_a_signed_but_malformed_event_is_no_500_and_changes_nothing(shop, token_for, fake_stripe, body):
    order = _pending_order(shop, token_for)

    response = _signed_raw(body(order))

    assert response.status_code in (200, 400), response.content
    assert response.json().get("status") == "ignored" or response.json()["error"]["code"] == "invalid_event"
    assert _order(order["code"]).status == OrderStatus.PENDING
    with scopes_disabled():
        assert list(Payment.objects.filter(order__code=order["code"]).values_list("status", flat=True)) == [
            PaymentStatus.PENDING
        ]
    assert not StripeEvent.objects.filter(order_code=order["code"]).exists()


def test_a_well_formed_event_with_a_garbage_attempt_id_still_pays_by_intent(shop, token_for, fake_stripe):
    """A payment_attempt that is not ours (not even a UUID: a 500 before) does not hide the
    intent the event names."""
    order = _pending_order(shop, token_for)
    intent = pay_with_test_card(order["payment"]["payment_intent"]).to_dict()
    intent["metadata"] = {"order_code": order["code"], "payment_attempt": "'; drop table payments"}

    deliver(Client(), stripe_event(event_id="evt_other_attempt", type="payment_intent.succeeded", obj=intent))

    assert _order(order["code"]).status == OrderStatus.PAID
