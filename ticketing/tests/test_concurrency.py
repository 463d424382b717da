"""No overselling: 200 buyers at once over real HTTP (a live daphne, real PostgreSQL) for the
last 10 tickets — and a negative control without the quota locks that does oversell."""

from collections import Counter

import pytest
from django_scopes import scopes_disabled

from eventhub.testing.live import daphne
from ticketing.models import Order

from .race import buy_all_at_once, hot_quota, make_buyers, positions_taken

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live]

BUYERS = 200
SIZE = 100
# Both servers get room for 20 concurrent transactions, so the race has real overlap.
SERVER = {"DATABASE_POOL_MAX": "20"}
ALREADY_SOLD = 90


def test_200_concurrent_buyers_for_the_last_10_tickets_exactly_10_succeed(tmp_path):
    event, ticket_type = hot_quota(size=SIZE, left=SIZE - ALREADY_SOLD)
    tokens = make_buyers(BUYERS)

    with daphne(tmp_path, **SERVER) as base_url:
        attempts = buy_all_at_once(base_url=base_url, event_id=event.pk, ticket_type_id=ticket_type.pk, tokens=tokens)

    outcomes = Counter((a.status, a.code) for a in attempts)
    assert outcomes == {(201, None): 10, (409, "sold_out"): 190}
    assert positions_taken(event) == SIZE  # never more than the quota
    with scopes_disabled():
        assert Order.objects.filter(event=event).count() == 1 + 10


def test_negative_control_without_quota_locks_oversells(tmp_path):
    """The same race with the lock switched off (test-only flag in the server's environment):
    more than 10 get through, so the test above can see the race it guards against."""
    event, ticket_type = hot_quota(size=SIZE, left=SIZE - ALREADY_SOLD)
    tokens = make_buyers(BUYERS)

    with daphne(tmp_path, TICKETING_LOCK_QUOTAS="0", **SERVER) as base_url:
        attempts = buy_all_at_once(base_url=base_url, event_id=event.pk, ticket_type_id=ticket_type.pk, tokens=tokens)

    assert all(a.status < 500 for a in attempts)
    created = sum(1 for a in attempts if a.status == 201)
    print(f"negative control: {created} orders for 10 tickets, {positions_taken(event) - SIZE} oversold")
    assert created > 10
    assert positions_taken(event) > SIZE
