from django.contrib import admin

from eventhub.admin import ScopedAdminMixin

from .models import Event, Organization, OrganizationMember, Participant, Room


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
