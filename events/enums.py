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
