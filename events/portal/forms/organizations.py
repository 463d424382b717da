"""Forms of the organization and event pages: start and end of an event are entered as wall-clock
times in its own zone."""

import zoneinfo
from datetime import UTC

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ...enums import MemberRole, SessionTimes
from ...models import Event, Organization
from ...services.organizations import EVENT_FIELDS

TIME_ZONES = sorted(zoneinfo.available_timezones())
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "slug"]
        help_texts = {"slug": _("Used in addresses, e.g. /portal/<slug>/.")}


class EventForm(forms.ModelForm):
    """Start and end are entered in the event's own time zone."""

    # A searchable picker: a text input offering every IANA zone (``templates/events/_zones.html``
    # renders the list); a new event starts in the browser's zone (static/js/portal.js).
    timezone = forms.ChoiceField(
        label=_("Time zone"),
        choices=[(tz, tz) for tz in TIME_ZONES],
        initial="Europe/Berlin",
        widget=forms.TextInput(
            attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false", "data-zone-picker": ""}
        ),
        help_text=_("Type to search, e.g. “Berlin” or “New_York”. Every time of the event is shown in this zone."),
    )
    # datetime-local inputs send and accept only "YYYY-MM-DDTHH:MM" (no seconds, a "T").
    start = forms.DateTimeField(
        label=_("Start"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("In the event's time zone."),
    )
    end = forms.DateTimeField(
        label=_("End"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("In the event's time zone."),
    )

    session_times = forms.ChoiceField(
        label=_("When the time zone changes"),
        choices=SessionTimes.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_("Only asked when you change the zone of an event that has sessions."),
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
            self.fields["timezone"].widget.attrs["data-saved-zone"] = self.instance.timezone
        else:
            del self.fields["session_times"]  # a new event has no sessions to keep
            if not self.is_bound:
                self.fields["timezone"].widget.attrs["data-browser-default"] = ""

    def clean(self):
        super().clean()
        data = self.cleaned_data
        tz_name = data.get("timezone")
        if tz_name:
            tz = zoneinfo.ZoneInfo(tz_name)
            rezoned = bool(self.instance.pk) and tz_name != self.instance.timezone
            keep_instants = rezoned and data.get("session_times") == SessionTimes.INSTANT
            for name in ("start", "end"):
                if keep_instants and self._unchanged_wall_time(name):
                    # "Keep instants": the event's own hours stay the moments they were, as its
                    # sessions do, unless the organizer typed new ones.
                    data[name] = getattr(self.instance, name)
                elif data.get(name):
                    # Wall time in the event's zone, stored as UTC: an unchanged time then
                    # compares equal to the stored one and does not show up as a change.
                    data[name] = data[name].replace(tzinfo=None).replace(tzinfo=tz).astimezone(UTC)
        if not data.get("session_times"):
            data.pop("session_times", None)
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            raise ValidationError({"end": _("The event must end after it starts.")})
        return data

    def _unchanged_wall_time(self, name: str) -> bool:
        """The field still says what the form offered (the old zone's wall-clock time)."""
        initial = self.initial.get(name)
        return initial is not None and self.data.get(self.add_prefix(name)) == f"{initial:{DATETIME_LOCAL}}"

    @property
    def zone_names(self) -> list[str]:
        return TIME_ZONES

    def _post_clean(self):
        # The service validates the model (constraints need the organization); skip ModelForm's.
        pass


class MemberAddForm(forms.Form):
    email = forms.EmailField(help_text=_("They need an EventHub account with this address."))
    role = forms.ChoiceField(choices=MemberRole.choices, initial=MemberRole.EDITOR)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(choices=MemberRole.choices)
