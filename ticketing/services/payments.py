"""Stripe: PaymentIntents (phone), Checkout Sessions (web), the webhook — the only thing that
marks a paid order paid — and refunds (portal, and automatic for a payment that came too late).

Stripe is called outside our row locks where we can (creating intents and sessions, portal
refunds) and always with an idempotency key derived from our attempt id, so a retry after a
crash or a redelivered webhook never charges or refunds twice."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from eventhub import errors
from eventhub.audit import audit_log
from eventhub.services import require_permission
from events.tenancy import event_scope

from .. import stripe_client
from ..enums import EntryType, OrderStatus, PaymentKind, PaymentProvider, PaymentStatus, RefundStatus
from ..locking import for_update, locked_row
from ..models import Order, OrderPosition, Payment, Refund, StripeEvent, Ticket, TicketType
from ..selectors import sales as selectors
from .notify import notify
from .orders import ensure_capacity, order_cancel_unpaid, order_confirm

OPEN_PAYMENT = (PaymentStatus.CREATED, PaymentStatus.PENDING)


def _unavailable() -> errors.Unavailable:
    return errors.Unavailable("The payment provider is not reachable.", code="payment_unavailable")


def _metadata(payment: Payment) -> dict[str, str]:
    return {
        "order_code": payment.order.code,
        "payment_attempt": str(payment.attempt_id),
        "event_id": str(payment.order.event_id),
    }


def _open_payment(*, order: Order, kind: str) -> Payment:
    """The order's open payment attempt of this kind, or a new one."""
    with transaction.atomic():
        order = locked_row(Order.objects.all(), pk=order.pk)
        if order.status != OrderStatus.PENDING or order.total == 0:
            raise errors.Conflict("This order is not awaiting payment.", code="not_payable")
        payment = (
            Payment.objects.filter(order=order, provider=PaymentProvider.STRIPE, kind=kind, status__in=OPEN_PAYMENT)
            .order_by("-created_at")
            .first()
        )
        if payment is None:
            payment = Payment.objects.create(order=order, kind=kind, amount=order.total, currency=order.currency)
        payment.order = order
        return payment


def payment_intent_for_order(*, order: Order) -> tuple[Payment, str]:
    """The client secret of the order's PaymentIntent, creating the intent once per payment
    attempt. Call after the order committed (a webhook may then arrive at any moment: it finds
    the order by the intent's metadata). Raises ``Conflict`` ``not_payable``, ``Unavailable``
    ``payment_unavailable`` (Stripe not reachable)."""
    payment = _open_payment(order=order, kind=PaymentKind.PAYMENT_INTENT)
    try:
        if payment.stripe_payment_intent_id:
            intent = stripe_client.payment_intent_retrieve(payment_intent_id=payment.stripe_payment_intent_id)
        else:
            intent = stripe_client.payment_intent_create(
                amount=payment.amount,
                currency=payment.currency,
                metadata=_metadata(payment),
                idempotency_key=f"eventhub-pi-{payment.attempt_id}",
            )
    except stripe_client.StripeUnavailable as error:
        raise _unavailable() from error
    if not payment.stripe_payment_intent_id:
        Payment.objects.filter(pk=payment.pk, stripe_payment_intent_id="").update(stripe_payment_intent_id=intent.id)
        Payment.objects.filter(pk=payment.pk, status=PaymentStatus.CREATED).update(status=PaymentStatus.PENDING)
        payment.stripe_payment_intent_id = intent.id
    return payment, str(intent.client_secret)


def checkout_session_for_order(*, order: Order, success_url: str, cancel_url: str) -> tuple[Payment, str]:
    """A Stripe Checkout Session for the web; returns the page URL to send the buyer to. The
    session's intent carries the same metadata, so the webhook handles both kinds alike.
    Raises like ``payment_intent_for_order``."""
    payment = _open_payment(order=order, kind=PaymentKind.CHECKOUT_SESSION)
    try:
        session = stripe_client.checkout_session_create(
            amount=payment.amount,
            currency=payment.currency,
            name=f"{order.event.name} — order {order.code}",
            metadata=_metadata(payment),
            success_url=success_url,
            cancel_url=cancel_url,
            customer_email=order.email,
            idempotency_key=f"eventhub-cs-{payment.attempt_id}",
        )
    except stripe_client.StripeUnavailable as error:
        raise _unavailable() from error
    Payment.objects.filter(pk=payment.pk).update(stripe_checkout_session_id=session.id, status=PaymentStatus.PENDING)
    return payment, str(session.url)


# --- webhook ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookOutcome:
    status: str  # processed | duplicate | ignored


def _order_event_id(order_code: str) -> int | None:
    """The tenant key of an order named by a webhook (the webhook has no tenant in its URL):
    like the lookups in eventhub/tenancy.py it returns a key, never tenant data."""
    if not order_code:
        return None
    return Order.objects.with_scopes_disabled().filter(code=order_code).values_list("event_id", flat=True).first()


