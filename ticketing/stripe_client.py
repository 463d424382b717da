"""The only place that configures the Stripe SDK (``stripe`` 16).

Keys are the organization's (set up in the portal) or the environment's (``STRIPE_SECRET_KEY``,
``STRIPE_WEBHOOK_SECRET``); every call names its key. Tests point
``STRIPE_API_BASE`` at a localstripe server. Every call that creates something at Stripe carries
an idempotency key derived from our own payment or refund attempt id, so a retried call (after a
timeout, a crash, a redelivered webhook) never charges or refunds twice."""

import json
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings

# Currencies without minor units (Stripe's list); everything else has two decimals.
_ZERO_DECIMAL = {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND", "VUV", "XAF"}


class StripeUnavailable(Exception):
    """Stripe could not be reached or refused the call; nothing was changed on our side.
    ``reached``: Stripe answered (it refused); False: the call never got an answer."""

    def __init__(self, message: str, *, reached: bool = True, user_message: str = "") -> None:
        super().__init__(message)
        self.reached = reached
        self.user_message = user_message


class InvalidWebhook(Exception):
    """A webhook request whose payload does not parse or whose signature does not verify."""


def to_minor_units(amount: Decimal, currency: str) -> int:
    factor = 1 if currency.upper() in _ZERO_DECIMAL else 100
    return int((amount * factor).to_integral_value())


def from_minor_units(amount: int, currency: str) -> Decimal:
    factor = 1 if currency.upper() in _ZERO_DECIMAL else 100
    return (Decimal(amount) / factor).quantize(Decimal("0.01"))


def client(api_key: str, *, retries: int = 2) -> stripe.StripeClient:
    """A client for one secret key (the organization's, or the environment's: the caller picks
    it, see ``selectors.payments.stripe_key``); never a placeholder key."""
    base = settings.STRIPE_API_BASE
    return stripe.StripeClient(api_key, base_addresses={"api": base} if base else {}, max_network_retries=retries)


def _unavailable(error: stripe.StripeError) -> StripeUnavailable:
    reached = not isinstance(error, stripe.APIConnectionError) and error.http_status is not None
    return StripeUnavailable(str(error), reached=reached, user_message=error.user_message or "")


def _call(fn: Any, **kwargs: Any) -> Any:
    try:
        return fn(**kwargs)
    except stripe.StripeError as error:
        raise _unavailable(error) from error


def account_check(*, api_key: str) -> str:
    """Ask Stripe who this key belongs to (``GET /v1/balance``, readable by every secret and
    restricted key): returns whether it is a live key. Raises StripeUnavailable."""
    balance = _call(client(api_key, retries=0).v1.balance.retrieve)
    return "live" if getattr(balance, "livemode", False) else "test"


def payment_intent_create(
    *, api_key: str, amount: Decimal, currency: str, metadata: dict[str, str], idempotency_key: str
) -> stripe.PaymentIntent:
    return _call(
        client(api_key).v1.payment_intents.create,
        params={
            "amount": to_minor_units(amount, currency),
            "currency": currency.lower(),
            "metadata": metadata,
            "payment_method_types": ["card"],
        },
        options={"idempotency_key": idempotency_key},
    )


def payment_intent_retrieve(*, api_key: str, payment_intent_id: str) -> stripe.PaymentIntent:
    try:
        return client(api_key).v1.payment_intents.retrieve(payment_intent_id)
    except stripe.StripeError as error:
        raise _unavailable(error) from error


def checkout_session_create(
    *,
    api_key: str,
    amount: Decimal,
    currency: str,
    name: str,
    metadata: dict[str, str],
    success_url: str,
    cancel_url: str,
    customer_email: str,
    idempotency_key: str,
) -> stripe.checkout.Session:
    return _call(
        client(api_key).v1.checkout.sessions.create,
        params={
            "mode": "payment",
            "line_items": [
                {
                    "quantity": 1,
                    "price_data": {
                        "currency": currency.lower(),
                        "unit_amount": to_minor_units(amount, currency),
                        "product_data": {"name": name},
                    },
                }
            ],
            "metadata": metadata,
            "payment_intent_data": {"metadata": metadata},
            "customer_email": customer_email,
            "success_url": success_url,
            "cancel_url": cancel_url,
        },
        options={"idempotency_key": idempotency_key},
    )


def refund_create(
    *,
    api_key: str,
    payment_intent_id: str,
    amount: Decimal,
    currency: str,
    metadata: dict[str, str],
    idempotency_key: str,
) -> stripe.Refund:
    return _call(
        client(api_key).v1.refunds.create,
        params={
            "payment_intent": payment_intent_id,
            "amount": to_minor_units(amount, currency),
            "metadata": metadata,
        },
        options={"idempotency_key": idempotency_key},
    )


def webhook_event(*, payload: bytes, signature: str, secret: str | None = None) -> Any:
    """Verify the ``Stripe-Signature`` header (and its age) and parse the body as JSON. Returns
    the parsed JSON as it is: the caller checks its shape. Raises InvalidWebhook (a bad or stale
    signature, no secret configured, a body that is not JSON)."""
    secret = secret or settings.STRIPE_WEBHOOK_SECRET
    if not secret:
        raise InvalidWebhook("No webhook secret is configured.")
    try:
        stripe.WebhookSignature.verify_header(payload, signature, secret, stripe.Webhook.DEFAULT_TOLERANCE)
        return json.loads(payload)
    except (ValueError, RecursionError, stripe.SignatureVerificationError) as error:
        raise InvalidWebhook(str(error)) from error
