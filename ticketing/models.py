"""Ticketing: catalogue (ticket types, quotas, vouchers, waiting list), orders and payments
(Stripe), tickets, and the check-in records (gates, scanner devices, check-ins).

Inventory rule: a quota's capacity is taken by the positions of paid orders and of pending
orders whose reservation (``Order.expires_at``) has not run out. Writers lock the quota rows
(``SELECT … FOR UPDATE`` in pk order, see ``ticketing/locking.py``) before counting.
"""

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from eventhub.models import EventScoped
from events.enums import ParticipantKind

from .currencies import CURRENCY_CHOICES
from .enums import (
    CheckInKind,
    DiscountKind,
    OrderStatus,
    PaymentKind,
    PaymentProvider,
    PaymentStatus,
    RefundStatus,
    ScanResult,
    StripeMode,
    WaitingListStatus,
)

_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone


def new_order_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


def new_ticket_secret() -> str:
    return secrets.token_urlsafe(24)


class TicketType(EventScoped):
    """Something one can buy (or get for free) for an event: "Regular", "Student", "VIP"."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="ticket_types")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    price = models.DecimalField(
        max_digits=10, decimal_places=2, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    currency = models.CharField(
        max_length=3,
        default="EUR",
        choices=CURRENCY_CHOICES,
        help_text=_("ISO 4217. All ticket types of an event share one currency."),
    )
    sales_start = models.DateTimeField(null=True, blank=True)
    sales_end = models.DateTimeField(null=True, blank=True)
    min_per_order = models.PositiveSmallIntegerField(default=1)
    max_per_order = models.PositiveSmallIntegerField(default=10)
    max_per_account = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Tickets of this type one account may hold, paid and reserved (empty: the site's default, "
        "at least one full order).",
    )
    participant_kind = models.CharField(
        max_length=16,
        choices=ParticipantKind.choices,
        default=ParticipantKind.ATTENDEE,
        help_text="The participant kind a ticket holder gets in the event.",
    )
    # TODO(agenda): admits_sessions = ManyToManyField("events.Session") once the agenda models land.
    active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="ticket_type_name_unique_per_event"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="ticket_type_price_not_negative"),
            models.CheckConstraint(
                condition=models.Q(min_per_order__gte=1) & models.Q(max_per_order__gte=models.F("min_per_order")),
                name="ticket_type_per_order_bounds",
                violation_error_message="The maximum per order must be at least the minimum (and that at least 1).",
            ),
            models.CheckConstraint(
                condition=models.Q(max_per_account__isnull=True) | models.Q(max_per_account__gte=1),
                name="ticket_type_max_per_account_positive",
                violation_error_message="The maximum per account is at least 1 (or empty).",
            ),
            models.CheckConstraint(
                condition=models.Q(sales_start__isnull=True)
                | models.Q(sales_end__isnull=True)
                | models.Q(sales_end__gt=models.F("sales_start")),
                name="ticket_type_sales_window_ordered",
                violation_error_message="Sales must end after they start.",
            ),
        ]
        ordering = ["event", "position", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_free(self) -> bool:
        return self.price == 0


class Quota(EventScoped):
    """Capacity shared by one or more ticket types ("Hall capacity 500" over Regular and Student)."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="quotas")
    name = models.CharField(max_length=120)
    size = models.PositiveIntegerField()
    ticket_types = models.ManyToManyField(TicketType, related_name="quotas", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "name"], name="quota_name_unique_per_event"),
            models.CheckConstraint(condition=models.Q(size__gte=0), name="quota_size_not_negative"),
        ]
        ordering = ["event", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.size})"


