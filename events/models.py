import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django_scopes import ScopedManager

from .enums import EventStatus, EventVisibility, MemberRole, ParticipantKind


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

    @property
    def stream(self) -> str:
        return f"event:{self.pk}"

    @property
    def staff_stream(self) -> str:
        return f"event:{self.pk}:staff"


class Participant(models.Model):
    """A user's part in one event. Organization members are implicitly staff and need no row."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participations")
    kind = models.CharField(max_length=16, choices=ParticipantKind.choices, default=ParticipantKind.ATTENDEE)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(organization="event__organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "user"], name="participant_unique_per_event")]
        ordering = ["event", "created_at"]

    def __str__(self) -> str:
        return f"{self.user} ({self.kind}) at {self.event}"


class Room(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=120)
    capacity = models.PositiveIntegerField(null=True, blank=True)
    floor = models.CharField(max_length=40, blank=True)
    accessibility_notes = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    objects = ScopedManager(organization="event__organization")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "name"], name="room_name_unique_per_event")]
        ordering = ["event", "position", "name"]

    def __str__(self) -> str:
        return self.name
