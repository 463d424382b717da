from django.apps import AppConfig
from django_structlog.signals import bind_extra_request_metadata

from eventhub.logs import bind_client_address


class EventHubConfig(AppConfig):
    name = "eventhub"
    verbose_name = "EventHub core"

    def ready(self) -> None:
        bind_extra_request_metadata.connect(bind_client_address, dispatch_uid="eventhub.logs.client_address")
