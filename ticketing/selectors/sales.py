"""Reads for ticketing: availability (the same counting the order service does under its
locks), the public catalogue, the sales overview and order search.

The ``*_access`` helpers fetch one object of the event by the id (or code) in a URL and
authorize in the same call (``access.reachable``)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from accounts.models import User
from eventhub.access import reachable
from events.models import Event

from ..enums import OrderStatus, PaymentStatus, RefundStatus, WaitingListStatus
from ..models import Order, OrderPosition, Payment, Quota, Refund, TicketType, Voucher, WaitingListEntry

# Orders whose positions hold capacity for good (tickets exist); pending ones hold it until expiry.
HOLDING_STATUSES = (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)


def holds_capacity(*, now: datetime, prefix: str = "order__") -> Q:
    return Q(**{f"{prefix}status__in": HOLDING_STATUSES}) | Q(
        **{f"{prefix}status": OrderStatus.PENDING, f"{prefix}expires_at__gt": now}
    )


@dataclass(frozen=True)
class QuotaUsage:
    quota_id: int
    size: int
    sold: int
    reserved: int
    offered: int

    @property
    def taken(self) -> int:
        return self.sold + self.reserved + self.offered

    @property
    def available(self) -> int:
        return max(self.size - self.taken, 0)


def quota_usage(*, quotas: list[Quota], now: datetime | None = None) -> dict[int, QuotaUsage]:
    """Sold (paid), reserved (pending, unexpired) and offered (open waiting-list offers) per
    quota, in two queries. Under ``lock_quotas`` the numbers are exact for the transaction."""
    now = now or timezone.now()
    ids = [quota.pk for quota in quotas]
    positions = (
        OrderPosition.objects.filter(ticket_type__quotas__in=ids)
        .values("ticket_type__quotas")
        .annotate(
            sold=Count("pk", filter=Q(order__status__in=HOLDING_STATUSES)),
            reserved=Count("pk", filter=Q(order__status=OrderStatus.PENDING, order__expires_at__gt=now)),
        )
        .order_by()
    )
    by_quota = {row["ticket_type__quotas"]: row for row in positions}
    offers = (
        WaitingListEntry.objects.filter(
            ticket_type__quotas__in=ids, status=WaitingListStatus.OFFERED, offer_expires_at__gt=now
        )
        .values("ticket_type__quotas")
        .annotate(offered=Count("pk"))
        .order_by()
    )
    offered = {row["ticket_type__quotas"]: row["offered"] for row in offers}
    return {
        quota.pk: QuotaUsage(
            quota_id=quota.pk,
            size=quota.size,
            sold=by_quota.get(quota.pk, {}).get("sold", 0),
            reserved=by_quota.get(quota.pk, {}).get("reserved", 0),
            offered=offered.get(quota.pk, 0),
        )
        for quota in quotas
    }


def quotas_of_ticket_types(*, ticket_type_ids: list[int]) -> dict[int, list[int]]:
    """ticket type id -> its quota ids (a ticket type without a quota is not on sale)."""
    result: dict[int, list[int]] = {pk: [] for pk in ticket_type_ids}
    through = Quota.ticket_types.through.objects.filter(tickettype_id__in=ticket_type_ids)
    for ticket_type_id, quota_id in through.values_list("tickettype_id", "quota_id"):
        result[ticket_type_id].append(quota_id)
    return result


def ticket_type_availability(*, ticket_types: list[TicketType], now: datetime | None = None) -> dict[int, int]:
    """How many more of each ticket type can be sold right now: the smallest availability of its
    quotas (0 without a quota)."""
    now = now or timezone.now()
    quota_ids = quotas_of_ticket_types(ticket_type_ids=[t.pk for t in ticket_types])
    quotas = list(Quota.objects.filter(pk__in={q for ids in quota_ids.values() for q in ids}))
    usage = quota_usage(quotas=quotas, now=now)
    return {t.pk: min((usage[q].available for q in quota_ids[t.pk]), default=0) for t in ticket_types}


def account_ticket_limit(ticket_type: TicketType) -> int:
    """How many tickets of the type one account may hold (paid and reserved): the type's own
    ``max_per_account``, else ``TICKETING_MAX_TICKETS_PER_ACCOUNT`` but at least one full order."""
    if ticket_type.max_per_account is not None:
        return ticket_type.max_per_account
    return max(settings.TICKETING_MAX_TICKETS_PER_ACCOUNT, ticket_type.max_per_order)


def ticket_types_on_sale(*, event: Event, now: datetime | None = None) -> QuerySet[TicketType]:
    now = now or timezone.now()
    return (
        TicketType.objects.filter(event=event, active=True)
        .filter(Q(sales_start__isnull=True) | Q(sales_start__lte=now))
        .filter(Q(sales_end__isnull=True) | Q(sales_end__gt=now))
        .order_by("position", "name", "id")
    )


def ticket_types_of_event(*, event: Event) -> QuerySet[TicketType]:
    return TicketType.objects.filter(event=event).prefetch_related("quotas").order_by("position", "name", "id")


def event_currency(*, event: Event, exclude: int | None = None) -> str | None:
    """The currency the event sells in: its ticket types' (one per event), or None before the
    first ticket type (``exclude``: the ticket type being edited, which may still change it
    while it is the only one)."""
    types = TicketType.objects.filter(event=event)
    if exclude is not None:
        types = types.exclude(pk=exclude)
    return types.order_by("position", "id").values_list("currency", flat=True).first()


def quotas_of_event(*, event: Event) -> QuerySet[Quota]:
    return Quota.objects.filter(event=event).prefetch_related("ticket_types").order_by("name", "id")


def vouchers_of_event(*, event: Event) -> QuerySet[Voucher]:
    return Voucher.objects.filter(event=event).select_related("ticket_type").order_by("code")


def ticket_type_access(*, user: User | AnonymousUser, event: Event, ticket_type_id: int, permission: str) -> TicketType:
    ticket_type = TicketType.objects.filter(event=event, pk=ticket_type_id).first()
    return reachable(ticket_type, user=user, permission=permission, target=event)


def quota_access(*, user: User | AnonymousUser, event: Event, quota_id: int, permission: str) -> Quota:
    quota = Quota.objects.filter(event=event, pk=quota_id).first()
    return reachable(quota, user=user, permission=permission, target=event)


def voucher_access(*, user: User | AnonymousUser, event: Event, voucher_id: int, permission: str) -> Voucher:
    voucher = Voucher.objects.filter(event=event, pk=voucher_id).first()
    return reachable(voucher, user=user, permission=permission, target=event)


@dataclass(frozen=True)
class SalesOverview:
    quotas: list[tuple[Quota, QuotaUsage]]
    revenue: dict[str, Decimal]  # currency -> paid minus refunded
    orders_by_status: dict[str, int]
    waiting: int


def sales_overview(*, event: Event, now: datetime | None = None) -> SalesOverview:
    now = now or timezone.now()
    quotas = list(quotas_of_event(event=event))
    usage = quota_usage(quotas=quotas, now=now)
    paid = (
        Payment.objects.filter(order__event=event, status__in=_PAID_PAYMENT_STATUSES)
        .values("currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    refunded = (
        Refund.objects.filter(payment__order__event=event, status=RefundStatus.SUCCEEDED)
        .values("payment__currency")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    revenue: dict[str, Decimal] = {row["currency"]: row["total"] for row in paid}
    for row in refunded:
        revenue[row["payment__currency"]] = revenue.get(row["payment__currency"], Decimal(0)) - row["total"]
    statuses = Order.objects.filter(event=event).values("status").annotate(n=Count("pk")).order_by()
    waiting = WaitingListEntry.objects.filter(event=event, status=WaitingListStatus.WAITING).count()
    return SalesOverview(
        quotas=[(quota, usage[quota.pk]) for quota in quotas],
        revenue=revenue,
        orders_by_status={row["status"]: row["n"] for row in statuses},
        waiting=waiting,
    )


_PAID_PAYMENT_STATUSES = (PaymentStatus.SUCCEEDED, PaymentStatus.REFUNDED, PaymentStatus.PARTIALLY_REFUNDED)


def order_search(*, event: Event, query: str = "") -> QuerySet[Order]:
    """Orders of the event matching a code, an email (buyer or attendee) or an attendee name."""
    orders = Order.objects.filter(event=event)
    query = query.strip()
    if query:
        matching = OrderPosition.objects.filter(
            Q(attendee_name__icontains=query) | Q(attendee_email__icontains=query)
        ).values("order_id")
        orders = orders.filter(Q(code__iexact=query) | Q(email__icontains=query) | Q(pk__in=matching))
    return orders.annotate(position_count=Count("positions")).order_by("-created_at", "-id")


def order_get(*, event: Event, code: str) -> Order | None:
    return (
        Order.objects.filter(event=event, code=code)
        .select_related("voucher", "user")
        .prefetch_related(
            Prefetch("positions", queryset=OrderPosition.objects.select_related("ticket_type", "ticket")),
            Prefetch("payments", queryset=Payment.objects.prefetch_related("refunds")),
        )
        .first()
    )


def order_access(*, user: User | AnonymousUser, event: Event, code: str, permission: str | None) -> Order:
    """The event's order ``code``: any order of the event for a holder of ``permission`` on it
    (organizer pages); with ``permission=None``, only an order the user placed (the buyer's API)."""
    order = order_get(event=event, code=code)
    if permission is None and order is not None and order.user_id != user.pk:
        order = None
    return reachable(order, user=user, permission=permission, target=event)


def refundable_amount(*, payment: Payment) -> Decimal:
    """What may still be refunded of a payment: nothing unless money arrived (a pending,
    failed or cancelled attempt holds none) and nothing of a free order."""
    if payment.status not in (PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED) or payment.amount == 0:
        return Decimal(0)
    refunded = payment.refunds.exclude(status=RefundStatus.FAILED).aggregate(total=Sum("amount"))["total"]
    return payment.amount - (refunded or Decimal(0))
