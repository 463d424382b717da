from django.contrib import admin

from .models import AuditLogEntry, IdempotencyRecord


class ScopedAdminMixin:
    """Staff see every tenant in the admin: the admin site is the platform's back office."""

    def get_queryset(self, request):
        return self.model.objects.with_scopes_disabled().all()


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "organization", "event", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type", "organization")
    search_fields = ("action", "object_id", "actor__email")
    date_hierarchy = "created_at"
    readonly_fields = [f.name for f in AuditLogEntry._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "key", "status_code")
    list_filter = ("status_code",)
    search_fields = ("key", "user__email")
    date_hierarchy = "created_at"
