from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    OPERATOR = "operator", "Operator"
    ANALYST = "analyst", "Analyst"


class InvitationKind(models.TextChoices):
    TEAM = "team", "Team member"
    SPEAKER = "speaker", "Speaker"


class EventStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    LIVE = "live", "Live"
    ENDED = "ended", "Ended"


class EventVisibility(models.TextChoices):
    PUBLIC = "public", "Public (listed)"
    UNLISTED = "unlisted", "Unlisted (link only)"
    PRIVATE = "private", "Private (participants only)"


class ParticipantKind(models.TextChoices):
    ATTENDEE = "attendee", "Attendee"
    SPEAKER = "speaker", "Speaker"
    VENDOR = "vendor", "Vendor"
    SPONSOR = "sponsor", "Sponsor"
    VOLUNTEER = "volunteer", "Volunteer"
    STAFF = "staff", "Staff"


class SessionKind(models.TextChoices):
    TALK = "talk", "Talk"
    WORKSHOP = "workshop", "Workshop"
    KEYNOTE = "keynote", "Keynote"
    BREAK = "break", "Break"
    SOCIAL = "social", "Social"


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    MOVED = "moved", "Moved"
    DELAYED = "delayed", "Delayed"
    CANCELLED = "cancelled", "Cancelled"


class AnnouncementPriority(models.TextChoices):
    INFO = "info", "Info"
    IMPORTANT = "important", "Important"
    URGENT = "urgent", "Urgent"


class AnnouncementTarget(models.TextChoices):
    EVERYONE = "everyone", "Everyone"
    TRACK = "track", "A track"
    SESSION = "session", "Attendees of a session"


class EntryType(StrEnum):
    """The ``type`` of every entry the events app appends to a stream (clients switch on these
    strings; docs/realtime.md lists their data)."""

    # event:<id>
    EVENT_UPDATED = "event.updated"
    SESSION_CREATED = "session.created"
    SESSION_UPDATED = "session.updated"
    SESSION_CANCELLED = "session.cancelled"
    SCHEDULE_PUBLISHED = "schedule.published"
    ROOM_CREATED = "room.created"
    ROOM_UPDATED = "room.updated"
    ROOM_DELETED = "room.deleted"
    TRACK_CREATED = "track.created"
    TRACK_UPDATED = "track.updated"
    SPEAKER_CREATED = "speaker.created"
    SPEAKER_UPDATED = "speaker.updated"
    ANNOUNCEMENT_POSTED = "announcement.posted"
    # event:<id>:staff
    PARTICIPANT_JOINED = "participant.joined"
    # user:<id>
    PARTICIPATION_CREATED = "participation.created"
    AGENDA_CHANGED = "agenda.changed"
    SPEAKER_SESSION_CHANGED = "speaker.session_changed"
    BOOKMARK_ADDED = "bookmark.added"
    BOOKMARK_REMOVED = "bookmark.removed"
    NOTE_SAVED = "note.saved"
    NOTIFICATION = "notification"


class SessionTimes(models.TextChoices):
    """What an event's change of time zone does to its sessions."""

    WALL = "wall", _("Keep wall-clock times (10:00 stays 10:00 in the new zone)")
    INSTANT = "instant", _("Keep instants (the sessions happen at the same moment; their local times change)")
