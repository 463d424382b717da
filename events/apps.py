from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        # Registers the permissions (rules) and the event stream kinds (streams).
        from . import rules, streams  # noqa: F401, PLC0415 (app-ready)
