"""Reservations run out and come back to stock through the periodic task; the waiting list is
then offered the ticket (a single-use voucher that holds the seat for that person)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from eventhub.realtime.models import StreamEntry
from eventhub.testing.factories import UserFactory
from ticketing.enums import OrderStatus, WaitingListStatus
from ticketing.models import Order, Voucher, WaitingListEntry
from ticketing.tasks import expire_reservations

pytestmark = pytest.mark.django_db(transaction=True)


def _client(token_for, user) -> Client:
    return Client(headers={"X-Session-Token": token_for(user)})


def _buy(client, event, ticket_type, voucher=""):
    return client.post(
        f"/api/v1/events/{event.pk}/orders",
        {
            "positions": [
                {"ticket_type": ticket_type.pk, "attendee_name": "A. Guest", "attendee_email": "a@example.org"}
            ],
            "voucher": voucher,
        },
        content_type="application/json",
    )


def _available(client, event, ticket_type) -> int:
    results = client.get(f"/api/v1/events/{event.pk}/ticket-types").json()["results"]
    return next(r["available"] for r in results if r["id"] == ticket_type.pk)


@pytest.fixture
def one_seat(shop):
    with scopes_disabled():
        shop.quota.size = 1
        shop.quota.save()
    return shop


def test_abandoned_reservation_returns_to_stock_and_the_waiting_list_is_offered(one_seat, token_for, fake_stripe):
    shop = one_seat
    abandoner, waiter, other = (_client(token_for, UserFactory()) for _ in range(3))
    waiting_user = UserFactory(email="waiter@example.org")
    waiter = _client(token_for, waiting_user)
    reserved = _buy(abandoner, shop.event, shop.paid).json()
    assert reserved["status"] == "pending"
    assert _buy(waiter, shop.event, shop.paid).json()["error"]["code"] == "sold_out"
    joined = waiter.post(f"/api/v1/events/{shop.event.pk}/ticket-types/{shop.paid.pk}/waiting-list")
    assert joined.status_code == 201, joined.content
    with scopes_disabled():  # the buyer walks away; their reservation time passes
        Order.objects.filter(code=reserved["code"]).update(expires_at=timezone.now() - timedelta(seconds=1))

    result = expire_reservations.apply().get()

    assert result == {"expired_orders": 1, "lapsed_offers": 0, "offers": 1}
    with scopes_disabled():
        assert Order.objects.get(code=reserved["code"]).status == OrderStatus.EXPIRED
        entry = WaitingListEntry.objects.get(email="waiter@example.org")
        voucher = Voucher.objects.get(pk=entry.voucher_id)
    assert entry.status == WaitingListStatus.OFFERED
    assert (voucher.max_usages, voucher.ticket_type_id) == (1, shop.paid.pk)
    offer = StreamEntry.objects.get(stream=f"user:{waiting_user.pk}", type="waiting_list.offered")
    assert offer.data["voucher"] == voucher.code
    assert any(voucher.code in m.body and m.to == ["waiter@example.org"] for m in mail.outbox)
    # The seat is held for the person whose turn it is: nobody else gets it ...
    assert _available(other, shop.event, shop.paid) == 0
    assert _buy(other, shop.event, shop.paid).json()["error"]["code"] == "sold_out"
    # ... and they do, with their voucher, once.
    bought = _buy(waiter, shop.event, shop.paid, voucher=voucher.code)
    assert bought.status_code == 201, bought.content
    assert _buy(waiter, shop.event, shop.paid, voucher=voucher.code).json()["error"]["code"] == "voucher_used_up"
    with scopes_disabled():
        assert WaitingListEntry.objects.get(pk=entry.pk).status == WaitingListStatus.REDEEMED


def test_expiry_task_is_idempotent(one_seat, token_for, fake_stripe):
    reserved = _buy(_client(token_for, UserFactory()), one_seat.event, one_seat.paid).json()
    with scopes_disabled():
        Order.objects.filter(code=reserved["code"]).update(expires_at=timezone.now() - timedelta(seconds=1))

    first = expire_reservations.apply().get()
    second = expire_reservations.apply().get()

    assert first["expired_orders"] == 1
    assert second == {"expired_orders": 0, "lapsed_offers": 0, "offers": 0}


def test_waiting_list_join_refused_while_tickets_are_available(shop, token_for):
    response = _client(token_for, UserFactory()).post(
        f"/api/v1/events/{shop.event.pk}/ticket-types/{shop.paid.pk}/waiting-list"
    )

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_sold_out"
    with scopes_disabled():
        assert not WaitingListEntry.objects.exists()
