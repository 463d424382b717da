"""The project-wide demo data (``manage.py seed_demo``, DESIGN §5), assembled from the apps.

An app takes part by having a ``demo`` module with one entry point::

    def seed(context: DemoContext) -> None: ...

``seed_demo`` calls each installed app's ``seed`` in ``INSTALLED_APPS`` order, all in one
transaction with tenant scopes disabled. ``seed`` must be idempotent (running it again changes
nothing that exists). An app hands what later apps need through ``context.shared`` under keys
named ``"<app label>.<name>"`` (the events demo shares ``"events.event"`` and
``"events.attendees"``, which the ticketing demo reads)."""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class DemoContext:
    password: str
    """The hashed password of every demo account (``DEMO_PASSWORD``, default ``eventhub-demo``)."""
    shared: dict[str, Any] = field(default_factory=dict)
    """What an app's demo hands to the apps seeded after it."""
    messages: list[str] = field(default_factory=list)
    """Lines the command prints when every app is done."""
    base_url: str = "http://127.0.0.1:8000"
    """Where ``make run`` serves (``HOST``, ``PORT``), for the URLs the lines name."""