def stripe_webhook_process(*, payload: bytes, signature: str) -> WebhookOutcome:
    """Verify and apply one Stripe event. Raises ``Invalid`` ``invalid_signature`` for a bad
    payload or signature (nothing changed), ``Unavailable`` if an automatic refund cannot reach
    Stripe (nothing changed either: Stripe delivers the event again).

    Idempotent per Stripe event id: the StripeEvent row is inserted in the same transaction as
    the effect, so a redelivery (or a concurrent duplicate, which waits on the unique index) is
    skipped. Out-of-order delivery is tolerated because every handler only moves a payment
    forward (a failure after a success changes nothing)."""
    try:
        event = stripe_client.webhook_event(payload=payload, signature=signature)
    except stripe_client.InvalidWebhook:
        raise errors.Invalid("The webhook signature does not verify.", code="invalid_signature") from None
    obj: dict[str, Any] = event.data.object.to_dict()
    metadata = dict(obj.get("metadata") or {})
    order_code = str(metadata.get("order_code", ""))
    event_id = _order_event_id(order_code)
    with event_scope(event_id or 0), transaction.atomic():
        try:
            with transaction.atomic():
                StripeEvent.objects.create(stripe_event_id=event.id, type=event.type, order_code=order_code)
        except IntegrityError:
            return WebhookOutcome(status="duplicate")
        if event_id is None:
            return WebhookOutcome(status="ignored")
        attempt = str(metadata.get("payment_attempt", ""))
        if event.type == "payment_intent.succeeded":
            _payment_succeeded(
                order_code=order_code,
                attempt=attempt,
                intent_id=obj["id"],
                amount=stripe_client.from_minor_units(
                    int(obj.get("amount_received") or obj["amount"]), obj["currency"]
                ),
            )
        elif event.type == "checkout.session.completed" and obj.get("payment_status") == "paid":
            _payment_succeeded(
                order_code=order_code,
                attempt=attempt,
                intent_id=str(obj.get("payment_intent") or ""),
                amount=stripe_client.from_minor_units(int(obj["amount_total"]), obj["currency"]),
            )
        elif event.type in ("payment_intent.payment_failed", "payment_intent.canceled"):
            target = PaymentStatus.FAILED if event.type.endswith("failed") else PaymentStatus.CANCELLED
            Payment.objects.filter(_payment_match(attempt, obj["id"]), order__code=order_code).filter(
                status__in=OPEN_PAYMENT
            ).update(status=target)
        else:
            return WebhookOutcome(status="ignored")
    return WebhookOutcome(status="processed")


def _payment_match(attempt: str, intent_id: str) -> Q:
    match = Q(pk__in=[])
    if attempt:
        match |= Q(attempt_id=attempt)
    if intent_id:
        match |= Q(stripe_payment_intent_id=intent_id)
    return match


def _payment_succeeded(*, order_code: str, attempt: str, intent_id: str, amount: Decimal) -> None:
    """Money arrived. A pending order within its reservation is confirmed. A late one (its
    reservation expired) is confirmed only if its quotas still have room, counted under the
    quota locks; otherwise — and for an order already paid or cancelled — the money goes back
    at once (automatic refund) and the order is cancelled: never oversold."""
    now = timezone.now()
    order = locked_row(Order.objects.select_related("event"), code=order_code)
    payment = for_update(Payment.objects.filter(_payment_match(attempt, intent_id), order=order)).first()
    if payment is None:  # an intent we did not create for this order (should not happen)
        payment = Payment.objects.create(order=order, amount=amount, currency=order.currency)
    if payment.status not in (*OPEN_PAYMENT, PaymentStatus.FAILED, PaymentStatus.CANCELLED):
        return  # already applied (succeeded, refunded)
    payment.status = PaymentStatus.SUCCEEDED
    payment.succeeded_at = now
    payment.amount = amount
    if intent_id:
        payment.stripe_payment_intent_id = intent_id
    payment.save(update_fields=["status", "succeeded_at", "amount", "stripe_payment_intent_id"])
    payment.order = order

    if order.status == OrderStatus.PENDING and order.expires_at and order.expires_at > now:
        order_confirm(order=order, now=now)
        return
    if order.status in (OrderStatus.PENDING, OrderStatus.EXPIRED) and _capacity_back(order=order, now=now):
        order_confirm(order=order, now=now)
        return
    _refund_automatically(payment=payment, reason="Payment arrived after the reservation ended; sold out.")
    if order.status in (OrderStatus.PENDING, OrderStatus.EXPIRED):
        order_cancel_unpaid(order=order, now=now)


def _capacity_back(*, order: Order, now: datetime) -> bool:
    positions = list(OrderPosition.objects.filter(order=order).values_list("ticket_type_id", flat=True))
    ticket_types = {t.pk: t for t in TicketType.objects.filter(pk__in=set(positions))}
    try:
        with transaction.atomic():
            ensure_capacity(ticket_types=ticket_types, counts=Counter(positions), now=now)
    except errors.Conflict:  # sold_out, busy
        return False
    return True


