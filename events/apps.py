from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"

    def ready(self) -> None:
        # Registers the permissions (rules) and the event stream kinds (streams).
        from eventhub.views import register_public_page_finder  # noqa: PLC0415 (app-ready)

        from . import rules, streams  # noqa: F401, PLC0415 (app-ready)
        from .public.links import public_page_for_portal_address  # noqa: PLC0415 (app-ready) the error pages' hint

        register_public_page_finder(public_page_for_portal_address)
