import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django_scopes import ScopedManager

from eventhub.models import EventScoped, RevocableLink

from .enums import (
    AnnouncementPriority,
    AnnouncementTarget,
    EventStatus,
    EventVisibility,
    InvitationKind,
    MemberRole,
    ParticipantKind,
    SessionKind,
    SessionStatus,
)


def new_invitation_nonce() -> str:
    return secrets.token_urlsafe(16)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"{value!r} is not an IANA time zone.")


class Organization(models.Model):
    """An organizer team: the tenant. Resolved from the URL by the tenancy middleware."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrganizationMember(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=MemberRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organization", "user"], name="member_unique_per_org")]
        ordering = ["organization", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) in {self.organization}"


class Event(models.Model):
    """A conference, meetup, concert or match. Times are stored in UTC and shown in `timezone`."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="events")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    start = models.DateTimeField()
    end = models.DateTimeField()
    venue_name = models.CharField(max_length=200, blank=True)
    venue_address = models.TextField(blank=True)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=EventStatus.choices, default=EventStatus.DRAFT)
    visibility = models.CharField(max_length=16, choices=EventVisibility.choices, default=EventVisibility.PUBLIC)
    open_registration = models.BooleanField(
        default=False, help_text="Anyone signed in may join as an attendee without a ticket."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="event_slug_unique_per_org"),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="event_ends_after_start",
                violation_error_message="The event must end after it starts.",
            ),
        ]
        ordering = ["start", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Participant(EventScoped):
    """A user's part in one event. Organization members are implicitly staff and need no row."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    kind = models.CharField(max_length=16, choices=ParticipantKind.choices, default=ParticipantKind.ATTENDEE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="participant_unique_per_event")]
        ordering = ["event", "created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.kind}) at {self.event}"


class Room(EventScoped):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=120)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    floor = models.CharField(max_length=40, blank=True)
    accessibility_notes = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)
    # The row's id in the organizer's own system (imports match on it; issue 10). Blank when unset.
    external_id = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "name"],
                name="room_name_unique_per_event",
                violation_error_message="A room with this name already exists.",
            ),
            models.UniqueConstraint(
                fields=["event", "external_id"],
                condition=~models.Q(external_id=""),
                name="room_external_id_unique_per_event",
                violation_error_message="Another room of this event has this external id.",
            ),
        ]
        ordering = ["event", "position", "name"]

    def __str__(self) -> str:
        return self.name


# --- agenda -------------------------------------------------------------------------------


class Track(EventScoped):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="tracks")
    name = models.CharField(max_length=120)
    colour = models.CharField(
        max_length=7,
        default="#3056d3",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Use a colour like #3056d3.")],
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "name"],
                name="track_name_unique_per_event",
                violation_error_message="A track with this name already exists.",
            )
        ]
        ordering = ["event", "position", "name"]

    def __str__(self) -> str:
        return self.name


def speaker_photo_path(speaker: "Speaker", filename: str) -> str:
    return f"speakers/{speaker.event_id}/{secrets.token_hex(8)}.jpg"


class Speaker(EventScoped):
    """A speaker's public profile for one event; ``user`` links it to an account that may edit it."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="speakers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="speaker_profiles"
    )
    name = models.CharField(max_length=200)
    bio = models.TextField(blank=True)
    company = models.CharField(max_length=200, blank=True)
    job_title = models.CharField(max_length=200, blank=True)
    photo = models.ImageField(upload_to=speaker_photo_path, blank=True)
    links = models.JSONField(default=list, blank=True, help_text="A list of {label, url}.")
    updated_at = models.DateTimeField(auto_now=True)
    # The row's id in the organizer's own system (imports match on it; issue 10). Blank when unset.
    external_id = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"],
                condition=models.Q(user__isnull=False),
                name="speaker_user_unique_per_event",
                violation_error_message="This account already has a speaker profile at this event.",
            ),
            models.UniqueConstraint(
                fields=["event", "external_id"],
                condition=~models.Q(external_id=""),
                name="speaker_external_id_unique_per_event",
                violation_error_message="Another speaker of this event has this external id.",
            ),
        ]
        ordering = ["event", "name"]

    def __str__(self) -> str:
        return self.name


class SessionFields(models.Model):
    """What attendees see of a session. ``Session`` is the organizers' working copy (the draft);
    ``PublishedSession`` is the copy frozen by the last publish, which is all attendees read."""

    title = models.CharField(max_length=300)
    abstract = models.TextField(blank=True)
    kind = models.CharField(max_length=16, choices=SessionKind.choices, default=SessionKind.TALK)
    start = models.DateTimeField()
    end = models.DateTimeField()
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    track = models.ForeignKey(Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    capacity = models.PositiveIntegerField(null=True, blank=True)
    tags = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=16, default="en")
    materials_url = models.URLField(blank=True)
    recording_url = models.URLField(blank=True)
    status = models.CharField(max_length=16, choices=SessionStatus.choices, default=SessionStatus.SCHEDULED)

    class Meta:
        abstract = True


