from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        from . import rules, streams  # noqa: F401  (registers permissions and stream kinds)
