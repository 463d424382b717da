"""The ticketing portal's forms: the catalogue, refunds and order search (sales), gates,
scanner devices, the check-in settings and manual check-in (check-in)."""

from datetime import datetime
from decimal import Decimal
from typing import cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from eventhub.portal import choices_from
from events.models import Event

from ..enums import CheckInKind, OrderStatus, PaymentProvider, ScanResult
from ..models import CheckInConfig, Gate, PaymentSettings, Quota, TicketType, Voucher
from ..selectors.sales import event_currency
from ..services.catalogue import TICKET_TYPE_FIELDS

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _local_datetime(**kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="In the event's time zone; empty: no limit.",
        **kwargs,
    )


class _EventZoneForm(forms.ModelForm):
    """Datetime fields are entered and shown in the event's own time zone (like the event form)."""

    zone_fields: tuple[str, ...] = ()

    def __init__(self, *args, event: Event, **kwargs):
        self.event = event
        super().__init__(*args, **kwargs)
        for name in self.zone_fields:
            value = getattr(self.instance, name, None)
            if value is not None:
                self.initial[name] = value.astimezone(event.tz).replace(tzinfo=None)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        for name in self.zone_fields:
            value: datetime | None = data.get(name)
            if value is not None:
                data[name] = timezone.make_aware(value.replace(tzinfo=None), self.event.tz)
        return data


class TicketTypeForm(_EventZoneForm):
    zone_fields = ("sales_start", "sales_end")
    sales_start = _local_datetime(label="Sales start")
    sales_end = _local_datetime(label="Sales end")

    class Meta:
        model = TicketType
        fields = TICKET_TYPE_FIELDS
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"price": "0 makes it a free ticket (confirmed at once, no payment)."}

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        currency = event_currency(event=event, exclude=self.instance.pk)
        if currency is not None:  # one currency per event: the others' (see services.catalogue)
            self.fields["currency"].initial = currency
            self.fields["currency"].help_text = _(
                "The event sells in %(currency)s: every ticket type of an event has the same currency."
            ) % {"currency": currency}


class QuotaForm(_EventZoneForm):
    ticket_types: "forms.ModelMultipleChoiceField[TicketType]" = forms.ModelMultipleChoiceField(
        queryset=TicketType.objects.with_scopes_disabled().none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="The ticket types that share this capacity.",
    )

    class Meta:
        model = Quota
        fields = ["name", "size"]
        help_texts = {"size": "How many tickets of these types can be sold in total."}

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        choices_from(self.fields["ticket_types"], TicketType.objects.filter(event=event).order_by("position", "name"))
        if self.instance.pk:
            self.initial["ticket_types"] = list(self.instance.ticket_types.values_list("pk", flat=True))


class VoucherForm(_EventZoneForm):
    zone_fields = ("valid_from", "valid_until")
    valid_from = _local_datetime(label="Valid from")
    valid_until = _local_datetime(label="Valid until")
    ticket_type: "forms.ModelChoiceField[TicketType]" = forms.ModelChoiceField(
        queryset=TicketType.objects.with_scopes_disabled().none(),
        required=False,
        empty_label="Any ticket type",
        help_text="Only for this ticket type (empty: any).",
    )

    class Meta:
        model = Voucher
        fields = ["code", "discount_kind", "value", "max_usages", "valid_from", "valid_until", "ticket_type", "comment"]

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        choices_from(self.fields["ticket_type"], TicketType.objects.filter(event=event).order_by("position", "name"))

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip()


class RefundForm(forms.Form):
    amount = forms.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"), label=_("Amount"))
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"))


class OrderFilterForm(forms.Form):
    """The order list's filters (GET): every one optional."""

    q = forms.CharField(required=False, label=_("Search"), max_length=200)
    status = forms.ChoiceField(required=False, label=_("Status"))
    ticket_type: "forms.ModelChoiceField[TicketType]" = forms.ModelChoiceField(
        queryset=TicketType.objects.none(), required=False, label=_("Ticket type"), empty_label=_("Any ticket type")
    )
    payment = forms.ChoiceField(required=False, label=_("Payment"))
    created_from = forms.DateField(required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("Any status")), *OrderStatus.choices]
        cast(forms.ChoiceField, self.fields["payment"]).choices = [("", _("Any payment")), *PaymentProvider.choices]
        choices_from(self.fields["ticket_type"], TicketType.objects.filter(event=event).order_by("position", "name"))


class CancelOrderForm(forms.Form):
    refund = forms.BooleanField(
        required=False, initial=True, label=_("Refund the payment"), help_text=_("Unticked: the money is kept.")
    )
    reason = forms.CharField(max_length=200, required=False, label=_("Reason"))


