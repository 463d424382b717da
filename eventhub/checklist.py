"""The go-live checklist's registry: what is missing before attendees can see an event, buy a
ticket and get in. Each app asks its own concern (events: the event, its rooms, sessions and
published agenda; ticketing: ticket types, payments, gates, check-in) and registers a provider
here from its ``AppConfig.ready``, so the tenant root (``events``) never imports the apps built
on it, and this plumbing imports none of them.

A provider is ``provider(event) -> list[Check]``, called inside the event's tenant scope; the
checklist is ``events.selectors.checklist.event_golive_checklist``."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Check:
    """One item. ``fix_route`` names the portal page that fixes it (a URL name whose kwargs are
    the event's ``organization`` and ``event`` slugs); ``blocking`` items keep attendees out
    (the others are advice)."""

    key: str
    area: str  # "event", "agenda", "tickets" or "checkin": where the portal shows it
    title: str
    done: bool
    detail: str = ""
    fix_route: str = ""
    fix_label: str = ""
    blocking: bool = True


Provider = Callable[[Any], list[Check]]
_PROVIDERS: dict[str, Provider] = {}


def register_checks(*, name: str, provider: Provider) -> None:
    """Add (or replace, on a reload) the checks of app ``name``."""
    _PROVIDERS[name] = provider


def registered_checks(event: Any) -> list[Check]:
    """Every registered app's checks of ``event``, in registration (``INSTALLED_APPS``) order."""
    return [check for provider in _PROVIDERS.values() for check in provider(event)]
