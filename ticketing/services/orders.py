"""Orders: reservation under quota locks, confirmation (tickets, participation, notices) and
expiry. Nothing here talks to Stripe (see ``payments``)."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from eventhub import errors
from events.models import Event, Participant

from ..enums import (
    MANUAL_PROVIDERS,
    DiscountKind,
    EntryType,
    OrderStatus,
    PaymentKind,
    PaymentProvider,
    PaymentStatus,
    WaitingListStatus,
)
from ..locking import InventoryBusy, for_update, lock_quotas
from ..models import Order, OrderPosition, Payment, TicketType, Voucher, WaitingListEntry
from ..selectors import payments as payment_selectors
from ..selectors import sales as selectors
from .notify import notify
from .tickets import tickets_issue

MAX_POSITIONS = 50
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PositionInput:
    ticket_type_id: int
    attendee_name: str
    attendee_email: str


def _sold_out(names: list[str]) -> errors.Conflict:
    return errors.Conflict(f"Sold out: {', '.join(sorted(names))}.", code="sold_out")


def _ticket_types(*, event: Event, positions: list[PositionInput], now: datetime) -> dict[int, TicketType]:
    if not positions:
        raise errors.Invalid("An order needs at least one ticket.")
    if len(positions) > MAX_POSITIONS:
        raise errors.Invalid(f"At most {MAX_POSITIONS} tickets per order.")
    wanted = {p.ticket_type_id for p in positions}
    found = {t.pk: t for t in selectors.ticket_types_on_sale(event=event, now=now).filter(pk__in=wanted)}
    if set(found) != wanted:
        raise errors.Invalid("A ticket type is unknown or not on sale now.", code="not_on_sale")
    for ticket_type_id, count in Counter(p.ticket_type_id for p in positions).items():
        ticket_type = found[ticket_type_id]
        if not ticket_type.min_per_order <= count <= ticket_type.max_per_order:
            raise errors.Invalid(
                f"{ticket_type.name}: between {ticket_type.min_per_order} and {ticket_type.max_per_order} per order."
            )
    if len({t.currency for t in found.values()}) > 1:
        raise errors.Invalid("All tickets of an order must be in one currency.")
    return found


def _voucher(*, event: Event, code: str, ticket_type_ids: set[int], now: datetime) -> Voucher:
    """Lock and check the voucher, and take one use of it (given back if the order expires)."""
    voucher = for_update(Voucher.objects.filter(event=event, code=code), no_key=True).first()
    if (
        voucher is None
        or (voucher.valid_from and voucher.valid_from > now)
        or (voucher.valid_until and voucher.valid_until <= now)
        or (voucher.ticket_type_id is not None and voucher.ticket_type_id not in ticket_type_ids)
    ):
        raise errors.Invalid("This voucher code is not valid.", code="invalid_voucher")
    if voucher.times_used >= voucher.max_usages:
        raise errors.Conflict("This voucher has been used up.", code="voucher_used_up")
    Voucher.objects.filter(pk=voucher.pk).update(times_used=F("times_used") + 1)
    return voucher


def _price(ticket_type: TicketType, voucher: Voucher | None) -> Decimal:
    price = ticket_type.price
    if voucher is None or (voucher.ticket_type_id and voucher.ticket_type_id != ticket_type.pk):
        return price
    if voucher.discount_kind == DiscountKind.PERCENT:
        off = (price * voucher.value / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    else:
        off = voucher.value
    return max(price - off, Decimal(0)).quantize(CENT)


def ensure_capacity(
    *, ticket_types: dict[int, TicketType], counts: Counter[int], now: datetime, redeeming: Voucher | None = None
) -> None:
    """Lock every quota the ticket types draw on (pk order), then count: paid + unexpired
    pending positions + open waiting-list offers. Raises ``Conflict`` ``sold_out`` if any quota
    lacks room, ``busy`` if the locks are not granted in time. Precondition: inside the
    transaction that will write the positions.

    ``redeeming``: the order's voucher. If it is a waiting-list offer, the offer becomes a
    position of this order: its hold on the quota ends under the quota locks, before the
    counting (lock order: voucher, quotas, waiting-list entry)."""
    quota_ids = selectors.quotas_of_ticket_types(ticket_type_ids=list(ticket_types))
    missing = [ticket_types[t].name for t, ids in quota_ids.items() if not ids]
    if missing:
        raise _sold_out(missing)
    offer = (
        WaitingListEntry.objects.filter(voucher=redeeming, status=WaitingListStatus.OFFERED)
        if redeeming is not None
        else WaitingListEntry.objects.none()
    )
    # Fail fast without queueing for the lock when an unlocked read already shows no room:
    # capacity only comes back through expiry or refunds, so "sold out" read a moment early is
    # still a correct answer, while "room left" is only trusted under the lock below. (Not for
    # the redeemer of an offer: the seat held for them reads as taken until the offer ends.)
    if settings.TICKETING_LOCK_QUOTAS and not (redeeming is not None and offer.exists()):
        unlocked = selectors.ticket_type_availability(ticket_types=list(ticket_types.values()), now=now)
        empty = [ticket_types[t].name for t, count in counts.items() if unlocked[t] < count]
        if empty:
            raise _sold_out(empty)
    try:
        quotas = lock_quotas(quota_ids={q for ids in quota_ids.values() for q in ids})
    except InventoryBusy:
        raise errors.Conflict("Too many buyers at this moment; try again.", code="busy") from None
    if redeeming is not None:
        offer.update(status=WaitingListStatus.REDEEMED)
    usage = selectors.quota_usage(quotas=quotas, now=now)
    short: list[str] = []
    for quota in quotas:
        needed = sum(count for t, count in counts.items() if quota.pk in quota_ids[t])
        if needed > usage[quota.pk].available:
            short.extend(ticket_types[t].name for t in counts if quota.pk in quota_ids[t])
    if short:
        raise _sold_out(sorted(set(short)))


def _ensure_account_limits(
    *, event: Event, user: User, ticket_types: dict[int, TicketType], counts: Counter[int], pending: bool, now: datetime
) -> None:
    """One account may not take a whole quota: at most ``account_ticket_limit`` tickets of a
    type (its paid and unexpired pending orders count) and at most
    ``TICKETING_MAX_PENDING_ORDERS_PER_ACCOUNT`` unpaid reservations in the event. Called under
    the quota locks, so concurrent orders of one account over the same quotas count each other."""
    held = dict(
        OrderPosition.objects.filter(order__event=event, order__user=user, ticket_type_id__in=list(counts))
        .filter(selectors.holds_capacity(now=now))
        .values_list("ticket_type_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for ticket_type_id, count in counts.items():
        ticket_type = ticket_types[ticket_type_id]
        limit = selectors.account_ticket_limit(ticket_type)
        if held.get(ticket_type_id, 0) + count > limit:
            raise errors.Conflict(
                f"{ticket_type.name}: at most {limit} tickets per account "
                f"(you already hold {held.get(ticket_type_id, 0)}).",
                code="account_limit",
            )
    if pending:
        limit = settings.TICKETING_MAX_PENDING_ORDERS_PER_ACCOUNT
        unpaid = Order.objects.filter(event=event, user=user, status=OrderStatus.PENDING, expires_at__gt=now).count()
        if unpaid >= limit:
            raise errors.Conflict(
                f"You have {unpaid} unpaid orders for this event: pay one or let it expire first.",
                code="too_many_pending_orders",
            )


@transaction.atomic
def order_create(
    *,
    event: Event,
    user: User,
    email: str,
    positions: list[PositionInput],
    voucher_code: str = "",
    payment_method: str = "",
    now: datetime | None = None,
) -> Order:
    """Reserve tickets. Paid orders stay ``pending`` until ``TICKET_RESERVATION_MINUTES`` from
    now and get a Payment row (the Stripe call happens after commit); free orders are
    confirmed at once. Errors: ``Conflict`` ``not_on_sale`` (the event is not selling),
    ``sold_out``, ``busy``, ``voucher_used_up``; ``Invalid`` ``not_on_sale`` (a ticket type),
    ``invalid_voucher``, ``invalid``.

    Paying: ``payment_method`` is one of the organization's methods
    (``selectors.payments.payment_methods``; empty: the first, Stripe when it is set up). A paid
    order without any method is refused at once, before anything is held: ``Conflict``
    ``payments_not_configured``; an unknown method is ``Invalid`` ``payment_method``. A manual
    method (bank transfer, at the door) reserves for the organization's ``manual_payment_days``
    (at the door: until the event ends) and waits for the organizer's "mark as paid".

    Per account (``_ensure_account_limits``): ``Conflict`` ``account_limit`` past the ticket
    type's per-account cap, ``too_many_pending_orders`` past the unpaid reservations allowed.

    Locking (the global order in ``ticketing/locking.py``): the voucher row, then the quota rows
    (pk order), then a redeemed waiting-list offer, until the caller's transaction ends; a view
    that stores its idempotency record in the same transaction keeps them a moment longer."""
    now = now or timezone.now()
    if not user.has_perm("ticketing.buy", event):
        raise errors.Conflict("Tickets for this event are not on sale.", code="not_on_sale")
    ticket_types = _ticket_types(event=event, positions=positions, now=now)
    voucher = None
    if voucher_code.strip():
        voucher = _voucher(event=event, code=voucher_code.strip(), ticket_type_ids=set(ticket_types), now=now)
    counts = Counter(p.ticket_type_id for p in positions)
    prices = [_price(ticket_types[p.ticket_type_id], voucher) for p in positions]
    currency = next(iter(ticket_types.values())).currency
    provider = _payment_provider(event=event, method=payment_method) if sum(prices) > 0 else PaymentProvider.FREE
    ensure_capacity(ticket_types=ticket_types, counts=counts, now=now, redeeming=voucher)
    _ensure_account_limits(
        event=event, user=user, ticket_types=ticket_types, counts=counts, pending=sum(prices) > 0, now=now
    )

    order = Order.objects.create(
        event=event,
        user=user,
        email=email,
        total=sum(prices, Decimal(0)),
        currency=currency,
        voucher=voucher,
        expires_at=_reservation_end(event=event, provider=provider, now=now),
    )
    OrderPosition.objects.bulk_create(
        OrderPosition(
            order=order,
            ticket_type_id=p.ticket_type_id,
            price=price,
            attendee_name=p.attendee_name.strip(),
            attendee_email=p.attendee_email.strip(),
            position=index,
        )
        for index, (p, price) in enumerate(zip(positions, prices, strict=True))
    )
    if order.total == 0:
        Payment.objects.create(
            order=order,
            provider=PaymentProvider.FREE,
            status=PaymentStatus.SUCCEEDED,
            amount=Decimal(0),
            currency=currency,
            succeeded_at=now,
        )
        order_confirm(order=order, now=now)
    elif provider in MANUAL_PROVIDERS:
        Payment.objects.create(
            order=order,
            provider=provider,
            kind=PaymentKind.MANUAL,
            status=PaymentStatus.PENDING,
            amount=order.total,
            currency=currency,
        )
    else:
        Payment.objects.create(order=order, amount=order.total, currency=currency)
    return order


def _payment_provider(*, event: Event, method: str) -> str:
    methods = payment_selectors.payment_methods(organization_id=event.organization_id)
    if not methods:
        raise errors.Conflict(
            _("Payments are not configured for this event: paid tickets cannot be bought yet."),
            code="payments_not_configured",
        )
    if not method:
        return methods[0]
    if method not in methods:
        raise errors.Invalid(
            fields={"payment_method": _("Choose one of: %(methods)s.") % {"methods": ", ".join(methods)}},
            code="payment_method",
        )
    return method


def _reservation_end(*, event: Event, provider: str, now: datetime) -> datetime:
    if provider == PaymentProvider.AT_DOOR:
        return max(event.end, now + timedelta(minutes=settings.TICKET_RESERVATION_MINUTES))
    if provider == PaymentProvider.BANK_TRANSFER:
        config = payment_selectors.payment_settings_of(organization_id=event.organization_id)
        return now + timedelta(days=config.manual_payment_days if config is not None else 7)
    return now + timedelta(minutes=settings.TICKET_RESERVATION_MINUTES)


def order_confirm(*, order: Order, now: datetime | None = None) -> Order:
    """Mark paid and issue one ticket per position; grant the participant kind of the ticket
    types to the buyer; ``order.confirmed`` on ``user:<id>`` and an email. Precondition: the
    order row is locked (or new) and its capacity is secured; call inside a transaction."""
    now = now or timezone.now()
    order.status = OrderStatus.PAID
    order.paid_at = now
    order.expires_at = None
    order.save(update_fields=["status", "paid_at", "expires_at", "updated_at"])
    positions = list(OrderPosition.objects.filter(order=order).select_related("ticket_type"))
    tickets_issue(order=order)
    if order.user_id is not None:
        # The ticket's participant kind; an existing participation (e.g. speaker) is kept.
        kinds = [p.ticket_type.participant_kind for p in positions]
        Participant.objects.get_or_create(event_id=order.event_id, user_id=order.user_id, defaults={"kind": kinds[0]})
    event = order.event
    notify(
        user_id=order.user_id,
        email=order.email,
        type=EntryType.ORDER_CONFIRMED,
        data={
            "order": order.code,
            "event": order.event_id,
            "tickets": len(positions),
            "total": str(order.total),
            "currency": order.currency,
        },
        subject=f"Your tickets for {event.name} (order {order.code})",
        body=f"Thank you! Order {order.code} for {event.name} is confirmed: {len(positions)} ticket(s), "
        f"{order.total} {order.currency}. Your tickets are in the EventHub app.",
    )
    return order


def _release_voucher(order: Order) -> None:
    if order.voucher_id is not None:
        Voucher.objects.filter(pk=order.voucher_id, times_used__gt=0).update(times_used=F("times_used") - 1)


def orders_expire(*, now: datetime | None = None) -> list[Order]:
    """Expire pending orders whose reservation ran out (their capacity is already free by the
    counting rule; this makes it visible and gives the voucher use back). Idempotent; each
    order is re-checked under its row lock (a webhook may be confirming it). Returns the
    orders it expired."""
    now = now or timezone.now()
    expired = []
    candidates = Order.objects.filter(status=OrderStatus.PENDING, expires_at__lte=now).values_list("pk", flat=True)
    for order_id in list(candidates[:1000]):
        with transaction.atomic():
            order = for_update(
                Order.objects.filter(pk=order_id, status=OrderStatus.PENDING, expires_at__lte=now), skip_locked=True
            ).first()
            if order is None:
                continue
            order.status = OrderStatus.EXPIRED
            order.save(update_fields=["status", "updated_at"])
            Payment.objects.filter(order=order, status__in=[PaymentStatus.CREATED, PaymentStatus.PENDING]).update(
                status=PaymentStatus.CANCELLED
            )
            _release_voucher(order)
            expired.append(order)
    return expired


def order_cancel_unpaid(*, order: Order, now: datetime | None = None) -> Order:
    """Cancel a locked pending order (e.g. its late payment was refunded)."""
    now = now or timezone.now()
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = now
    order.save(update_fields=["status", "cancelled_at", "updated_at"])
    return order