class ExtendReservationForm(forms.Form):
    until = forms.DateTimeField(
        label=_("Reserved until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("In the event's time zone."),
    )

    def __init__(self, *args, event: Event, **kwargs) -> None:
        self.event = event
        super().__init__(*args, **kwargs)

    def clean_until(self) -> datetime:
        value: datetime = self.cleaned_data["until"]
        return timezone.make_aware(value.replace(tzinfo=None), self.event.tz)


class AttendeeForm(forms.Form):
    attendee_name = forms.CharField(max_length=200, label=_("Attendee name"))
    attendee_email = forms.EmailField(max_length=254, label=_("Attendee e-mail"))


# --- check-in -------------------------------------------------------------------------------


class GateForm(forms.Form):
    name = forms.CharField(max_length=120)
    ticket_types: "forms.ModelMultipleChoiceField[TicketType]" = forms.ModelMultipleChoiceField(
        queryset=TicketType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Admitted here; none ticked admits every ticket type.",
    )

    def __init__(self, *args, event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices_from(self.fields["ticket_types"], TicketType.objects.filter(event=event).order_by("position", "name"))


class DeviceForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="E.g. “North entrance phone 1”.")
    gate: "forms.ModelChoiceField[Gate]" = forms.ModelChoiceField(
        queryset=Gate.objects.none(), required=False, empty_label="(no gate: admits all)"
    )

    def __init__(self, *args, event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices_from(self.fields["gate"], Gate.objects.filter(event=event).order_by("name"))


class CheckInConfigForm(_EventZoneForm):
    """Check-in settings; "opens at" is entered in the event's zone like every other time."""

    zone_fields = ("opens_at",)
    opens_at = _local_datetime(label=_("Opens at"))

    class Meta:
        model = CheckInConfig
        fields = ["capacity", "alert_threshold_percent", "opens_at"]

    def __init__(self, *args, event: Event, **kwargs):
        super().__init__(*args, event=event, **kwargs)
        self.fields["opens_at"].help_text = _(
            "In the event's time zone (%(zone)s); empty: some hours before the event starts."
        ) % {"zone": event.timezone}


class ManualCheckInForm(forms.Form):
    gate: "forms.ModelChoiceField[Gate]" = forms.ModelChoiceField(queryset=Gate.objects.none(), required=False)
    kind = forms.ChoiceField(choices=CheckInKind.choices, initial=CheckInKind.ENTRY)
    override = forms.BooleanField(required=False, help_text=_("Admit before check-in opens."))

    def __init__(self, *args, event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices_from(self.fields["gate"], Gate.objects.filter(event=event).order_by("name"))


class ScanLogFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label=_("Name, order code or device"))
    result = forms.ChoiceField(required=False, label=_("Answer"))
    gate: "forms.ModelChoiceField[Gate]" = forms.ModelChoiceField(
        queryset=Gate.objects.none(), required=False, label=_("Gate"), empty_label=_("Any gate")
    )

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["result"]).choices = [("", _("Any answer")), *ScanResult.choices]
        choices_from(self.fields["gate"], Gate.objects.filter(event=event).order_by("name"))


class AttendeeListForm(forms.Form):
    ticket_type: "forms.ModelChoiceField[TicketType]" = forms.ModelChoiceField(
        queryset=TicketType.objects.none(), required=False, label=_("Ticket type"), empty_label=_("All ticket types")
    )

    def __init__(self, *args, event: Event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices_from(self.fields["ticket_type"], TicketType.objects.filter(event=event).order_by("position", "name"))


# --- payments (per organization) --------------------------------------------------------------


class PaymentSettingsForm(forms.ModelForm):
    """The organization's payment settings. The secrets are write-only: an empty field keeps
    the stored key, and the page never shows one."""

    stripe_secret_key = forms.CharField(
        required=False,
        max_length=255,
        label=_("Stripe secret key"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("sk_test_… or sk_live_… (a restricted rk_… key works too). Empty: keep the stored key."),
    )
    stripe_webhook_secret = forms.CharField(
        required=False,
        max_length=255,
        label=_("Stripe webhook signing secret"),
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text=_("whsec_… of the endpoint /api/v1/stripe/webhook in your Stripe account. Empty: keep it."),
    )
    clear_stripe_keys = forms.BooleanField(
        required=False,
        label=_("Remove the stored Stripe keys"),
        help_text=_("The site's own keys apply again, if any."),
    )

    field_order = [
        "stripe_mode",
        "stripe_publishable_key",
        "stripe_secret_key",
        "stripe_webhook_secret",
        "clear_stripe_keys",
        "bank_transfer_enabled",
        "bank_transfer_details",
        "manual_payment_days",
        "pay_at_door_enabled",
    ]

    class Meta:
        model = PaymentSettings
        fields = [
            "stripe_mode",
            "stripe_publishable_key",
            "bank_transfer_enabled",
            "bank_transfer_details",
            "pay_at_door_enabled",
            "manual_payment_days",
        ]
        labels = {
            "stripe_mode": _("Stripe mode"),
            "stripe_publishable_key": _("Stripe publishable key"),
            "bank_transfer_enabled": _("Offer bank transfer"),
            "bank_transfer_details": _("Bank account"),
            "pay_at_door_enabled": _("Offer pay at the door"),
            "manual_payment_days": _("Days to pay a bank transfer"),
        }
        widgets = {"bank_transfer_details": forms.Textarea(attrs={"rows": 3})}
