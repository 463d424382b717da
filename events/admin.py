from typing import Any

from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models

from eventhub.admin import ScopedAdminMixin
from eventhub.images import SPEAKER_PHOTO, ReencodedImageField

from .models import (
    Announcement,
    Bookmark,
    CalendarFeed,
    DisplayLink,
    Event,
    Organization,
    OrganizationMember,
    Participant,
    PublishedSession,
    Room,
    ScheduleVersion,
    Session,
    SessionNote,
    Speaker,
    Track,
)


class MemberInline(admin.TabularInline):
    model = OrganizationMember
    extra = 0
    autocomplete_fields = ("user",)

    def get_queryset(self, request):
        return OrganizationMember.objects.with_scopes_disabled().all()


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MemberInline]


@admin.register(OrganizationMember)
class OrganizationMemberAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role", "organization")
    list_select_related = ("user", "organization")
    search_fields = ("user__email", "organization__name")
    autocomplete_fields = ("user", "organization")


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0

    def get_queryset(self, request):
        return Room.objects.with_scopes_disabled().all()


@admin.register(Event)
class EventAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "organization", "start", "end", "timezone", "status", "visibility", "open_registration")
    list_filter = ("status", "visibility", "open_registration", "organization")
    list_select_related = ("organization",)
    search_fields = ("name", "slug", "venue_name")
    date_hierarchy = "start"
    autocomplete_fields = ("organization",)
    inlines = [RoomInline]


@admin.register(Participant)
class ParticipantAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "event", "kind", "created_at")
    list_filter = ("kind", "event__organization")
    list_select_related = ("user", "event")
    search_fields = ("user__email", "event__name")
    autocomplete_fields = ("user", "event")


@admin.register(Room)
class RoomAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "event", "capacity", "floor", "position")
    list_filter = ("event__organization",)
    list_select_related = ("event",)
    autocomplete_fields = ("event",)
    search_fields = ("name", "event__name")


# --- agenda -------------------------------------------------------------------------------------
# Staff fix data here; organizers use the portal, whose services publish and notify. Published
# copies and schedule versions are what phones hold, so the admin shows them read-only.


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Track)
class TrackAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "event", "colour", "position")
    list_select_related = ("event",)
    search_fields = ("name", "event__name")
    autocomplete_fields = ("event",)


@admin.register(Speaker)
class SpeakerAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "event", "company", "user")
    list_select_related = ("event", "user")
    search_fields = ("name", "company", "user__email", "event__name")
    autocomplete_fields = ("event", "user")

    def formfield_for_dbfield(self, db_field: Any, request: Any, **kwargs: Any) -> Any:
        if db_field.name == "photo":  # checked by content and re-encoded (eventhub/images.py)
            return ReencodedImageField(policy=SPEAKER_PHOTO, required=False, widget=AdminFileWidget, label="Photo")
        return super().formfield_for_dbfield(db_field, request, **kwargs)


@admin.register(Session)
class SessionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "event", "start", "room", "kind", "status")
    list_filter = ("kind", "status", "event__organization")
    list_select_related = ("event", "room")
    search_fields = ("title", "event__name")
    date_hierarchy = "start"
    autocomplete_fields = ("event", "speakers")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    raw_id_fields = ("room", "track")


@admin.register(PublishedSession)
class PublishedSessionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("title", "event", "start", "room", "status", "version", "sequence")
    list_filter = ("status", "event__organization")
    list_select_related = ("event", "room")
    search_fields = ("title", "event__name")


@admin.register(ScheduleVersion)
class ScheduleVersionAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("event", "number", "published_at", "published_by", "comment")
    list_select_related = ("event", "published_by")
    search_fields = ("event__name", "comment")


@admin.register(Bookmark)
class BookmarkAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "session", "created_at")
    list_select_related = ("user", "session")
    search_fields = ("user__email", "session__title")
    raw_id_fields = ("user", "session")


@admin.register(SessionNote)
class SessionNoteAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Private notes: listed for support (who has notes where), never edited by staff."""

    list_display = ("user", "session", "updated_at")
    list_select_related = ("user", "session")
    search_fields = ("user__email", "session__title")
    exclude = ("text",)


@admin.register(Announcement)
class AnnouncementAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("text", "event", "priority", "target", "created_at")
    list_filter = ("priority", "target", "event__organization")
    list_select_related = ("event",)
    search_fields = ("text", "event__name")
    raw_id_fields = ("event", "author", "track", "session")


@admin.register(DisplayLink)
class DisplayLinkAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "event", "room", "created_at", "revoked_at")
    list_select_related = ("event", "room")
    search_fields = ("name", "event__name")
    raw_id_fields = ("event", "room")
    fields = ("event", "room", "name", "revoked_at")  # never the token: it is the credential


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "event", "created_at", "revoked_at")
    list_select_related = ("user", "event")
    search_fields = ("user__email", "event__name")
    raw_id_fields = ("event", "user")
    fields = ("event", "user", "revoked_at")  # never the token: it is the credential
