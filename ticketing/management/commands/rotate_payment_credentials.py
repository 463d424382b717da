"""Re-encrypt every organization's stored payment credentials under the current key (after a
secret rotation; see ticketing/credentials.py and docs/decisions.md)."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from ticketing import credentials
from ticketing.models import PaymentSettings


class Command(BaseCommand):
    help = "Re-encrypt the stored Stripe keys under the current PAYMENT_CREDENTIALS_SECRET / SECRET_KEY."

    def handle(self, *args: object, **options: object) -> None:
        rotated = unreadable = 0
        with scopes_disabled(), transaction.atomic():
            for config in PaymentSettings.objects.select_for_update().order_by("pk"):
                try:
                    config.stripe_secret_key_encrypted = credentials.rotate(config.stripe_secret_key_encrypted)
                    config.stripe_webhook_secret_encrypted = credentials.rotate(config.stripe_webhook_secret_encrypted)
                except credentials.InvalidToken:
                    unreadable += 1
                    continue
                config.save(update_fields=["stripe_secret_key_encrypted", "stripe_webhook_secret_encrypted"])
                rotated += 1
        self.stdout.write(
            f"{rotated} organization(s) re-encrypted, {unreadable} unreadable (keys must be entered again)."
        )
