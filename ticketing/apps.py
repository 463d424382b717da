from django.apps import AppConfig

from eventhub.checklist import register_checks


class TicketingConfig(AppConfig):
    name = "ticketing"

    def ready(self) -> None:
        from .public import sections  # noqa: PLC0415 (app-ready) the tickets block of the public event page
        from .selectors.golive import ticketing_checks  # noqa: PLC0415 (app-ready) the go-live checklist's part

        sections.register()
        register_checks(name="ticketing", provider=ticketing_checks)
