"""Forms of the agenda pages (sessions, speakers, rooms, tracks, announcements). Times are entered
as wall-clock times in the event's own zone (as on the event form) and handed to the services in
UTC; conflicts are the services' to find."""

from datetime import UTC, date, datetime, timedelta
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.selectors import user_by_email
from eventhub.portal import choices_from

from ...enums import AnnouncementPriority, AnnouncementTarget, SessionKind, SessionStatus
from ...models import Event, Room, Session, Speaker, Track
from ...selectors.agenda import event_rooms, event_sessions, event_speakers, event_tracks
from .organizations import DATETIME_LOCAL


def _local_input(**kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL), **kwargs
    )


def to_utc(value: datetime, event: Event) -> datetime:
    """A wall time in the event's zone (the form gives it naive or in the server's zone) as UTC."""
    return value.replace(tzinfo=None).replace(tzinfo=event.tz).astimezone(UTC)


def to_local(value: datetime, event: Event) -> datetime:
    return value.astimezone(event.tz).replace(tzinfo=None)


class EventTimesMixin:
    """Converts the named datetime fields from the event's wall time to UTC in ``clean``."""

    event: Event
    time_fields: tuple[str, ...] = ()

    def convert_times(self, data: dict[str, Any]) -> None:
        for name in self.time_fields:
            if data.get(name):
                data[name] = to_utc(data[name], self.event)


