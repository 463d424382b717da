"""Stripe: PaymentIntents (phone), Checkout Sessions (web), the webhook — the only thing that
marks a paid order paid — and refunds (portal, and automatic for a payment that came too late).

Stripe is called outside our row locks where we can (creating intents and sessions, portal
refunds) and always with an idempotency key derived from our attempt id, so a retry after a
crash or a redelivered webhook never charges or refunds twice."""

import json
import logging
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from eventhub import errors
from eventhub.audit import audit_log
from eventhub.realtime.services import stream_append
from eventhub.realtime.streams import event_staff_stream
from eventhub.services import require_permission
from events.tenancy import event_scope

from .. import stripe_client
from ..enums import (
    MANUAL_PROVIDERS,
    EntryType,
    OrderStatus,
    PaymentKind,
    PaymentProvider,
    PaymentStatus,
    RefundStatus,
)
from ..locking import for_update, locked_row
from ..models import Order, OrderPosition, Payment, Refund, StripeEvent, Ticket, TicketType, Voucher
from ..selectors import payments as payment_selectors
from ..selectors import sales as selectors
from .notify import notify
from .orders import ensure_capacity, order_cancel_unpaid, order_confirm

logger = logging.getLogger(__name__)

OPEN_PAYMENT = (PaymentStatus.CREATED, PaymentStatus.PENDING)


def _unavailable() -> errors.Unavailable:
    return errors.Unavailable("The payment provider is not reachable.", code="payment_unavailable")


def not_configured() -> errors.Conflict:
    return errors.Conflict(
        _("Payments are not configured for this event: paid tickets cannot be bought yet."),
        code="payments_not_configured",
    )


