"""The publish form of the schedule grid."""

from django import forms


class PublishForm(forms.Form):
    comment = forms.CharField(
        max_length=300, required=False, help_text="Optional: shown in the changelog, e.g. “Room B flooded”."
    )