class Voucher(EventScoped):
    """A discount code. ``times_used`` counts orders holding it (pending or paid); an expired or
    cancelled order gives its use back."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="vouchers")
    code = models.CharField(max_length=64)
    discount_kind = models.CharField(max_length=8, choices=DiscountKind.choices, default=DiscountKind.PERCENT)
    value = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        help_text="Amount off per ticket, or percent (0–100) off per ticket.",
    )
    max_usages = models.PositiveIntegerField(default=1)
    times_used = models.PositiveIntegerField(default=0)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    ticket_type = models.ForeignKey(
        TicketType,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="vouchers",
        help_text="Only for this ticket type (empty: any).",
    )
    comment = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["event", "code"], name="voucher_code_unique_per_event"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="voucher_value_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(discount_kind=DiscountKind.PERCENT) | models.Q(value__lte=100),
                name="voucher_percent_at_most_100",
                violation_error_message="A percentage discount is at most 100.",
            ),
            models.CheckConstraint(
                condition=models.Q(times_used__lte=models.F("max_usages")), name="voucher_not_overused"
            ),
        ]
        ordering = ["event", "code"]

    def __str__(self) -> str:
        return self.code


class WaitingListEntry(EventScoped):
    """Someone waiting for a sold-out ticket type; offered a single-use voucher in join order."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="waiting_list")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.CASCADE, related_name="waiting_list")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.EmailField()
    status = models.CharField(max_length=10, choices=WaitingListStatus.choices, default=WaitingListStatus.WAITING)
    created_at = models.DateTimeField(auto_now_add=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_at = models.DateTimeField(null=True, blank=True)
    voucher = models.OneToOneField(
        Voucher, null=True, blank=True, on_delete=models.SET_NULL, related_name="waiting_list_entry"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket_type", "email"],
                condition=models.Q(status__in=["waiting", "offered"]),
                name="waiting_list_one_open_entry_per_email",
            )
        ]
        indexes = [models.Index(fields=["ticket_type", "status", "created_at"], name="waiting_list_queue_idx")]
        ordering = ["event", "created_at", "id"]
        verbose_name_plural = "waiting list entries"

    def __str__(self) -> str:
        return f"{self.email} waiting for {self.ticket_type_id}"


class Order(EventScoped):
    """A purchase. Pending orders reserve their positions until ``expires_at``; only the Stripe
    webhook (or a free checkout) makes an order paid."""

    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="orders")
    code = models.CharField(max_length=16, unique=True, default=new_order_code)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="orders"
    )
    email = models.EmailField()
    status = models.CharField(max_length=20, choices=OrderStatus.choices, default=OrderStatus.PENDING)
    total = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    currency = models.CharField(max_length=3, default="EUR")
    voucher = models.ForeignKey(Voucher, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="End of the reservation while pending.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(total__gte=0), name="order_total_not_negative")]
        indexes = [
            models.Index(fields=["event", "status", "expires_at"], name="order_event_status_idx"),
            models.Index(fields=["status", "expires_at"], name="order_status_expiry_idx"),
        ]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.code


class OrderPosition(models.Model):
    """One ticket in an order, with its attendee."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="positions")
    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="positions")
    price = models.DecimalField(max_digits=10, decimal_places=2)
    attendee_name = models.CharField(max_length=200)
    attendee_email = models.EmailField()
    position = models.PositiveSmallIntegerField(default=0)

    objects = ScopedManager(organization="order__event__organization")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(price__gte=0), name="position_price_not_negative")]
        ordering = ["order", "position", "id"]

    def __str__(self) -> str:
        return f"{self.order_id}/{self.position}: {self.attendee_name}"


class Payment(models.Model):
    """One payment attempt. ``attempt_id`` derives the Stripe idempotency keys, so a retried call
    to Stripe for the same attempt never creates a second PaymentIntent or refund."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    attempt_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.CharField(max_length=16, choices=PaymentProvider.choices, default=PaymentProvider.STRIPE)
    kind = models.CharField(max_length=20, choices=PaymentKind.choices, default=PaymentKind.PAYMENT_INTENT)
    status = models.CharField(max_length=20, choices=PaymentStatus.choices, default=PaymentStatus.CREATED)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    currency = models.CharField(max_length=3)
    stripe_payment_intent_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_checkout_session_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="order__event__organization")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="payment_amount_not_negative")]
        ordering = ["order", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.provider} {self.amount} {self.currency} ({self.status})"


