from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class DiscountKind(models.TextChoices):
    FIXED = "fixed", "Fixed amount off each ticket"
    PERCENT = "percent", "Percentage off each ticket"


class WaitingListStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    OFFERED = "offered", "Offered"
    REDEEMED = "redeemed", "Redeemed"
    EXPIRED = "expired", "Offer expired"
    CANCELLED = "cancelled", "Cancelled"


class OrderStatus(models.TextChoices):
    PENDING = "pending", "Pending (reserved, awaiting payment)"
    PAID = "paid", "Paid"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"


class PaymentProvider(models.TextChoices):
    STRIPE = "stripe", "Stripe"
    FREE = "free", "Free (no payment)"
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")
    AT_DOOR = "at_door", _("Pay at the door")


# Payment methods an organizer settles by hand ("mark as paid"; refunds are recorded, the
# organizer returns the money).
MANUAL_PROVIDERS = (PaymentProvider.BANK_TRANSFER, PaymentProvider.AT_DOOR)


class StripeMode(models.TextChoices):
    TEST = "test", _("Test mode")
    LIVE = "live", _("Live mode")


class PaymentKind(models.TextChoices):
    PAYMENT_INTENT = "payment_intent", "PaymentIntent (mobile)"
    CHECKOUT_SESSION = "checkout_session", "Checkout Session (web)"
    MANUAL = "manual", _("Settled by the organizer")


class PaymentStatus(models.TextChoices):
    CREATED = "created", "Created"
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"
    REFUNDED = "refunded", "Refunded"
    PARTIALLY_REFUNDED = "partially_refunded", "Partially refunded"


class RefundStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class CheckInKind(models.TextChoices):
    ENTRY = "entry", "Entry"
    EXIT = "exit", "Exit"


class ScanResult(models.TextChoices):
    """The one-word answer of the scan API (and of each scan in an offline batch)."""

    OK = "ok", "OK"
    ALREADY_CHECKED_IN = "already_checked_in", "Already checked in"
    NOT_CHECKED_IN = "not_checked_in", "Not checked in (exit without entry)"
    INVALID_SIGNATURE = "invalid_signature", "Invalid signature"
    REVOKED = "revoked", "Revoked"
    UNPAID = "unpaid", "Unpaid"
    WRONG_GATE = "wrong_gate", "Wrong gate"
    NOT_YET_VALID = "not_yet_valid", "Not yet valid"


class EntryType(StrEnum):
    """The ``type`` of every entry ticketing appends to a stream: order, waiting-list and ticket
    news on the buyer's ``user:<id>``, check-ins, the occupancy alert and payment mismatches on
    ``event:<id>:staff`` (clients switch on these strings; see docs/decisions.md)."""

    ORDER_CONFIRMED = "order.confirmed"
    ORDER_REFUNDED = "order.refunded"
    PAYMENT_MISMATCH = "payment.mismatch"
    PAYMENT_REFUSED = "payment.refused"  # a late payment refunded: sold out or its voucher used up
    WAITING_LIST_OFFERED = "waiting_list.offered"
    TICKET_REISSUED = "ticket.reissued"
    TICKET_REVOKED = "ticket.revoked"
    CHECKIN_ENTRY = "checkin.entry"
    CHECKIN_EXIT = "checkin.exit"
    CHECKIN_UNDONE = "checkin.undone"
    CHECKIN_OCCUPANCY_ALERT = "checkin.occupancy_alert"
