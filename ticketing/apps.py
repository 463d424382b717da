from django.apps import AppConfig


class TicketingConfig(AppConfig):
    name = "ticketing"

    def ready(self) -> None:
        from .public import sections  # noqa: PLC0415 (app-ready) the tickets block of the public event page

        sections.register()
