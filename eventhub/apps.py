from django.apps import AppConfig
from django_structlog.signals import bind_extra_request_finished_metadata, bind_extra_request_metadata

from eventhub.logs import bind_client_address, bind_user_id


class EventHubConfig(AppConfig):
    name = "eventhub"
    verbose_name = "EventHub core"

    def ready(self) -> None:
        from . import tasks  # noqa: F401, PLC0415 (app-ready) connects the outbox relay, tasks._relay

        bind_extra_request_metadata.connect(bind_client_address, dispatch_uid="eventhub.logs.client_address")
        bind_extra_request_finished_metadata.connect(bind_user_id, dispatch_uid="eventhub.logs.user_id")