def _refund_automatically(*, payment: Payment, reason: str) -> Refund:
    """Inside the webhook's transaction: the Stripe refund's idempotency key comes from the
    payment attempt, so if our transaction rolls back and Stripe redelivers, the second call
    returns the same refund instead of refunding twice."""
    refund = Refund.objects.create(payment=payment, amount=payment.amount, reason=reason, automatic=True)
    try:
        result = stripe_client.refund_create(
            payment_intent_id=payment.stripe_payment_intent_id,
            amount=payment.amount,
            currency=payment.currency,
            metadata={"order_code": payment.order.code, "refund_attempt": str(refund.attempt_id)},
            idempotency_key=f"eventhub-autorefund-{payment.attempt_id}",
        )
    except stripe_client.StripeUnavailable as error:
        raise _unavailable() from error
    refund.status = RefundStatus.SUCCEEDED if result.status in ("succeeded", "pending") else RefundStatus.FAILED
    refund.stripe_refund_id = result.id
    refund.save(update_fields=["status", "stripe_refund_id"])
    payment.status = PaymentStatus.REFUNDED
    payment.save(update_fields=["status"])
    notify(
        user_id=payment.order.user_id,
        email=payment.order.email,
        type=EntryType.ORDER_REFUNDED,
        data={"order": payment.order.code, "amount": str(refund.amount), "currency": payment.currency},
        subject=f"Refund for order {payment.order.code}",
        body=f"We could not keep your order {payment.order.code}: {reason} "
        f"{refund.amount} {payment.currency} are on their way back to you.",
    )
    return refund


# --- refunds from the portal -----------------------------------------------------------------


def refund_create(*, actor: User, order: Order, amount: Decimal, reason: str = "") -> Refund:
    """Refund part or all of the order's Stripe payment. Three steps so that Stripe is never
    called under a lock: (1) under the order lock, check the refundable amount and write a
    pending Refund (so a double click cannot refund twice); (2) call Stripe with a key from the
    refund's attempt id; (3) record the outcome, update payment and order (fully refunded:
    tickets revoked, capacity returns), audit entry, ``order.refunded`` on ``user:<id>``."""
    require_permission(actor, "ticketing.refund_order", order.event)
    with transaction.atomic():
        order = locked_row(Order.objects.select_related("event"), pk=order.pk)
        payment = (
            Payment.objects.filter(
                order=order,
                provider=PaymentProvider.STRIPE,
                status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED],
            )
            .order_by("-succeeded_at")
            .first()
        )
        if payment is None or order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
            raise errors.Invalid(fields={"amount": "This order has no payment to refund."})
        refundable = selectors.refundable_amount(payment=payment)
        if amount <= 0 or amount > refundable:
            raise errors.Invalid(
                fields={"amount": f"Enter an amount between 0.01 and {refundable} {payment.currency}."}
            )
        refund = Refund.objects.create(payment=payment, amount=amount, reason=reason, created_by=actor)
    try:
        result = stripe_client.refund_create(
            payment_intent_id=payment.stripe_payment_intent_id,
            amount=amount,
            currency=payment.currency,
            metadata={"order_code": order.code, "refund_attempt": str(refund.attempt_id)},
            idempotency_key=f"eventhub-refund-{refund.attempt_id}",
        )
    except stripe_client.StripeUnavailable as error:
        Refund.objects.filter(pk=refund.pk).update(status=RefundStatus.FAILED)
        raise errors.Invalid(fields={"amount": f"Stripe refused the refund: {error}"}) from error
    with transaction.atomic():
        order = locked_row(Order.objects.select_related("event"), pk=order.pk)
        refund.status = RefundStatus.SUCCEEDED if result.status in ("succeeded", "pending") else RefundStatus.FAILED
        refund.stripe_refund_id = result.id
        refund.save(update_fields=["status", "stripe_refund_id"])
        full = selectors.refundable_amount(payment=payment) == 0
        payment.status = PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED
        payment.save(update_fields=["status"])
        order.status = OrderStatus.REFUNDED if full else OrderStatus.PARTIALLY_REFUNDED
        order.save(update_fields=["status", "updated_at"])
        if full:
            Ticket.objects.filter(order_position__order=order, revoked=False).update(
                revoked=True, revoked_at=timezone.now()
            )
        audit_log(
            actor=actor,
            organization_id=order.event.organization_id,
            event_id=order.event_id,
            action="order.refunded",
            obj=order,
            changes={"amount": str(amount), "currency": payment.currency, "full": full, "reason": reason},
        )
        notify(
            user_id=order.user_id,
            email=order.email,
            type=EntryType.ORDER_REFUNDED,
            data={"order": order.code, "amount": str(amount), "currency": payment.currency, "full": full},
            subject=f"Refund for order {order.code}",
            body=f"{amount} {payment.currency} of order {order.code} have been refunded.",
        )
    return refund
