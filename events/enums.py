from django.db import models


class MemberRole(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    EDITOR = "editor", "Editor"
    OPERATOR = "operator", "Operator"
    ANALYST = "analyst", "Analyst"


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
