"""One account cannot take a whole quota, nor hold many unpaid reservations, and nobody can
guess voucher codes or hammer the order, waiting-list and scan endpoints without limit: per
account (and per device) and per address, a clear 429 ``rate_limited`` with ``Retry-After``."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_scopes import scopes_disabled

from eventhub.testing.factories import UserFactory
from ticketing.enums import OrderStatus
from ticketing.models import Order, OrderPosition, Voucher

from .checkin_helpers import paid_tickets, payload, venue
from .factories import QuotaFactory, TicketTypeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _client(token_for, user, address="203.0.113.7") -> Client:
    return Client(headers={"X-Session-Token": token_for(user)}, REMOTE_ADDR=address)


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
    )


def _error(response) -> tuple[int, str]:
    return response.status_code, response.json()["error"]["code"]


@pytest.fixture
def free_50(shop):
    """A free ticket type (10 per order) alone in a quota of 50."""
    with scopes_disabled():
        ticket_type = TicketTypeFactory(event=shop.event, name="Meetup", price="0.00", max_per_order=10)
        QuotaFactory(event=shop.event, name="Meetup room", size=50, ticket_types=[ticket_type])
    return ticket_type


def _held(event, ticket_type, user) -> int:
    with scopes_disabled():
        return OrderPosition.objects.filter(
            order__event=event, order__user=user, ticket_type=ticket_type, order__status=OrderStatus.PAID
        ).count()


def test_one_account_cannot_take_a_whole_free_quota_in_five_requests(shop, free_50, token_for):
    buyer = _client(token_for, shop.buyer)

    answers = [_buy(buyer, shop.event, free_50, n=10) for _ in range(5)]

    assert answers[0].status_code == 201
    assert {_error(a) for a in answers[1:]} == {(409, "account_limit")}
    assert "at most 10" in answers[1].json()["error"]["detail"]
    assert _held(shop.event, free_50, shop.buyer) == 10
    # ... and the rest is still there for everybody else.
    assert _buy(_client(token_for, UserFactory()), shop.event, free_50, n=10).status_code == 201


def _catalogue_cap(client, event, ticket_type) -> int:
    results = client.get(f"/api/v1/events/{event.pk}/ticket-types").json()["results"]
    return next(r["max_per_account"] for r in results if r["id"] == ticket_type.pk)


def test_the_per_account_cap_is_a_setting_of_the_ticket_type(shop, free_50, token_for):
    buyer = _client(token_for, shop.buyer)
    assert _catalogue_cap(buyer, shop.event, free_50) == 10  # the default: at least one full order
    with scopes_disabled():
        free_50.max_per_account = 3
        free_50.save()
    assert _catalogue_cap(buyer, shop.event, free_50) == 3

    assert _buy(buyer, shop.event, free_50, n=2).status_code == 201
    assert _error(_buy(buyer, shop.event, free_50, n=2)) == (409, "account_limit")
    assert _buy(buyer, shop.event, free_50, n=1).status_code == 201
    assert _held(shop.event, free_50, shop.buyer) == 3


def test_the_cap_counts_unexpired_reservations_but_not_expired_ones(shop, token_for, fake_stripe):
    with scopes_disabled():
        shop.quota.size = 50
        shop.quota.save()
        shop.paid.max_per_account = 2
        shop.paid.save()
    buyer = _client(token_for, shop.buyer)
    first = _buy(buyer, shop.event, shop.paid, n=1).json()
    assert _buy(buyer, shop.event, shop.paid, n=1).status_code == 201

    assert _error(_buy(buyer, shop.event, shop.paid, n=1)) == (409, "account_limit")

    with scopes_disabled():
        Order.objects.filter(code=first["code"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _buy(buyer, shop.event, shop.paid, n=1).status_code == 201


def test_an_account_may_hold_only_a_few_unpaid_reservations(shop, token_for, fake_stripe, settings):
    """A paid quota of 30 held for 15 minutes by unpaid reservations of one account, no more."""
    settings.TICKETING_MAX_PENDING_ORDERS_PER_ACCOUNT = 3
    with scopes_disabled():
        shop.quota.size = 30
        shop.quota.save()
    buyer = _client(token_for, shop.buyer)

    answers = [_buy(buyer, shop.event, shop.paid, n=1) for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [201, 201, 201]
    assert _error(answers[3]) == (409, "too_many_pending_orders")
    with scopes_disabled():
        assert Order.objects.filter(user=shop.buyer, status=OrderStatus.PENDING).count() == 3
    # Free tickets are no reservation: still fine.
    assert _buy(buyer, shop.event, shop.free, n=1).status_code == 201


# --- throttles ---------------------------------------------------------------------------------


def _rate_limited(response, window: int = 60) -> int:
    assert _error(response) == (429, "rate_limited"), response.content
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= window
    return retry_after


def test_order_creation_is_throttled_per_account(shop, token_for, settings):
    settings.TICKETING_RATE_LIMITS = {**settings.TICKETING_RATE_LIMITS, "order": "3/m/user"}
    buyer = _client(token_for, shop.buyer)

    answers = [_buy(buyer, shop.event, shop.free, n=1) for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [201, 201, 201]
    _rate_limited(answers[3])
    assert _buy(_client(token_for, UserFactory()), shop.event, shop.free).status_code == 201  # others are not


def test_order_creation_is_throttled_per_address(shop, token_for, settings):
    settings.TICKETING_RATE_LIMITS = {**settings.TICKETING_RATE_LIMITS, "order": "10/m/user,3/m/ip"}

    answers = [_buy(_client(token_for, UserFactory()), shop.event, shop.free) for _ in range(4)]

    assert [a.status_code for a in answers[:3]] == [201, 201, 201]
    _rate_limited(answers[3])
    other_address = _client(token_for, UserFactory(), address="198.51.100.9")
    assert _buy(other_address, shop.event, shop.free).status_code == 201


def test_the_default_limits_let_a_venue_full_of_phones_behind_one_address_buy(shop, free_50, token_for):
    """Doors open: many accounts behind one NAT address each buy a ticket in the same minute."""
    answers = [_buy(_client(token_for, UserFactory()), shop.event, free_50) for _ in range(50)]

    assert {a.status_code for a in answers} == {201}


def test_voucher_guessing_is_throttled_per_account_and_a_right_code_then_waits_too(shop, token_for, settings):
    settings.TICKETING_RATE_LIMITS = {**settings.TICKETING_RATE_LIMITS, "voucher_failed": "5/15m/user,100/15m/ip"}
    with scopes_disabled():
        Voucher.objects.create(event=shop.event, code="SECRET-2026", value=100, max_usages=10)
    guesser = _client(token_for, shop.buyer)

    guesses = [_buy(guesser, shop.event, shop.free, voucher=f"GUESS-{i}") for i in range(6)]

    assert {_error(g) for g in guesses[:5]} == {(400, "invalid_voucher")}
    _rate_limited(guesses[5], window=15 * 60)
    assert _error(_buy(guesser, shop.event, shop.free, voucher="SECRET-2026"))[0] == 429
    # Buying without a voucher is no guess, and another account may still use its code.
    assert _buy(guesser, shop.event, shop.free).status_code == 201
    assert _buy(_client(token_for, UserFactory()), shop.event, shop.free, voucher="SECRET-2026").status_code == 201


def test_voucher_guessing_is_throttled_per_address_across_accounts(shop, token_for, settings):
    settings.TICKETING_RATE_LIMITS = {**settings.TICKETING_RATE_LIMITS, "voucher_failed": "5/15m/user,4/15m/ip"}

    guesses = [_buy(_client(token_for, UserFactory()), shop.event, shop.free, voucher=f"G{i}") for i in range(5)]

    assert {_error(g) for g in guesses[:4]} == {(400, "invalid_voucher")}
    _rate_limited(guesses[4], window=15 * 60)


def test_waiting_list_joins_are_throttled_per_account(shop, token_for, settings):
    settings.TICKETING_RATE_LIMITS = {**settings.TICKETING_RATE_LIMITS, "waiting_list": "2/m/user"}
    with scopes_disabled():
        shop.quota.size = 0
        shop.quota.save()
    client = _client(token_for, shop.buyer)
    url = f"/api/v1/events/{shop.event.pk}/ticket-types/{{}}/waiting-list"

    answers = [client.post(url.format(t.pk)) for t in (shop.paid, shop.free, shop.paid)]

    assert [a.status_code for a in answers[:2]] == [201, 201]
    _rate_limited(answers[2])


def test_one_scanner_device_is_throttled_and_the_others_are_not(settings):
    settings.TICKETING_RATE_LIMITS = {**settings.TICKETING_RATE_LIMITS, "scan": "5/m/device"}
    v = venue(devices=2)
    tickets = paid_tickets(event=v.event, ticket_type=v.regular, count=7)

    def scan(ticket, device):
        return Client().post(v.url("scanner/scan"), {"payload": payload(ticket)}, **v.device_headers(device))

    answers = [scan(ticket, 0) for ticket in tickets[:6]]

    assert [a.json()["result"] for a in answers[:5]] == ["ok"] * 5
    _rate_limited(answers[5])
    assert scan(tickets[6], 1).json()["result"] == "ok"
