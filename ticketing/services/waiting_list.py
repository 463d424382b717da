"""The waiting list: join when a ticket type is sold out; offered in join order when capacity
comes back. An offer is a single-use voucher for that ticket type, valid for
``WAITING_LIST_OFFER_HOURS``; while open it holds one unit of the quota (see
``selectors.quota_usage``), so the next buyer in the shop cannot take it from the person
whose turn it is."""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from eventhub import errors

from ..enums import DiscountKind, EntryType, WaitingListStatus
from ..locking import InventoryBusy, for_update, lock_quotas
from ..models import TicketType, Voucher, WaitingListEntry
from ..selectors import sales as selectors
from .notify import notify


def waiting_list_join(*, ticket_type: TicketType, user: User, email: str) -> tuple[WaitingListEntry, bool]:
    """Join (idempotent per email and ticket type while waiting or offered). Only for a sold-out
    ticket type on sale: otherwise ``Conflict`` ``not_sold_out`` (buy instead) or
    ``not_on_sale``."""
    event = ticket_type.event
    if not user.has_perm("ticketing.buy", event) or not ticket_type.active:
        raise errors.Conflict("Tickets for this event are not on sale.", code="not_on_sale")
    available = selectors.ticket_type_availability(ticket_types=[ticket_type])[ticket_type.pk]
    if available > 0:
        raise errors.Conflict("Tickets are still available: buy one instead.", code="not_sold_out")
    open_entries = WaitingListEntry.objects.filter(
        ticket_type=ticket_type, email__iexact=email, status__in=[WaitingListStatus.WAITING, WaitingListStatus.OFFERED]
    )
    existing = open_entries.first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            entry = WaitingListEntry.objects.create(
                event=event, ticket_type=ticket_type, user=user, email=email.lower()
            )
    except IntegrityError:
        # A concurrent join of the same email won; its entry is the answer (or, if it was
        # redeemed or cancelled in the meantime, the join is refused like any other race).
        existing = open_entries.first()
        if existing is None:
            raise errors.Conflict("The waiting list changed meanwhile; try again.", code="busy") from None
        return existing, False
    return entry, True


def offers_expire(*, now: datetime | None = None) -> int:
    """Open offers past their time end (their hold on the quota ends by the counting rule)."""
    now = now or timezone.now()
    return WaitingListEntry.objects.filter(status=WaitingListStatus.OFFERED, offer_expires_at__lte=now).update(
        status=WaitingListStatus.EXPIRED
    )


def waiting_list_offer(*, ticket_type: TicketType, now: datetime | None = None) -> list[WaitingListEntry]:
    """Offer as many waiting entries (oldest first) as the ticket type has room for, counted
    under the quota locks. Each offer: a single-use voucher, ``waiting_list.offered`` on the
    person's ``user:<id>`` stream (if they have an account) and an email. Idempotent."""
    now = now or timezone.now()
    with transaction.atomic():
        quota_ids = selectors.quotas_of_ticket_types(ticket_type_ids=[ticket_type.pk])[ticket_type.pk]
        if not quota_ids:
            return []
        try:
            lock_quotas(quota_ids=quota_ids)
        except InventoryBusy:
            return []  # the next run offers them
        room = selectors.ticket_type_availability(ticket_types=[ticket_type], now=now)[ticket_type.pk]
        if room <= 0:
            return []
        entries = list(
            for_update(
                WaitingListEntry.objects.filter(ticket_type=ticket_type, status=WaitingListStatus.WAITING),
                skip_locked=True,
            ).order_by("created_at", "id")[:room]
        )
        expires = now + timedelta(hours=settings.WAITING_LIST_OFFER_HOURS)
        for entry in entries:
            voucher = Voucher.objects.create(
                event_id=ticket_type.event_id,
                code=f"WL-{secrets.token_hex(5).upper()}",
                discount_kind=DiscountKind.PERCENT,
                value=0,
                max_usages=1,
                valid_until=expires,
                ticket_type=ticket_type,
                comment=f"Waiting list offer for {entry.email}",
            )
            entry.status = WaitingListStatus.OFFERED
            entry.offered_at = now
            entry.offer_expires_at = expires
            entry.voucher = voucher
            entry.save(update_fields=["status", "offered_at", "offer_expires_at", "voucher"])
            notify(
                user_id=entry.user_id,
                email=entry.email,
                type=EntryType.WAITING_LIST_OFFERED,
                data={
                    "event": ticket_type.event_id,
                    "ticket_type": ticket_type.pk,
                    "voucher": voucher.code,
                    "expires_at": expires.isoformat(),
                },
                subject=f"A ticket for you: {ticket_type.name}",
                body=f"A {ticket_type.name} ticket is free for you. Use voucher code {voucher.code} "
                f"before {expires:%Y-%m-%d %H:%M} UTC.",
            )
        return entries


def waiting_lists_offer(*, now: datetime | None = None) -> int:
    """Offer free capacity to every ticket type that has people waiting."""
    now = now or timezone.now()
    ids = (
        WaitingListEntry.objects.filter(status=WaitingListStatus.WAITING)
        .values_list("ticket_type_id", flat=True)
        .distinct()
        .order_by()
    )
    offered = 0
    for ticket_type in TicketType.objects.filter(pk__in=list(ids)).select_related("event"):
        offered += len(waiting_list_offer(ticket_type=ticket_type, now=now))
    return offered
