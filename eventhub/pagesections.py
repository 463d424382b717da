"""Sections other apps add to a public event page (``events/public``): the events app renders
the page, ticketing (and later apps) contribute a block of it without the events app importing
them. An app registers its sections in ``AppConfig.ready()``.

A section is a template and a function ``context(event) -> dict | None`` (``None``: nothing to
show for this event). The public pages are the same for every visitor (they are cached by
shared caches), so a section gets the event only, never the request or the user."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class EventPageSection:
    name: str
    template: str
    context: Callable[[Any], dict[str, Any] | None]
    order: int = 100


_sections: dict[str, EventPageSection] = {}


def register_event_section(section: EventPageSection) -> None:
    """Add (or replace, by name) a section of the public event page."""
    _sections[section.name] = section


def event_sections() -> list[EventPageSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.name))
