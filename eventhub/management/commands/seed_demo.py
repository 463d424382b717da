"""``manage.py seed_demo``: the demo organization, conference and accounts (DESIGN §5).

It knows no domain app: it runs the ``seed(context)`` of every installed app that has a ``demo``
module (see ``eventhub.seeding``), in ``INSTALLED_APPS`` order. Idempotent."""

import importlib
import importlib.util
import os
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django_scopes import scopes_disabled

from eventhub.seeding import DemoContext


def _demo_modules() -> list[Any]:
    """The ``demo`` modules of the project's own apps (not of third-party ones), in
    ``INSTALLED_APPS`` order."""
    found = []
    for app in apps.get_app_configs():
        if Path(app.path).parent != Path(settings.BASE_DIR):
            continue
        if importlib.util.find_spec(f"{app.name}.demo") is not None:
            found.append(importlib.import_module(f"{app.name}.demo"))
    return found


class Command(BaseCommand):
    help = "Create (or complete) the demo organization, conference and accounts."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        context = DemoContext(
            password=make_password(os.environ.get("DEMO_PASSWORD", "eventhub-demo")),
            base_url=f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}",
        )
        with scopes_disabled():
            for module in _demo_modules():
                module.seed(context)
        for message in context.messages:
            self.stdout.write(self.style.SUCCESS(message))
