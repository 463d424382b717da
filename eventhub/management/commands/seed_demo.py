"""``manage.py seed_demo``: the demo organization, conference and accounts (DESIGN §5).

It knows no domain app: it runs the ``seed(context)`` of every installed app that has a ``demo``
module (see ``eventhub.seeding``), in ``INSTALLED_APPS`` order. Idempotent.

The demo accounts share one published password, so the command refuses a database that is not a
demo's — debug off and not the embedded SQLite — unless ``--allow-non-demo`` says so explicitly
(docs/decisions.md "Demo data only on a demo"). ``--if-demo`` turns the refusal into a note and
exit 0: ``make run`` uses it, so pointed at production services it serves without demo logins."""

import importlib
import importlib.util
import os
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
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


def is_demo_database() -> bool:
    """Debug on, or SQLite (the embedded default, DESIGN §5; production needs PostgreSQL): the
    cases where the published demo logins cannot open a production service."""
    return bool(settings.DEBUG) or settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"


REFUSAL = (
    "Not seeding the demo: DJANGO_DEBUG is off and the database is not the embedded SQLite, so the "
    "published demo logins would open a production service. Set DJANGO_DEBUG=1 for a demo on these "
    "services, or pass --allow-non-demo if you really mean it."
)


class Command(BaseCommand):
    help = "Create (or complete) the demo organization, conference and accounts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--allow-non-demo",
            action="store_true",
            help="Seed even with DJANGO_DEBUG off on a database other than the embedded SQLite.",
        )
        parser.add_argument(
            "--if-demo",
            action="store_true",
            help="On a non-demo database, say so and exit 0 instead of failing (make run).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not (is_demo_database() or options["allow_non_demo"]):
            if options["if_demo"]:
                self.stderr.write(self.style.WARNING(REFUSAL))
                return
            raise CommandError(REFUSAL)
        self._seed()

    @transaction.atomic
    def _seed(self) -> None:
        context = DemoContext(
            password=make_password(os.environ.get("DEMO_PASSWORD", "eventhub-demo")),
            base_url=f"http://{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}",
        )
        with scopes_disabled():
            for module in _demo_modules():
                module.seed(context)
        for message in context.messages:
            self.stdout.write(self.style.SUCCESS(message))