class PaymentSettings(models.Model):
    """How an organization takes money: its own Stripe account (keys stored encrypted, see
    ``ticketing/services/payment_setup.py``; without them the environment's keys apply) and
    the manual methods it settles itself (bank transfer with the order code as reference, pay
    at the door), which the organizer marks as paid in the portal."""

    organization = models.OneToOneField(
        "events.Organization", on_delete=models.CASCADE, related_name="payment_settings"
    )
    stripe_mode = models.CharField(max_length=8, choices=StripeMode.choices, default=StripeMode.TEST)
    stripe_secret_key_encrypted = models.BinaryField(blank=True, default=b"")
    stripe_webhook_secret_encrypted = models.BinaryField(blank=True, default=b"")
    stripe_publishable_key = models.CharField(max_length=255, blank=True)
    stripe_checked_at = models.DateTimeField(null=True, blank=True, help_text=_("Last successful connection test."))
    bank_transfer_enabled = models.BooleanField(default=False)
    bank_transfer_details = models.TextField(
        blank=True, help_text=_("Account holder, IBAN, BIC: shown to the buyer with the order code as reference.")
    )
    pay_at_door_enabled = models.BooleanField(default=False)
    manual_payment_days = models.PositiveSmallIntegerField(
        default=7, help_text=_("Days a bank-transfer order stays reserved while the money is on its way.")
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(manual_payment_days__gte=1), name="payment_settings_manual_days_positive"
            )
        ]

    def __str__(self) -> str:
        return f"payment settings of organization {self.organization_id}"


class Refund(models.Model):
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    attempt_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    status = models.CharField(max_length=10, choices=RefundStatus.choices, default=RefundStatus.PENDING)
    stripe_refund_id = models.CharField(max_length=255, blank=True, db_index=True)
    reason = models.CharField(max_length=200, blank=True)
    automatic = models.BooleanField(default=False, help_text="Issued by the system (late payment, sold out).")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="payment__order__event__organization")

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive")]
        ordering = ["payment", "created_at", "id"]

    def __str__(self) -> str:
        return f"refund {self.amount} ({self.status})"


class StripeEvent(models.Model):
    """A processed Stripe webhook event: inserted in the same transaction as its effect, so a
    redelivered event is recognised and skipped. Platform-wide (Stripe ids are global), so it has
    no tenant scope; only the webhook and the admin read it."""

    stripe_event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    order_code = models.CharField(max_length=16, blank=True, db_index=True)
    processed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-processed_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_event_id}"


class Ticket(EventScoped):
    """The admission for one paid (or free, confirmed) order position. ``secret`` identifies it
    in the QR payload; revoking and reissuing bumps ``version``."""

    order_position = models.OneToOneField(OrderPosition, on_delete=models.PROTECT, related_name="ticket")
    event = models.ForeignKey("events.Event", on_delete=models.PROTECT, related_name="tickets")
    secret = models.CharField(max_length=64, unique=True, default=new_ticket_secret)
    version = models.PositiveIntegerField(default=1)
    attendee_name = models.CharField(max_length=200)
    revoked = models.BooleanField(default=False)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "id"]

    def __str__(self) -> str:
        return f"ticket {self.pk} ({self.attendee_name})"


class Gate(EventScoped):
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="gates")
    name = models.CharField(max_length=120)
    ticket_types = models.ManyToManyField(
        TicketType, related_name="gates", blank=True, help_text="Ticket types admitted here (none: all)."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="gate_name_unique_per_event")]
        ordering = ["event", "name"]

    def __str__(self) -> str:
        return self.name


