"""The form of a new door-display link."""

from typing import Any

from django import forms

from eventhub.portal import choices_from

from ...models import Event, Room
from ...selectors.agenda import event_rooms


class DisplayLinkForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="E.g. “Hall A door”.")
    room: "forms.ModelChoiceField[Room]" = forms.ModelChoiceField(
        queryset=Room.objects.none(), required=False, empty_label="The whole venue", help_text="What it shows."
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_from(self.fields["room"], event_rooms(event=event))
