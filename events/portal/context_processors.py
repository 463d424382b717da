"""Template context for portal pages: the organization/event switcher and what the current user
may do on the current organization or event (for showing only the links they can use)."""

from functools import cached_property
from typing import Any

from django.http import HttpRequest

from ..enums import MemberRole
from ..selectors.organizations import portal_switcher

# Paths whose pages render in the portal layout with the switcher (allauth's account pages too).
_SWITCHER_PREFIXES = ("/portal", "/accounts")


class PortalPermissions:
    """``portal_can.<name>`` in templates; each permission is asked once per request, and only
    when a template uses it. The answers come from the rules in ``events/rules.py``."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def _has(self, permission: str, obj: Any) -> bool:
        return obj is not None and self.request.user.has_perm(permission, obj)

    @cached_property
    def manage_members(self) -> bool:
        return self._has("events.manage_members", getattr(self.request, "organization", None))

    @cached_property
    def add_event(self) -> bool:
        return self._has("events.add_event", getattr(self.request, "organization", None))

    @cached_property
    def view_audit_log(self) -> bool:
        return self._has("events.view_audit_log", getattr(self.request, "organization", None))

    @cached_property
    def change_event(self) -> bool:
        return self._has("events.change_event", getattr(self.request, "event", None))


def portal(request: HttpRequest) -> dict:
    if not request.path.startswith(_SWITCHER_PREFIXES) or not request.user.is_authenticated:
        return {}
    switcher = [
        {
            "organization": entry.organization,
            "role": entry.role,
            "role_label": MemberRole(entry.role).label,
            "events": entry.events,
        }
        for entry in portal_switcher(user=request.user)
    ]
    return {"switcher": switcher, "portal_can": PortalPermissions(request)}
