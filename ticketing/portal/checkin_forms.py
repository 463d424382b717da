from django import forms

from ..enums import CheckInKind
from ..models import CheckInConfig, Gate, TicketType


class GateForm(forms.Form):
    name = forms.CharField(max_length=120)
    ticket_types = forms.ModelMultipleChoiceField(
        queryset=TicketType.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Admitted here; none ticked admits every ticket type.",
    )

    def __init__(self, *args, event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ticket_types"].queryset = TicketType.objects.filter(event=event).order_by("position", "name")


class DeviceForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="E.g. “North entrance phone 1”.")
    gate = forms.ModelChoiceField(queryset=Gate.objects.none(), required=False, empty_label="(no gate: admits all)")

    def __init__(self, *args, event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gate"].queryset = Gate.objects.filter(event=event).order_by("name")


class CheckInConfigForm(forms.ModelForm):
    class Meta:
        model = CheckInConfig
        fields = ["capacity", "alert_threshold_percent", "opens_at"]
        widgets = {"opens_at": forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")}


class ManualCheckInForm(forms.Form):
    gate = forms.ModelChoiceField(queryset=Gate.objects.none(), required=False)
    kind = forms.ChoiceField(choices=CheckInKind.choices, initial=CheckInKind.ENTRY)

    def __init__(self, *args, event, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["gate"].queryset = Gate.objects.filter(event=event).order_by("name")
