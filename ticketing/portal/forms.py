"""The ticketing portal's forms: the catalogue, refunds and order search (sales), gates,
scanner devices, the check-in settings and manual check-in (check-in)."""

from datetime import datetime
from decimal import Decimal

from django import forms
from django.utils import timezone

from eventhub.portal import choices_from
from events.models import Event

from ..enums import CheckInKind
from ..models import CheckInConfig, Gate, Quota, TicketType, Voucher
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

    def clean_currency(self) -> str:
        currency = self.cleaned_data["currency"].strip().upper()
        if len(currency) != 3 or not currency.isalpha():
            raise forms.ValidationError("Enter a three-letter ISO 4217 code, e.g. EUR.")
        return currency


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
    amount = forms.DecimalField(max_digits=10, decimal_places=2, min_value=Decimal("0.01"))
    reason = forms.CharField(max_length=200, required=False)


class OrderSearchForm(forms.Form):
    q = forms.CharField(required=False, label="Search", max_length=200)


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


class CheckInConfigForm(forms.ModelForm):
    class Meta:
        model = CheckInConfig
        fields = ["capacity", "alert_threshold_percent", "opens_at"]
        widgets = {"opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}


class ManualCheckInForm(forms.Form):
    gate: "forms.ModelChoiceField[Gate]" = forms.ModelChoiceField(queryset=Gate.objects.none(), required=False)
    kind = forms.ChoiceField(choices=CheckInKind.choices, initial=CheckInKind.ENTRY)

    def __init__(self, *args, event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices_from(self.fields["gate"], Gate.objects.filter(event=event).order_by("name"))
