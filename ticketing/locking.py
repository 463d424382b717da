"""Row locks, in one global order (docs/decisions.md, "Lock order"). A transaction that takes
several of these takes them in this order and never the other way round:

1. the order row (a webhook, the expiry sweep, a refund, starting a payment);
2. that order's payment rows;
3. the voucher (by code);
4. quota rows, in primary-key order (:func:`lock_quotas`);
5. waiting-list entries (an offer being redeemed; offers skip locked entries);
6. rows written under those (tickets, participation, the idempotency record), then the hot
   counters last: the check-in counter row and the stream head rows (``stream_append`` last).

Every lock names only its own table (``FOR UPDATE OF <table>``, :func:`for_update`): the tenant
scope of an event-scoped model joins ``events_event``, and a bare ``FOR UPDATE`` would lock that
event row too — one row shared by every checkout, webhook and expiry of the event, taken in a
different place on each path, which deadlocked checkouts (issue 11).

A lock wait past ``lock_timeout`` on the quotas is turned into :class:`InventoryBusy` (a
retryable 409), never a 500. Other rows are re-read through :func:`locked_row`, so a row deleted
since the caller read it is a ``NotFound`` domain error, never a ``DoesNotExist`` escaping the
service."""

from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import OperationalError, connection, transaction
from django.db.models import Model, QuerySet

from eventhub import errors

from .models import Quota

M = TypeVar("M", bound=Model)

LOCK_TIMEOUT = "10s"


class InventoryBusy(Exception):
    """The quota lock was not granted in time; the client may retry."""


def for_update(queryset: QuerySet[M], *, no_key: bool = False, skip_locked: bool = False) -> QuerySet[M]:
    """``SELECT … FOR [NO KEY] UPDATE OF <the queryset's own table>``: the rows meant and not
    the rows its joins (tenant scope, ``select_related``) read. ``no_key`` when only non-key
    columns change (inserts referencing the row are then not blocked).

    ``settings.TICKETING_LOCK_JOINED_ROWS`` (test-only negative control, never in production)
    restores the lock sets from before: every joined row locked ``FOR UPDATE`` as well."""
    if settings.TICKETING_LOCK_JOINED_ROWS:
        return queryset.select_for_update(skip_locked=skip_locked)
    return queryset.select_for_update(of=("self",), no_key=no_key, skip_locked=skip_locked)


def lock_quotas(*, quota_ids: Iterable[int]) -> list[Quota]:
    """Lock the given quotas until the transaction ends; returns them in pk order.

    Precondition: inside ``transaction.atomic``. With ``settings.TICKETING_LOCK_QUOTAS`` off
    (test-only negative control) the rows are read without a lock."""
    if not connection.in_atomic_block:
        raise RuntimeError("lock_quotas needs a transaction")
    ids = sorted(set(quota_ids))
    if not ids:
        return []
    queryset = Quota.objects.filter(pk__in=ids).order_by("pk")
    if not settings.TICKETING_LOCK_QUOTAS:
        return list(queryset)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
    try:
        with transaction.atomic():
            return list(for_update(queryset))
    except OperationalError as error:
        if "lock timeout" in str(error) or "could not obtain lock" in str(error):
            raise InventoryBusy from error
        raise


def locked_row(queryset: QuerySet[M], *, no_key: bool = False, **lookup: Any) -> M:
    """The row, locked (its own table only, :func:`for_update`) until the transaction ends;
    ``NotFound`` if it is gone."""
    try:
        return for_update(queryset, no_key=no_key).get(**lookup)
    except ObjectDoesNotExist:  # the model's DoesNotExist
        raise errors.NotFound() from None
