"""No overselling: 200 buyers at once over real HTTP (a live daphne, real PostgreSQL) for the
last 10 tickets — and a negative control without the quota locks that does oversell. No
deadlock: plain, voucher and late-payment checkouts at once on two servers — and a negative
control with the lock sets from before the lock order, which deadlocks."""

from collections import Counter

import pytest
from django_scopes import scopes_disabled

from eventhub.testing.live import daphne
from ticketing.models import Order, Voucher

from .race import (
    Checkout,
    buy_all_at_once,
    checkouts_at_once,
    hot_quota,
    late_payments,
    make_buyers,
    mixed_shop,
    positions_taken,
)
from .stripe_events import WEBHOOK_SECRET

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live]

BUYERS = 200
SIZE = 100
# Both servers get room for 20 concurrent transactions, so the race has real overlap; 200 buyers
# behind one address in a second are a load test, not what the per-address limits are for.
SERVER = {"DATABASE_POOL_MAX": "20", "TICKETING_RATE_LIMITS": "{}"}
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


# --- lock order: plain, voucher and late-payment checkouts at once on two servers ---------------

ROUNDS = 4
PER_KIND = 4  # plain buyers, voucher buyers and late payments per round
MIXED_SERVER = {"STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET, "TICKETING_RATE_LIMITS": "{}"}


def _mixed_rounds(tmp_path, rounds: int, **env: str) -> tuple[list[Checkout], str]:
    shop = mixed_shop()
    checkouts: list[Checkout] = []
    with daphne(tmp_path, **MIXED_SERVER, **env) as one, daphne(tmp_path, **MIXED_SERVER, **env) as two:
        for round_ in range(rounds):
            tokens = make_buyers(2 * PER_KIND, prefix=f"mixed{round_}-")
            checkouts += checkouts_at_once(
                base_urls=[one, two],
                shop=shop,
                plain=tokens[:PER_KIND],
                voucher=tokens[PER_KIND:],
                late=late_payments(shop, PER_KIND, prefix=f"r{round_}"),
            )
            if env and any(c.status >= 500 for c in checkouts):
                break  # the negative control has seen what it looks for
    logs = "".join(log.read_text(errors="replace") for log in tmp_path.glob("daphne-*.log"))
    return checkouts, logs


def test_plain_voucher_and_late_payment_checkouts_at_once_never_deadlock(tmp_path):
    """Checkouts of one event, half of them with a voucher, and Stripe's late payments for
    expired reservations of the same quota, released together across two server processes:
    every one succeeds. Before the lock order (issue 11) each path also locked the event row,
    at a different point, and PostgreSQL killed one side of each cycle ("deadlock detected")."""
    checkouts, logs = _mixed_rounds(tmp_path, ROUNDS)

    outcomes = Counter((c.kind, c.status, c.code) for c in checkouts)
    assert outcomes == {
        ("plain", 201, None): ROUNDS * PER_KIND,
        ("voucher", 201, None): ROUNDS * PER_KIND,
        ("late", 200, "processed"): ROUNDS * PER_KIND,
    }, logs[-3000:]
    assert "deadlock detected" not in logs
    with scopes_disabled():
        assert Order.objects.filter(status="paid").count() == 3 * ROUNDS * PER_KIND
        assert Voucher.objects.get(code="RACE").times_used == ROUNDS * PER_KIND


def test_negative_control_with_the_old_lock_sets_checkouts_deadlock(tmp_path):
    """The same mix with the lock sets from before (test-only TICKETING_LOCK_JOINED_ROWS=1:
    every FOR UPDATE also locks the joined event row): PostgreSQL detects deadlocks and the
    losers are 500s — the failure the test above guards against."""
    checkouts, logs = _mixed_rounds(tmp_path, 3 * ROUNDS, TICKETING_LOCK_JOINED_ROWS="1")

    failed = [c for c in checkouts if c.status >= 500]
    print(f"negative control: {len(failed)} of {len(checkouts)} checkouts failed ({Counter(c.kind for c in failed)})")
    assert failed
    assert "deadlock detected" in logs