class SessionForm(EventTimesMixin, forms.Form):
    time_fields = ("start", "end")

    title = forms.CharField(max_length=300)
    kind = forms.ChoiceField(choices=SessionKind.choices, initial=SessionKind.TALK)
    start = _local_input()
    end = _local_input()
    room: "forms.ModelChoiceField[Room]" = forms.ModelChoiceField(
        queryset=Room.objects.none(), required=False, empty_label="— no room —"
    )
    track: "forms.ModelChoiceField[Track]" = forms.ModelChoiceField(
        queryset=Track.objects.none(), required=False, empty_label="— no track —"
    )
    speakers: "forms.ModelMultipleChoiceField[Speaker]" = forms.ModelMultipleChoiceField(
        queryset=Speaker.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 5}),
        help_text="Hold Ctrl (⌘ on a Mac) to choose several.",
    )
    abstract = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    capacity = forms.IntegerField(required=False, min_value=0)
    tags = forms.CharField(required=False, max_length=500, help_text="Separated by commas.")
    language = forms.CharField(max_length=16, initial="en")
    materials_url = forms.URLField(required=False, label="Materials link", assume_scheme="https")
    recording_url = forms.URLField(required=False, label="Recording link", assume_scheme="https")

    def __init__(self, *args: Any, event: Event, session: Session | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        choices_from(self.fields["room"], event_rooms(event=event))
        choices_from(self.fields["track"], event_tracks(event=event))
        choices_from(self.fields["speakers"], event_speakers(event=event))
        zone = f"In the event's time zone ({event.timezone})."
        self.fields["start"].help_text = self.fields["end"].help_text = zone
        if session is not None:
            self.initial.update(
                {
                    "title": session.title,
                    "kind": session.kind,
                    "start": to_local(session.start, event),
                    "end": to_local(session.end, event),
                    "room": session.room_id,
                    "track": session.track_id,
                    "speakers": [speaker.pk for speaker in session.speakers.all()],
                    "abstract": session.abstract,
                    "capacity": session.capacity,
                    "tags": ", ".join(session.tags),
                    "language": session.language,
                    "materials_url": session.materials_url,
                    "recording_url": session.recording_url,
                }
            )

    def clean_tags(self) -> list[str]:
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.convert_times(data)
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", "A session must end after it starts.")
        return data

    def service_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``session_create``/``session_update``."""
        return dict(self.cleaned_data)


class MoveForm(EventTimesMixin, forms.Form):
    """Another room and/or start time; the session keeps its length."""

    time_fields = ("start",)

    room: "forms.ModelChoiceField[Room]" = forms.ModelChoiceField(
        queryset=Room.objects.none(), required=False, empty_label="— no room —"
    )
    start = _local_input(label="New start")

    def __init__(self, *args: Any, event: Event, session: Session, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event, self.session = event, session
        choices_from(self.fields["room"], event_rooms(event=event))
        self.fields["start"].help_text = f"In the event's time zone ({event.timezone})."
        self.initial.update({"room": session.room_id, "start": to_local(session.start, event)})

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.convert_times(data)
        return data

    def service_fields(self) -> dict[str, Any]:
        start = self.cleaned_data["start"]
        length: timedelta = self.session.end - self.session.start
        return {"room": self.cleaned_data["room"], "start": start, "end": start + length}


class DelayForm(forms.Form):
    minutes = forms.IntegerField(min_value=-240, max_value=240, initial=15)
    cascade = forms.BooleanField(required=False, label="Also shift the later sessions in this room")


class RoomForm(forms.Form):
    name = forms.CharField(max_length=120)
    capacity = forms.IntegerField(required=False, min_value=0)
    floor = forms.CharField(max_length=40, required=False)
    accessibility_notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    position = forms.IntegerField(min_value=0, initial=0, help_text="Rooms are shown in this order (left to right).")


class TrackForm(forms.Form):
    name = forms.CharField(max_length=120)
    colour = forms.RegexField(
        regex=r"^#[0-9a-fA-F]{6}$",
        initial="#3056d3",
        widget=forms.TextInput(attrs={"type": "color"}),
        error_messages={"invalid": "Use a colour like #3056d3."},
    )
    position = forms.IntegerField(min_value=0, initial=0)


class SpeakerForm(forms.Form):
    name = forms.CharField(max_length=200)
    company = forms.CharField(max_length=200, required=False)
    job_title = forms.CharField(max_length=200, required=False)
    bio = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    links = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="One per line: “label | https://…” (or just the address).",
    )
    email = forms.EmailField(
        required=False,
        label="Account email",
        help_text="Optional: link the profile to an EventHub account so the speaker can edit it.",
    )

    def __init__(self, *args: Any, speaker: Speaker | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if speaker is not None:
            self.initial.update(
                {
                    "name": speaker.name,
                    "company": speaker.company,
                    "job_title": speaker.job_title,
                    "bio": speaker.bio,
                    "links": "\n".join(f"{link['label']} | {link['url']}" for link in speaker.links),
                    "email": speaker.user.email if speaker.user else "",
                }
            )

    def clean_links(self) -> list[dict[str, str]]:
        links = []
        for line in self.cleaned_data["links"].splitlines():
            if not line.strip():
                continue
            label, _, url = line.rpartition("|")
            url = url.strip()
            try:
                URLValidator(schemes=["http", "https"])(url)
            except ValidationError:
                raise ValidationError(f"{url!r} is not a web address.") from None
            links.append({"label": label.strip() or url, "url": url})
        return links

    def clean_email(self) -> User | None:
        email = self.cleaned_data["email"].strip()
        if not email:
            return None
        user = user_by_email(email=email)
        if user is None:
            raise ValidationError("There is no EventHub account with this address.")
        return user

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["user"] = data.pop("email")
        return data


class AnnouncementForm(forms.Form):
    text = forms.CharField(max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    priority = forms.ChoiceField(choices=AnnouncementPriority.choices, initial=AnnouncementPriority.INFO)
    target = forms.ChoiceField(choices=AnnouncementTarget.choices, initial=AnnouncementTarget.EVERYONE)
    track: "forms.ModelChoiceField[Track]" = forms.ModelChoiceField(
        queryset=Track.objects.none(),
        required=False,
        empty_label=_("— no track —"),
        help_text=_("When the target is a track."),
    )
    session: "forms.ModelChoiceField[Session]" = forms.ModelChoiceField(
        queryset=Session.objects.none(),
        required=False,
        empty_label=_("— no session —"),
        help_text=_("When the target is a session's attendees."),
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_from(self.fields["track"], event_tracks(event=event))
        choices_from(
            self.fields["session"],
            event_sessions(event=event),
            label=lambda s: f"{s.title} ({s.start.astimezone(event.tz):%a %H:%M})",
        )


class PlaceForm(EventTimesMixin, forms.Form):
    """Where the schedule editor put a session: dragged (or moved with the keyboard) to a room
    and a start, or resized to a new end. Empty room: the unscheduled tray."""

    time_fields = ("start", "end")

    room: "forms.ModelChoiceField[Room]" = forms.ModelChoiceField(
        queryset=Room.objects.none(), required=False, empty_label=_("— no room —")
    )
    start = _local_input(label=_("Start"))
    end = _local_input(label=_("End"))

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.event = event
        choices_from(self.fields["room"], event_rooms(event=event))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        self.convert_times(data)
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", _("A session must end after it starts."))
        return data


class SessionFilterForm(forms.Form):
    """The sessions list's search and filters (a GET form: every field optional)."""

    q = forms.CharField(
        required=False, label=_("Search"), widget=forms.SearchInput(attrs={"placeholder": _("Title or speaker")})
    )
    day = forms.TypedChoiceField(required=False, label=_("Day"), coerce=date.fromisoformat, empty_value=None)
    room: "forms.ModelChoiceField[Room]" = forms.ModelChoiceField(
        queryset=Room.objects.none(), required=False, label=_("Room"), empty_label=_("Any room")
    )
    track: "forms.ModelChoiceField[Track]" = forms.ModelChoiceField(
        queryset=Track.objects.none(), required=False, label=_("Track"), empty_label=_("Any track")
    )
    status = forms.ChoiceField(required=False, label=_("Status"))
    unscheduled = forms.BooleanField(required=False, label=_("Only without a room"))

    def __init__(self, *args: Any, event: Event, days: list[date], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices_from(self.fields["room"], event_rooms(event=event))
        choices_from(self.fields["track"], event_tracks(event=event))
        day_field = cast(forms.TypedChoiceField, self.fields["day"])
        day_field.choices = [("", _("Any day"))] + [(day.isoformat(), f"{day:%a %d %b}") for day in days]
        status_field = cast(forms.ChoiceField, self.fields["status"])
        status_field.choices = [("", _("Any status")), *SessionStatus.choices]


class BulkForm(forms.Form):
    """The sessions list's bulk action on the ticked sessions."""

    ACTIONS = (("shift", _("Move by minutes")), ("cancel", _("Cancel")))

    action = forms.ChoiceField(choices=ACTIONS, label=_("With the selected sessions"))
    minutes = forms.IntegerField(required=False, min_value=-1440, max_value=1440, initial=15, label=_("Minutes"))
    sessions = forms.TypedMultipleChoiceField(coerce=int, label=_("Sessions"))

    def __init__(self, *args: Any, session_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedMultipleChoiceField, self.fields["sessions"]).choices = [(pk, pk) for pk in session_ids]

    def clean(self) -> dict[str, Any]:
        super().clean()
        if self.cleaned_data.get("action") == "shift" and not self.cleaned_data.get("minutes"):
            self.add_error("minutes", _("Say by how many minutes (negative: earlier)."))
        return self.cleaned_data
