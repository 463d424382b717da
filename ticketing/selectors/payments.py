"""Reads about how an event takes money: the organization's payment settings, the Stripe key
that applies (the organization's own, else the environment's) and the payment methods a buyer
may choose."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from events.models import Event, Organization

from .. import credentials
from ..enums import PaymentProvider, StripeMode
from ..models import Order, PaymentSettings


@dataclass(frozen=True)
class StripeAccount:
    secret_key: str
    publishable_key: str
    webhook_secret: str
    source: str  # "organization" | "environment"
    mode: str


def payment_settings_of(*, organization_id: int) -> PaymentSettings | None:
    return PaymentSettings.objects.filter(organization_id=organization_id).first()


def stripe_account(*, organization_id: int, config: PaymentSettings | None = None) -> StripeAccount | None:
    """The Stripe account the organization's sales go to: its own keys from the portal, else
    the environment's (``STRIPE_SECRET_KEY``), else None — payments by card are not set up."""
    config = config if config is not None else payment_settings_of(organization_id=organization_id)
    own = credentials.decrypt(config.stripe_secret_key_encrypted) if config is not None else ""
    if own and config is not None:
        return StripeAccount(
            secret_key=own,
            publishable_key=config.stripe_publishable_key,
            webhook_secret=credentials.decrypt(config.stripe_webhook_secret_encrypted),
            source="organization",
            mode=config.stripe_mode,
        )
    if settings.STRIPE_SECRET_KEY:
        return StripeAccount(
            secret_key=settings.STRIPE_SECRET_KEY,
            publishable_key=settings.STRIPE_PUBLISHABLE_KEY,
            webhook_secret=settings.STRIPE_WEBHOOK_SECRET,
            source="environment",
            mode=StripeMode.LIVE
            if settings.STRIPE_SECRET_KEY.startswith(("sk_live_", "rk_live_"))
            else StripeMode.TEST,
        )
    return None


def payment_methods(*, organization_id: int) -> list[str]:
    """The providers a paid order of the organization may use, the default first."""
    config = payment_settings_of(organization_id=organization_id)
    methods = []
    if stripe_account(organization_id=organization_id, config=config) is not None:
        methods.append(PaymentProvider.STRIPE.value)
    if config is not None and config.bank_transfer_enabled:
        methods.append(PaymentProvider.BANK_TRANSFER.value)
    if config is not None and config.pay_at_door_enabled:
        methods.append(PaymentProvider.AT_DOOR.value)
    return methods


def payments_missing(*, event: Event) -> bool:
    """True when the event has an active paid ticket type but no way to take money (the
    portal's warning: such tickets cannot be sold)."""
    if payment_methods(organization_id=event.organization_id):
        return False
    return event.ticket_types.filter(active=True, price__gt=0).exists()


def payment_instructions(*, order: Order, provider: str) -> str:
    """What the buyer is told to do for a manual method: the account and the reference to
    transfer to, or to pay at the door."""
    if provider == PaymentProvider.BANK_TRANSFER:
        config = payment_settings_of(organization_id=order.event.organization_id)
        details = config.bank_transfer_details.strip() if config is not None else ""
        return _(
            "Transfer %(amount)s %(currency)s to the account below with the reference %(reference)s.\n%(details)s"
        ) % {"amount": order.total, "currency": order.currency, "reference": order.code, "details": details}
    if provider == PaymentProvider.AT_DOOR:
        return _("Pay %(amount)s %(currency)s at the door; show the order code %(reference)s.") % {
            "amount": order.total,
            "currency": order.currency,
            "reference": order.code,
        }
    return ""


def organization_payment_overview(*, organization: Organization) -> tuple[PaymentSettings | None, StripeAccount | None]:
    config = payment_settings_of(organization_id=organization.pk)
    return config, stripe_account(organization_id=organization.pk, config=config)
