"""Payment set-up by the organizer: the organization's Stripe keys (stored encrypted, see
``ticketing/credentials.py``), test or live mode, the connection test, and the manual methods
(bank transfer, pay at the door). Each write is audited without the secrets themselves."""

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from eventhub import errors
from eventhub.audit import audit_log
from eventhub.services import require_permission
from events.models import Organization

from .. import credentials, stripe_client
from ..enums import StripeMode
from ..locking import locked_row
from ..models import PaymentSettings
from ..selectors import payments as selectors

PLAIN_FIELDS = [
    "stripe_mode",
    "stripe_publishable_key",
    "bank_transfer_enabled",
    "bank_transfer_details",
    "pay_at_door_enabled",
    "manual_payment_days",
]
_KEY_PREFIXES = {StripeMode.TEST: ("sk_test_", "rk_test_"), StripeMode.LIVE: ("sk_live_", "rk_live_")}


def _check_key(*, mode: str, secret_key: str, publishable_key: str) -> None:
    if secret_key and not secret_key.startswith(_KEY_PREFIXES[StripeMode(mode)]):
        raise errors.Invalid(
            fields={
                "stripe_secret_key": _("A %(mode)s secret key starts with %(prefix)s.")
                % {"mode": StripeMode(mode).label, "prefix": " / ".join(_KEY_PREFIXES[StripeMode(mode)])}
            }
        )
    expected = "pk_live_" if mode == StripeMode.LIVE else "pk_test_"
    if publishable_key and not publishable_key.startswith(expected):
        raise errors.Invalid(
            fields={"stripe_publishable_key": _("A key for this mode starts with %(prefix)s.") % {"prefix": expected}}
        )


def payment_settings_update(
    *,
    actor: User,
    organization: Organization,
    stripe_secret_key: str = "",
    stripe_webhook_secret: str = "",
    clear_stripe_keys: bool = False,
    **fields: Any,
) -> PaymentSettings:
    """Save the organization's payment settings. An empty key keeps the stored one;
    ``clear_stripe_keys`` removes them (the environment's keys apply again). A new key must
    match the mode (``sk_test_…`` in test mode); a bank transfer needs account details."""
    require_permission(actor, "ticketing.manage_payments", organization)
    unknown = set(fields) - set(PLAIN_FIELDS)
    if unknown:
        raise errors.Invalid(fields={name: _("This field cannot be changed.") for name in unknown})
    PaymentSettings.objects.get_or_create(organization=organization)
    with transaction.atomic():
        config = locked_row(PaymentSettings.objects.all(), organization=organization)
        before = {name: getattr(config, name) for name in PLAIN_FIELDS}
        for name, value in fields.items():
            setattr(config, name, value)
        stored_key = credentials.decrypt(config.stripe_secret_key_encrypted)
        _check_key(
            mode=config.stripe_mode,
            secret_key=stripe_secret_key.strip() or ("" if clear_stripe_keys else stored_key),
            publishable_key=config.stripe_publishable_key,
        )
        if config.bank_transfer_enabled and not config.bank_transfer_details.strip():
            raise errors.Invalid(
                fields={"bank_transfer_details": _("Enter the account the buyers transfer the money to.")}
            )
        keys_changed = []
        if clear_stripe_keys:
            config.stripe_secret_key_encrypted = b""
            config.stripe_webhook_secret_encrypted = b""
            config.stripe_checked_at = None
            keys_changed = ["stripe_secret_key", "stripe_webhook_secret"]
        if stripe_secret_key.strip():
            config.stripe_secret_key_encrypted = credentials.encrypt(stripe_secret_key.strip())
            config.stripe_checked_at = None
            keys_changed.append("stripe_secret_key")
        if stripe_webhook_secret.strip():
            config.stripe_webhook_secret_encrypted = credentials.encrypt(stripe_webhook_secret.strip())
            keys_changed.append("stripe_webhook_secret")
        config.save()
        changes: dict[str, Any] = {
            name: {"old": before[name], "new": getattr(config, name)}
            for name in PLAIN_FIELDS
            if before[name] != getattr(config, name)
        }
        for name in keys_changed:  # that a secret changed, never the secret
            changes[name] = {"old": "…", "new": "(removed)" if clear_stripe_keys else "(new key)"}
        if changes:
            audit_log(
                actor=actor,
                organization_id=organization.pk,
                action="payment_settings.updated",
                obj=config,
                changes=changes,
            )
    return config


def stripe_connection_test(*, actor: User, organization: Organization) -> str:
    """Call Stripe with the key that applies to the organization and say which mode it is in.
    Raises ``Conflict`` ``payments_not_configured`` without a key, ``Invalid`` when Stripe
    refuses the key or the key's mode is not the one chosen, ``Unavailable`` when Stripe does
    not answer. Notes the success time (``stripe_checked_at``)."""
    require_permission(actor, "ticketing.manage_payments", organization)
    account = selectors.stripe_account(organization_id=organization.pk)
    if account is None:
        raise errors.Conflict(_("No Stripe key is set up yet."), code="payments_not_configured")
    try:
        mode = stripe_client.account_check(api_key=account.secret_key)
    except stripe_client.StripeUnavailable as error:
        if not error.reached:
            raise errors.Unavailable(
                _("Stripe could not be reached; nothing changed. Try again in a moment."), code="payment_unavailable"
            ) from error
        raise errors.Invalid(
            _("Stripe refused the key: %(reason)s") % {"reason": error.user_message or str(error)},
            code="stripe_key_refused",
        ) from error
    if account.source == "organization":
        if mode != account.mode:
            raise errors.Invalid(
                _("Stripe answered, but this is a %(actual)s key while %(chosen)s is chosen.")
                % {"actual": StripeMode(mode).label, "chosen": StripeMode(account.mode).label},
                code="stripe_mode_mismatch",
            )
        PaymentSettings.objects.filter(organization=organization).update(stripe_checked_at=timezone.now())
    return mode
