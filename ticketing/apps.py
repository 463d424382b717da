from django.apps import AppConfig


class TicketingConfig(AppConfig):
    name = "ticketing"

    def ready(self) -> None:
        from . import rules_checkin  # noqa: F401  (registers the check-in permissions)