def _account(order: Order) -> payment_selectors.StripeAccount:
    """The Stripe account of the order's organization; ``Conflict`` ``payments_not_configured``
    at once when there is none (no call to Stripe with a placeholder key)."""
    account = payment_selectors.stripe_account(organization_id=order.event.organization_id)
    if account is None:
        raise not_configured()
    return account


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
    account = _account(order)
    payment = _open_payment(order=order, kind=PaymentKind.PAYMENT_INTENT)
    try:
        if payment.stripe_payment_intent_id:
            intent = stripe_client.payment_intent_retrieve(
                api_key=account.secret_key, payment_intent_id=payment.stripe_payment_intent_id
            )
        else:
            intent = stripe_client.payment_intent_create(
                api_key=account.secret_key,
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
    account = _account(order)
    payment = _open_payment(order=order, kind=PaymentKind.CHECKOUT_SESSION)
    try:
        session = stripe_client.checkout_session_create(
            api_key=account.secret_key,
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


def _organization_signed(*, payload: bytes, signature: str) -> Any | None:
    """An event for an organization with its own Stripe account is signed with that account's
    webhook secret: the order named in the (not yet trusted) body leads to the one secret to
    verify it with. None when it does not verify."""
    try:
        unverified = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    notice = _notice(unverified)
    event_id = None if isinstance(notice, str) else _order_event_id(notice.order_code)
    if event_id is None:
        return None
    with event_scope(event_id):
        organization_id = Order.objects.filter(event_id=event_id).values_list("event__organization_id", flat=True)[0]
        account = payment_selectors.stripe_account(organization_id=organization_id)
    if account is None or account.source != "organization" or not account.webhook_secret:
        return None
    try:
        return stripe_client.webhook_event(payload=payload, signature=signature, secret=account.webhook_secret)
    except stripe_client.InvalidWebhook:
        return None


@dataclass(frozen=True)
class _Notice:
    """What a Stripe event says, checked field by field (the signature proves who sent the body,
    not that it has the shape we need)."""

    id: str
    type: str
    order_code: str
    attempt: str  # our payment attempt id (a UUID), or ""
    intent_id: str
    amount: Decimal | None = None  # money events: what arrived, in major units
    currency: str = ""  # ... and in which currency (upper case)


_MONEY_TYPES = ("payment_intent.succeeded", "checkout.session.completed")
_FAILURE_TYPES = ("payment_intent.payment_failed", "payment_intent.canceled")
_MAX_AMOUNT = Decimal("1e8")  # Payment.amount: 10 digits, 2 of them decimals


def _text(value: Any, *, max_length: int) -> str | None:
    # PostgreSQL text cannot hold NUL: "\x00" in an event id was a DataError, a 500 Stripe
    # retries for days (found by the webhook fuzzer).
    return value if isinstance(value, str) and len(value) <= max_length and "\x00" not in value else None


def _notice(body: Any) -> _Notice | str:
    """The event as a ``_Notice``, or why it cannot be one (a malformed event is answered
    ``ignored``: nothing in it can change, so a retry would not help)."""
    if not isinstance(body, dict):
        return "not an object"
    event_id = _text(body.get("id"), max_length=255)
    event_type = _text(body.get("type"), max_length=100)
    data = body.get("data")
    obj = data.get("object") if isinstance(data, dict) else None
    if not event_id or not event_type or not isinstance(obj, dict):
        return "no id, type or data.object"
    metadata = obj.get("metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    order_code = _text(metadata.get("order_code"), max_length=16) or ""
    attempt = _text(metadata.get("payment_attempt"), max_length=36) or ""
    try:
        attempt = str(uuid.UUID(attempt)) if attempt else ""
    except ValueError:
        attempt = ""
    notice = _Notice(id=event_id, type=event_type, order_code=order_code, attempt=attempt, intent_id="")
    if event_type not in (*_MONEY_TYPES, *_FAILURE_TYPES):
        return notice
    if event_type == "checkout.session.completed":
        if obj.get("payment_status") != "paid":
            return notice
        intent_id = _text(obj.get("payment_intent") or "", max_length=255)
        minor = obj.get("amount_total")
    else:
        intent_id = _text(obj.get("id"), max_length=255) or None
        minor = obj.get("amount_received") or obj.get("amount")
    if intent_id is None:
        return "no payment intent id"
    notice = replace(notice, intent_id=intent_id)
    if event_type in _FAILURE_TYPES:
        return notice
    currency = obj.get("currency")
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isascii() or not currency.isalpha():
        return "no ISO 4217 currency"
    if isinstance(minor, str) and minor.isascii() and minor.isdigit() and len(minor) <= 12:
        minor = int(minor)  # localstripe echoes a modified amount as a string; Stripe sends ints
    if not isinstance(minor, int) or isinstance(minor, bool) or minor < 0:
        return "no amount"
    amount = stripe_client.from_minor_units(minor, currency)
    if amount >= _MAX_AMOUNT:
        return "an amount beyond any order"
    return replace(notice, amount=amount, currency=currency.upper())


def stripe_webhook_process(*, payload: bytes, signature: str) -> WebhookOutcome:
    """Verify and apply one Stripe event. Raises ``Invalid`` ``invalid_signature`` for a bad
    payload or signature (nothing changed), ``Unavailable`` if an automatic refund cannot reach
    Stripe (nothing changed either: Stripe delivers the event again). A signed event without
    the fields its type needs is ``ignored`` (logged, not recorded).

    Idempotent per Stripe event id: the StripeEvent row is inserted in the same transaction as
    the effect, so a redelivery (or a concurrent duplicate, which waits on the unique index) is
    skipped. Out-of-order delivery is tolerated because every handler only moves a payment
    forward (a failure after a success changes nothing)."""
    try:
        body = stripe_client.webhook_event(payload=payload, signature=signature)
    except stripe_client.InvalidWebhook:
        body = _organization_signed(payload=payload, signature=signature)
        if body is None:
            raise errors.Invalid("The webhook signature does not verify.", code="invalid_signature") from None
    notice = _notice(body)
    if isinstance(notice, str):
        logger.warning("Stripe webhook ignored: %s", notice)
        return WebhookOutcome(status="ignored")
    event_id = _order_event_id(notice.order_code)
    with event_scope(event_id or 0), transaction.atomic():
        try:
            with transaction.atomic():
                StripeEvent.objects.create(stripe_event_id=notice.id, type=notice.type, order_code=notice.order_code)
        except IntegrityError:
            return WebhookOutcome(status="duplicate")
        if event_id is None:
            return WebhookOutcome(status="ignored")
        if notice.type in _MONEY_TYPES and notice.amount is not None:
            _payment_succeeded(notice)
        elif notice.type in _FAILURE_TYPES:
            target = PaymentStatus.FAILED if notice.type.endswith("failed") else PaymentStatus.CANCELLED
            Payment.objects.filter(
                _payment_match(notice.attempt, notice.intent_id), order__code=notice.order_code
            ).filter(status__in=OPEN_PAYMENT).update(status=target)
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


def _payment_succeeded(notice: _Notice) -> None:
    """Money arrived. Only the exact amount in the order's currency pays an order: anything
    else is a mismatch — recorded, refunded at once, and the organizer alerted — and the order
    stays as it was. A pending order within its reservation is confirmed. A late one (its
    reservation expired) is confirmed only if its quotas still have room, counted under the
    quota locks, and only if the voucher use its expiry gave back is still free; otherwise — and
    for an order already paid or cancelled — the money goes back at once (automatic refund), the
    order is cancelled and the organizers are told (``payment.refused``): never oversold, and a
    voucher never used more often than it may be.

    Locking (``ticketing/locking.py``): the order row, then its payment, then (late) its voucher,
    then quotas."""
    assert notice.amount is not None
    now = timezone.now()
    order = locked_row(Order.objects.select_related("event"), code=notice.order_code)
    payment = for_update(Payment.objects.filter(_payment_match(notice.attempt, notice.intent_id), order=order)).first()
    if payment is None:  # an intent we did not create for this order (should not happen)
        payment = Payment.objects.create(order=order, amount=notice.amount, currency=notice.currency)
    if payment.status not in (*OPEN_PAYMENT, PaymentStatus.FAILED, PaymentStatus.CANCELLED):
        return  # already applied (succeeded, refunded)
    payment.status = PaymentStatus.SUCCEEDED
    payment.succeeded_at = now
    payment.amount = notice.amount
    payment.currency = notice.currency
    if notice.intent_id:
        payment.stripe_payment_intent_id = notice.intent_id
    payment.save(update_fields=["status", "succeeded_at", "amount", "currency", "stripe_payment_intent_id"])
    payment.order = order

    payable = order.status in (OrderStatus.PENDING, OrderStatus.EXPIRED)
    if payable and (notice.amount, notice.currency) != (order.total, order.currency.upper()):
        _mismatch(order=order, payment=payment)
        return
    if order.status == OrderStatus.PENDING and order.expires_at and order.expires_at > now:
        order_confirm(order=order, now=now)
        return
    refused = _late_order_back(order=order, now=now) if payable else "not_payable"
    if refused is None:
        order_confirm(order=order, now=now)
        return
    reason = _LATE_REFUSALS.get(refused, "The order is no longer payable.")
    _refund_automatically(payment=payment, reason=f"Payment arrived after the reservation ended; {reason}")
    if payable:
        order_cancel_unpaid(order=order, now=now)
        _alert_refused(order=order, payment=payment, code=refused)


def _mismatch(*, order: Order, payment: Payment) -> None:
    """Money that does not match the order: refund it in full (the order keeps its state, so
    the buyer may still pay the right amount while the reservation lasts), record it in the
    audit log, and tell the organizers on ``event:<id>:staff``."""
    expected = {"amount": str(order.total), "currency": order.currency.upper()}
    received = {"amount": str(payment.amount), "currency": payment.currency}
    _refund_automatically(
        payment=payment,
        reason=f"The payment ({received['amount']} {received['currency']}) does not match the order "
        f"({expected['amount']} {expected['currency']}).",
    )
    audit_log(
        actor=None,
        organization_id=order.event.organization_id,
        event_id=order.event_id,
        action="payment.mismatch",
        obj=order,
        changes={"expected": expected, "received": received, "refunded": True},
    )
    stream_append(
        stream=event_staff_stream(order.event_id),
        type=EntryType.PAYMENT_MISMATCH,
        data={"order": order.code, "expected": expected, "received": received, "refunded": True},
    )


_LATE_REFUSALS = {
    "sold_out": "sold out.",
    "busy": "sold out.",
    "voucher_used_up": "its voucher was used up meanwhile.",
}


def _late_order_back(*, order: Order, now: datetime) -> str | None:
    """Take back what the reservation held for a late-paid order, under the locks: the voucher
    use (an expired order gave it back; someone may have taken it since) and room in every
    quota. None when it is back, else the error code why not (nothing taken: the savepoint
    rolls the voucher use back too)."""
    positions = list(OrderPosition.objects.filter(order=order).values_list("ticket_type_id", flat=True))
    ticket_types = {t.pk: t for t in TicketType.objects.filter(pk__in=set(positions))}
    try:
        with transaction.atomic():
            if order.status == OrderStatus.EXPIRED and order.voucher_id is not None:
                voucher = for_update(Voucher.objects.filter(pk=order.voucher_id), no_key=True).first()
                if voucher is None or voucher.times_used >= voucher.max_usages:
                    raise errors.Conflict("This voucher has been used up.", code="voucher_used_up")
                Voucher.objects.filter(pk=voucher.pk).update(times_used=F("times_used") + 1)
            ensure_capacity(ticket_types=ticket_types, counts=Counter(positions), now=now)
    except errors.Conflict as error:  # voucher_used_up, sold_out, busy
        return error.code
    return None


def _alert_refused(*, order: Order, payment: Payment, code: str) -> None:
    """A late payment refunded: audited, and the organizers told on ``event:<id>:staff``."""
    details = {"reason": code, "amount": str(payment.amount), "currency": payment.currency, "refunded": True}
    audit_log(
        actor=None,
        organization_id=order.event.organization_id,
        event_id=order.event_id,
        action="payment.refused",
        obj=order,
        changes=details,
    )
    stream_append(
        stream=event_staff_stream(order.event_id), type=EntryType.PAYMENT_REFUSED, data={"order": order.code, **details}
    )


def _refund_automatically(*, payment: Payment, reason: str) -> Refund:
    """Inside the webhook's transaction: the Stripe refund's idempotency key comes from the
    payment attempt, so if our transaction rolls back and Stripe redelivers, the second call
    returns the same refund instead of refunding twice."""
    account = payment_selectors.stripe_account(organization_id=payment.order.event.organization_id)
    if account is None:  # the keys were removed after the payment: Stripe redelivers later
        raise _unavailable()
    refund = Refund.objects.create(payment=payment, amount=payment.amount, reason=reason, automatic=True)
    try:
        result = stripe_client.refund_create(
            api_key=account.secret_key,
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


def refund_create(*, actor: User, order: Order, amount: Decimal, reason: str = "", cancel: bool = False) -> Refund:
    """Refund part or all of the order's payment. Three steps so that Stripe is never called
    under a lock: (1) under the order lock, check the refundable amount and write a pending
    Refund (so a double click cannot refund twice); (2) call Stripe with a key from the
    refund's attempt id; (3) record the outcome, update payment and order (fully refunded:
    tickets revoked, capacity returns; ``cancel``: the order is cancelled as well), audit
    entry, ``order.refunded`` on ``user:<id>``.

    A manual payment (bank transfer, at the door) is refunded by the organizer: the refund is
    recorded as done, no provider is called. Errors are for people: ``Conflict``
    ``payments_not_configured`` (no Stripe key: nothing stored), ``Unavailable``
    ``payment_unavailable`` when Stripe did not answer, ``Invalid`` when it refused; in both cases
    the pending refund row is removed (no refund exists at Stripe). A refund Stripe created but
    reports as failed is kept as ``failed``."""
    require_permission(actor, "ticketing.refund_order", order.event)
    with transaction.atomic():
        order = locked_row(Order.objects.select_related("event"), pk=order.pk)
        payment = (
            Payment.objects.filter(order=order, status__in=[PaymentStatus.SUCCEEDED, PaymentStatus.PARTIALLY_REFUNDED])
            .exclude(provider=PaymentProvider.FREE)
            .order_by("-succeeded_at")
            .first()
        )
        if payment is None or order.status not in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED):
            raise errors.Invalid(fields={"amount": _("This order has no payment to refund.")})
        refundable = selectors.refundable_amount(payment=payment)
        if amount <= 0 or amount > refundable:
            raise errors.Invalid(
                fields={
                    "amount": _("Enter an amount between 0.01 and %(max)s %(currency)s.")
                    % {"max": refundable, "currency": payment.currency}
                }
            )
        manual = payment.provider in MANUAL_PROVIDERS
        account = None if manual else _account(order)
        refund = Refund.objects.create(
            payment=payment,
            amount=amount,
            reason=reason,
            created_by=actor,
            status=RefundStatus.SUCCEEDED if manual else RefundStatus.PENDING,
        )
    if account is not None:
        try:
            result = stripe_client.refund_create(
                api_key=account.secret_key,
                payment_intent_id=payment.stripe_payment_intent_id,
                amount=amount,
                currency=payment.currency,
                metadata={"order_code": order.code, "refund_attempt": str(refund.attempt_id)},
                idempotency_key=f"eventhub-refund-{refund.attempt_id}",
            )
        except stripe_client.StripeUnavailable as error:
            logger.warning("Refund for order %s failed: %s", order.code, error)
            # No refund exists at Stripe after an error answer or none: keep no row of ours.
            Refund.objects.filter(pk=refund.pk).delete()
            if not error.reached:
                raise errors.Unavailable(
                    _("Stripe could not be reached, so nothing was refunded. Try again in a moment."),
                    code="payment_unavailable",
                ) from error
            raise errors.Invalid(
                fields={
                    "amount": _("Stripe refused the refund: %(reason)s")
                    % {"reason": error.user_message or _("the payment cannot be refunded.")}
                }
            ) from error
        refund.status = RefundStatus.SUCCEEDED if result.status in ("succeeded", "pending") else RefundStatus.FAILED
        refund.stripe_refund_id = result.id
    with transaction.atomic():
        order = locked_row(Order.objects.select_related("event"), pk=order.pk)
        refund.save(update_fields=["status", "stripe_refund_id"])
        full = selectors.refundable_amount(payment=payment) == 0
        payment.status = PaymentStatus.REFUNDED if full else PaymentStatus.PARTIALLY_REFUNDED
        payment.save(update_fields=["status"])
        order.status = OrderStatus.REFUNDED if full else OrderStatus.PARTIALLY_REFUNDED
        update = ["status", "updated_at"]
        if cancel:
            order.status = OrderStatus.CANCELLED
            order.cancelled_at = timezone.now()
            update.append("cancelled_at")
        order.save(update_fields=update)
        if full or cancel:
            Ticket.objects.filter(order_position__order=order, revoked=False).update(
                revoked=True, revoked_at=timezone.now()
            )
        audit_log(
            actor=actor,
            organization_id=order.event.organization_id,
            event_id=order.event_id,
            action="order.refunded",
            obj=order,
            changes={
                "amount": str(amount),
                "currency": payment.currency,
                "full": full,
                "reason": reason,
                "provider": payment.provider,
            },
        )
        if cancel:
            audit_log(
                actor=actor,
                organization_id=order.event.organization_id,
                event_id=order.event_id,
                action="order.cancelled",
                obj=order,
                changes={"status": {"old": OrderStatus.PAID, "new": OrderStatus.CANCELLED}, "refunded": str(amount)},
            )
        notify(
            user_id=order.user_id,
            email=order.email,
            type=EntryType.ORDER_REFUNDED,
            data={"order": order.code, "amount": str(amount), "currency": payment.currency, "full": full},
            subject=_("Refund for order %(code)s") % {"code": order.code},
            body=_("%(amount)s %(currency)s of order %(code)s have been refunded.")
            % {"amount": amount, "currency": payment.currency, "code": order.code},
        )
    return refund
