from django.apps import AppConfig


class RealtimeConfig(AppConfig):
    name = "eventhub.realtime"
    label = "realtime"
    verbose_name = "Realtime streams"
