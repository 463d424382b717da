from django.contrib import admin
from django.http import HttpRequest

from .models import StreamEntry, StreamHead


@admin.register(StreamHead)
class StreamHeadAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at runtime
    list_display = ("stream", "seq", "updated_at")
    search_fields = ("stream",)
    readonly_fields = ("stream", "seq", "updated_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(StreamEntry)
class StreamEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at runtime
    list_display = ("stream", "seq", "type", "created_at")
    list_filter = ("type",)
    search_fields = ("stream", "type")
    date_hierarchy = "created_at"
    readonly_fields = ("stream", "seq", "type", "data", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # entries are appended by services in the transaction of their change

    def has_change_permission(self, request: HttpRequest, obj: StreamEntry | None = None) -> bool:
        return False
