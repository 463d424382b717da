"""Forms of the organization and event pages: start and end of an event are entered as wall-clock
times in its own zone."""

import zoneinfo
from datetime import UTC

from django import forms
from django.core.exceptions import ValidationError

from ...enums import MemberRole
from ...models import Event, Organization
from ...services.organizations import EVENT_FIELDS

TIME_ZONES = sorted(zoneinfo.available_timezones())
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "slug"]
        help_texts = {"slug": "Used in addresses, e.g. /portal/<slug>/."}


class EventForm(forms.ModelForm):
    """Start and end are entered in the event's own time zone."""

    timezone = forms.ChoiceField(label="Time zone", choices=[(tz, tz) for tz in TIME_ZONES], initial="Europe/Berlin")
    # datetime-local inputs send and accept only "YYYY-MM-DDTHH:MM" (no seconds, a "T").
    start = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="In the event's time zone.",
    )
    end = forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text="In the event's time zone.",
    )

    class Meta:
        model = Event
        fields = EVENT_FIELDS
        widgets = {"venue_address": forms.Textarea(attrs={"rows": 2}), "description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            tz = self.instance.tz
            for name in ("start", "end"):
                self.initial[name] = getattr(self.instance, name).astimezone(tz).replace(tzinfo=None)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        tz_name = data.get("timezone")
        if tz_name:
            tz = zoneinfo.ZoneInfo(tz_name)
            for name in ("start", "end"):
                if data.get(name):
                    # Wall time in the event's zone, stored as UTC: an unchanged time then
                    # compares equal to the stored one and does not show up as a change.
                    data[name] = data[name].replace(tzinfo=None).replace(tzinfo=tz).astimezone(UTC)
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ValidationError({"end": "The event must end after it starts."})
        return data

    def _post_clean(self):
        # The service validates the model (constraints need the organization); skip ModelForm's.
        pass


class MemberAddForm(forms.Form):
    email = forms.EmailField(help_text="They need an EventHub account with this address.")
    role = forms.ChoiceField(choices=MemberRole.choices, initial=MemberRole.EDITOR)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=MemberRole.choices)
