from django.apps import AppConfig


class EventHubConfig(AppConfig):
    name = "eventhub"
    verbose_name = "EventHub core"
