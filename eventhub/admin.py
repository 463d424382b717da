from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django_scopes import scopes_disabled

from .models import AuditLogEntry, IdempotencyRecord, OutboundEmail

if TYPE_CHECKING:  # the mixins extend these; at run time ModelAdmin is not subscriptable
    _ModelAdmin = admin.ModelAdmin[Any]
    _InlineModelAdmin = admin.options.InlineModelAdmin[Any, Any]
else:
    _ModelAdmin = _InlineModelAdmin = object


class UnscopedInlineMixin(_InlineModelAdmin):
    """An inline of a scoped model in the back office: its rows load with scopes disabled."""

    def get_queryset(self, request):
        return self.model._default_manager.with_scopes_disabled().all()


class ScopedAdminMixin(_ModelAdmin):
    """Staff see every tenant in the admin: the admin site is the platform's back office.

    Every view runs with scopes disabled, and renders its response inside that block: forms
    validate foreign keys and unique constraints, list filters list related objects and inlines
    load their rows through the scoped default managers, which would raise ``ScopeError``
    outside a scope (and the admin has none)."""

    def get_queryset(self, request):
        manager = self.model._default_manager
        if hasattr(manager, "with_scopes_disabled"):
            queryset = manager.with_scopes_disabled().all()
        else:
            queryset = manager.get_queryset()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def _unscoped(self, view, *args, **kwargs):
        with scopes_disabled():
            response = view(*args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            return response

    def changelist_view(self, request, extra_context=None):
        return self._unscoped(super().changelist_view, request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return self._unscoped(super().changeform_view, request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        return self._unscoped(super().delete_view, request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        return self._unscoped(super().history_view, request, object_id, extra_context)


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "organization", "event", "actor", "action", "object_type", "object_id")
    list_filter = ("action", "object_type", "organization")
    list_select_related = ("organization", "event", "actor")
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
    list_select_related = ("user",)
    readonly_fields = ("response_body",)
    list_filter = ("status_code",)
    search_fields = ("key", "user__email")
    date_hierarchy = "created_at"


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    """The outbox: what was (or is still to be) e-mailed; read-only."""

    list_display = ("created_at", "to", "type", "attempts", "sent_at", "last_error")
    list_filter = ("type", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("to", "subject", "key")
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
