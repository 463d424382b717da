"""Row locks. Inventory: quota rows are locked ``FOR UPDATE`` in primary-key order (so two orders
over overlapping quotas never deadlock) for the rest of the caller's transaction; every write
that takes capacity (an order, a late payment, a waiting-list offer) counts only after it.

A lock wait past ``lock_timeout`` is turned into :class:`InventoryBusy` (a retryable 409),
never a 500.

Other rows (an order, a ticket, a catalogue entry) are re-read ``FOR UPDATE`` by the service
that changes them through :func:`locked_row`, so a row deleted since the caller read it is a
``NotFound`` domain error, never a ``DoesNotExist`` escaping the service."""

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
            return list(queryset.select_for_update())
    except OperationalError as error:
        if "lock timeout" in str(error) or "could not obtain lock" in str(error):
            raise InventoryBusy from error
        raise


def locked_row(queryset: QuerySet[M], *, of: tuple[str, ...] = (), **lookup: Any) -> M:
    """``queryset.select_for_update(of=of).get(**lookup)``: the row, locked until the
    transaction ends; ``NotFound`` if it is gone."""
    try:
        return queryset.select_for_update(of=of).get(**lookup)
    except ObjectDoesNotExist:  # the model's DoesNotExist
        raise errors.NotFound() from None