# The fields of ``SessionFields``: what a publish compares and copies from draft to published copy.
SESSION_FIELDS = [
    "title",
    "abstract",
    "kind",
    "start",
    "end",
    "room",
    "track",
    "capacity",
    "tags",
    "language",
    "materials_url",
    "recording_url",
    "status",
]


class Session(SessionFields, EventScoped):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="sessions")
    speakers = models.ManyToManyField(Speaker, blank=True, related_name="sessions")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The row's id in the organizer's own system (imports match on it; issue 10). Blank when unset.
    external_id = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")),
                name="session_ends_after_start",
                violation_error_message="A session must end after it starts.",
            ),
            models.UniqueConstraint(
                fields=["event", "external_id"],
                condition=~models.Q(external_id=""),
                name="session_external_id_unique_per_event",
                violation_error_message="Another session of this event has this external id.",
            ),
        ]
        indexes = [models.Index(fields=["event", "room", "start"])]
        ordering = ["start", "room__position", "id"]

    def __str__(self) -> str:
        return self.title


class PublishedSession(SessionFields, EventScoped):
    """The attendee-visible copy of a session, replaced only by publishing a schedule version."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, primary_key=True, related_name="published")
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="published_sessions")
    speakers = models.ManyToManyField(Speaker, blank=True, related_name="published_sessions")
    # iCalendar SEQUENCE: bumped whenever a publish changes the session.
    sequence = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(help_text="The schedule version that last changed it.")
    last_modified = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["event", "start"])]
        ordering = ["start", "room__position", "session_id"]

    def __str__(self) -> str:
        return self.title

    @property
    def id(self) -> int:
        return self.session_id


class ScheduleVersion(EventScoped):
    """A numbered, frozen publish of the agenda with its structured diff against the previous one."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="schedule_versions")
    number = models.PositiveIntegerField()
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    comment = models.CharField(max_length=300, blank=True)
    changes = models.JSONField(default=list)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "number"], name="schedule_version_unique_number")]
        ordering = ["event", "-number"]

    def __str__(self) -> str:
        return f"{self.event} v{self.number}"


class Bookmark(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="bookmarks")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="bookmarks")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="session__event__organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "session"], name="bookmark_unique_per_user")]
        ordering = ["session__start", "id"]

    def __str__(self) -> str:
        return f"{self.user} ☆ {self.session}"


class SessionNote(models.Model):
    """An attendee's private note on a session."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="session_notes")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(max_length=10_000)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(organization="session__event__organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "session"], name="note_unique_per_user")]
        ordering = ["session__start", "id"]

    def __str__(self) -> str:
        return f"Note of {self.user} on {self.session}"


class Announcement(EventScoped):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="announcements")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(max_length=2_000)
    priority = models.CharField(max_length=16, choices=AnnouncementPriority.choices, default=AnnouncementPriority.INFO)
    target = models.CharField(max_length=16, choices=AnnouncementTarget.choices, default=AnnouncementTarget.EVERYONE)
    track = models.ForeignKey(Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    session = models.ForeignKey(Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["event", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.text[:60]


class DisplayLink(EventScoped, RevocableLink):
    """A revocable link for a door screen: one room, or the whole venue when ``room`` is empty."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="display_links")
    room = models.ForeignKey(Room, null=True, blank=True, on_delete=models.CASCADE, related_name="display_links")
    name = models.CharField(max_length=120)

    class Meta:
        ordering = ["event", "name"]

    def __str__(self) -> str:
        return self.name


class CalendarFeed(EventScoped, RevocableLink):
    """A private, revocable iCalendar URL for one user's personal agenda of one event."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="calendar_feeds")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")

    class Meta:
        ordering = ["event", "-created_at"]

    def __str__(self) -> str:
        return f"Calendar feed of {self.user} for {self.event}"


# --- invitations ------------------------------------------------------------------------------


class Invitation(models.Model):
    """An invitation by e-mail address: to join the organization with ``role`` (team), or to claim
    the speaker profile ``speaker`` (speaker). The link carries a signed token naming the row and
    its ``nonce``; resending rotates the nonce (the old link dies) and renews ``expires_at``.
    Single use: ``accepted_at``; revocable: ``revoked_at``."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    kind = models.CharField(max_length=16, choices=InvitationKind.choices)
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=MemberRole.choices, blank=True)
    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    speaker = models.ForeignKey(Speaker, null=True, blank=True, on_delete=models.CASCADE, related_name="invitations")
    nonce = models.CharField(max_length=64, default=new_invitation_nonce)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(organization="organization")

    class Meta:
        constraints = [
            # One open invitation per address and organization (team) or speaker profile.
            models.UniqueConstraint(
                fields=["organization", "email"],
                condition=models.Q(kind="team", accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_open_team_unique",
            ),
            models.UniqueConstraint(
                fields=["speaker", "email"],
                condition=models.Q(kind="speaker", accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_open_speaker_unique",
            ),
        ]
        ordering = ["organization", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"Invitation of {self.email} to {self.organization}"
