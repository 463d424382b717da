import base64

from django.contrib import admin

from eventhub.admin import ScopedAdminMixin, UnscopedInlineMixin

from .models import (
    CheckIn,
    CheckInConfig,
    EventSigningKey,
    Gate,
    Order,
    OrderPosition,
    Payment,
    Quota,
    Refund,
    ScanLog,
    ScannerDevice,
    StripeEvent,
    Ticket,
    TicketType,
    Voucher,
    WaitingListEntry,
)


@admin.register(TicketType)
class TicketTypeAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "event", "price", "currency", "participant_kind", "active", "position")
    list_filter = ("active", "participant_kind", "event__organization")
    list_select_related = ("event",)
    search_fields = ("name", "event__name")
    autocomplete_fields = ("event",)


@admin.register(Quota)
class QuotaAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "event", "size")
    list_filter = ("event__organization",)
    list_select_related = ("event",)
    search_fields = ("name", "event__name")
    autocomplete_fields = ("event",)
    filter_horizontal = ("ticket_types",)


@admin.register(Voucher)
class VoucherAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "event", "discount_kind", "value", "times_used", "max_usages", "valid_until")
    list_filter = ("discount_kind", "event__organization")
    list_select_related = ("event",)
    search_fields = ("code", "event__name")
    autocomplete_fields = ("event",)


@admin.register(WaitingListEntry)
class WaitingListEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("email", "event", "ticket_type", "status", "created_at", "offer_expires_at")
    list_filter = ("status", "event__organization")
    list_select_related = ("event", "ticket_type")
    search_fields = ("email", "event__name")
    raw_id_fields = ("event", "ticket_type", "user", "voucher")


class OrderPositionInline(UnscopedInlineMixin, admin.TabularInline):
    model = OrderPosition
    extra = 0
    raw_id_fields = ("ticket_type",)


class PaymentInline(UnscopedInlineMixin, admin.TabularInline):
    model = Payment
    extra = 0
    readonly_fields = ("attempt_id", "stripe_payment_intent_id", "stripe_checkout_session_id", "created_at")


@admin.register(Order)
class OrderAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("code", "event", "email", "status", "total", "currency", "created_at", "expires_at")
    list_filter = ("status", "event__organization")
    list_select_related = ("event",)
    search_fields = ("code", "email", "positions__attendee_name")
    date_hierarchy = "created_at"
    raw_id_fields = ("event", "user", "voucher")
    inlines = [OrderPositionInline, PaymentInline]


@admin.register(OrderPosition)
class OrderPositionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("attendee_name", "attendee_email", "order", "ticket_type", "price")
    list_select_related = ("order", "ticket_type")
    search_fields = ("attendee_name", "attendee_email", "order__code")
    raw_id_fields = ("order", "ticket_type")


class RefundInline(UnscopedInlineMixin, admin.TabularInline):
    model = Refund
    extra = 0
    readonly_fields = ("attempt_id", "stripe_refund_id", "created_at")
    raw_id_fields = ("created_by",)


@admin.register(Payment)
class PaymentAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("order", "provider", "kind", "status", "amount", "currency", "created_at")
    list_filter = ("provider", "kind", "status")
    list_select_related = ("order",)
    search_fields = ("order__code", "stripe_payment_intent_id", "stripe_checkout_session_id")
    readonly_fields = ("attempt_id",)
    raw_id_fields = ("order",)
    inlines = [RefundInline]


@admin.register(Refund)
class RefundAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("payment", "amount", "status", "automatic", "stripe_refund_id", "created_at")
    list_filter = ("status", "automatic")
    list_select_related = ("payment",)
    search_fields = ("stripe_refund_id", "payment__order__code")
    readonly_fields = ("attempt_id",)
    raw_id_fields = ("payment", "created_by")


@admin.register(StripeEvent)
class StripeEventAdmin(admin.ModelAdmin):
    list_display = ("stripe_event_id", "type", "order_code", "processed_at")
    list_filter = ("type",)
    search_fields = ("stripe_event_id", "order_code")
    readonly_fields = ("stripe_event_id", "type", "order_code", "processed_at")

    def has_add_permission(self, request):
        return False


@admin.register(Ticket)
class TicketAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("id", "attendee_name", "event", "version", "revoked", "created_at")
    list_filter = ("revoked", "event__organization")
    list_select_related = ("event",)
    search_fields = ("attendee_name", "order_position__order__code")
    raw_id_fields = ("order_position", "event")
    readonly_fields = ("secret",)


@admin.register(Gate)
class GateAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "event")
    list_filter = ("event__organization",)
    list_select_related = ("event",)
    search_fields = ("name", "event__name")
    autocomplete_fields = ("event",)
    filter_horizontal = ("ticket_types",)


@admin.register(ScannerDevice)
class ScannerDeviceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "event", "gate", "created_at", "last_seen_at", "revoked_at")
    list_filter = ("event__organization",)
    list_select_related = ("event", "gate")
    search_fields = ("name", "event__name")
    raw_id_fields = ("event", "gate", "created_by")
    readonly_fields = ("token_hash",)


@admin.register(CheckIn)
class CheckInAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("ticket", "event", "gate", "device", "kind", "scanned_at", "undone_at")
    list_filter = ("kind", "event__organization")
    list_select_related = ("ticket", "event", "gate", "device")
    search_fields = ("ticket__attendee_name", "client_scan_id")
    raw_id_fields = ("ticket", "event", "gate", "device", "created_by")


@admin.register(EventSigningKey)
class EventSigningKeyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The public half only: the encrypted private key is neither shown nor editable."""

    list_display = ("event", "created_at")
    list_select_related = ("event",)
    search_fields = ("event__name",)
    fields = ("event", "public_key_b64", "created_at")
    readonly_fields = ("event", "public_key_b64", "created_at")

    @admin.display(description="public key (base64url)")
    def public_key_b64(self, obj: EventSigningKey) -> str:
        return base64.urlsafe_b64encode(bytes(obj.public_key)).rstrip(b"=").decode()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CheckInConfig)
class CheckInConfigAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("event", "capacity", "alert_threshold_percent", "opens_at", "inside", "arrived", "alert_active")
    list_select_related = ("event",)
    search_fields = ("event__name",)
    raw_id_fields = ("event",)
    readonly_fields = ("inside", "arrived", "alert_active")


@admin.register(ScanLog)
class ScanLogAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("scanned_at", "event", "gate", "device", "ticket", "kind", "result", "offline", "client_scan_id")
    list_filter = ("result", "kind", "offline", "event__organization")
    list_select_related = ("event", "gate", "device", "ticket")
    search_fields = ("client_scan_id", "ticket__attendee_name")
    raw_id_fields = ("event", "gate", "device", "ticket", "checkin")