class ScannerDevice(EventScoped):
    """A phone or handheld registered by staff; it authenticates with a token whose hash we keep."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="scanner_devices")
    name = models.CharField(max_length=120)
    token_hash = models.CharField(max_length=128, unique=True)
    gate = models.ForeignKey(Gate, null=True, blank=True, on_delete=models.SET_NULL, related_name="devices")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["event", "name"]

    def __str__(self) -> str:
        return self.name


class CheckIn(EventScoped):
    """One scan that let someone in (or out). ``client_scan_id`` makes offline uploads idempotent."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="checkins")
    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="checkins")
    gate = models.ForeignKey(Gate, null=True, blank=True, on_delete=models.PROTECT, related_name="checkins")
    device = models.ForeignKey(ScannerDevice, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins")
    kind = models.CharField(max_length=8, choices=CheckInKind.choices, default=CheckInKind.ENTRY)
    scanned_at = models.DateTimeField(help_text="When the scanner saw the ticket (client clock for offline scans).")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    client_scan_id = models.CharField(max_length=64, null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Staff member for a manual check-in.",
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "client_scan_id"],
                condition=models.Q(client_scan_id__isnull=False),
                name="checkin_client_scan_unique_per_device",
            )
        ]
        indexes = [models.Index(fields=["event", "gate", "created_at"], name="checkin_event_gate_idx")]
        ordering = ["event", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} ticket {self.ticket_id} at {self.gate_id}"


# --- check-in: signing keys, occupancy and the scan log ---------------------------------------


class EventSigningKey(EventScoped):
    """The event's Ed25519 key pair for ticket QR payloads. The public key goes to scanners; the
    private key never leaves the server and is stored encrypted (Fernet, see
    ``ticketing/services/tickets.py`` and docs/decisions.md)."""

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="signing_key")
    public_key = models.BinaryField(max_length=32)
    private_key_encrypted = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"signing key of event {self.event_id}"


class CheckInConfig(EventScoped):
    """Per-event check-in settings and the live occupancy counters. The counters are moved by
    the check-in service in the same transaction as the check-in (one ``UPDATE … RETURNING``)."""

    event = models.OneToOneField("events.Event", on_delete=models.CASCADE, related_name="checkin_config")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="People allowed inside at once (empty: no occupancy alert)."
    )
    alert_threshold_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Occupancy alert threshold in percent (empty: the default, 90)."
    )
    opens_at = models.DateTimeField(
        null=True, blank=True, help_text="Tickets are valid from here (empty: some hours before the event starts)."
    )
    inside = models.IntegerField(default=0)
    arrived = models.IntegerField(default=0, help_text="Tickets admitted at least once.")
    alert_active = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(alert_threshold_percent__isnull=True)
                | models.Q(alert_threshold_percent__gte=1, alert_threshold_percent__lte=100),
                name="checkin_alert_threshold_percent_range",
            )
        ]

    def __str__(self) -> str:
        return f"check-in of event {self.event_id}"


class ScanLog(EventScoped):
    """Every scan a device (or a staff member) made, with the answer it got: rejected scans are
    kept too (forgery attempts, gate rates), and ``client_scan_id`` makes retries and offline
    batch uploads idempotent — a second upload gets the stored answers back."""

    event = models.ForeignKey("events.Event", on_delete=models.CASCADE, related_name="scan_logs")
    device = models.ForeignKey(ScannerDevice, null=True, blank=True, on_delete=models.CASCADE, related_name="scans")
    gate = models.ForeignKey(Gate, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans")
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans")
    checkin = models.ForeignKey(CheckIn, null=True, blank=True, on_delete=models.SET_NULL, related_name="scans")
    kind = models.CharField(max_length=8, choices=CheckInKind.choices, default=CheckInKind.ENTRY)
    result = models.CharField(max_length=24, choices=ScanResult.choices)
    detail = models.JSONField(default=dict, blank=True)
    client_scan_id = models.CharField(max_length=64, null=True, blank=True)
    offline = models.BooleanField(default=False)
    scanned_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["device", "client_scan_id"],
                condition=models.Q(client_scan_id__isnull=False),
                name="scanlog_client_scan_unique_per_device",
            )
        ]
        indexes = [models.Index(fields=["event", "gate", "scanned_at"], name="scanlog_event_gate_idx")]
        ordering = ["event", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.result} ticket {self.ticket_id}"
