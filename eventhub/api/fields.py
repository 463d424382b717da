import zoneinfo
from datetime import datetime

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


@extend_schema_field(OpenApiTypes.DATETIME)
class EventTimeField(serializers.Field):
    """A datetime shown in its event's time zone, with offset (read-only). The serializer's
    ``context["tz"]`` may override the zone (a client asking for another zone for display)."""

    def __init__(self, *, event_attr: str = "event", **kwargs) -> None:
        kwargs["read_only"] = True
        kwargs["source"] = kwargs.get("source")
        self.event_attr = event_attr
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        self._instance = instance
        return super().get_attribute(instance)

    def to_representation(self, value: datetime) -> str:
        tz = self.context.get("tz")
        if tz is None:
            event = self._instance if not self.event_attr else getattr(self._instance, self.event_attr)
            tz = zoneinfo.ZoneInfo(event.timezone)
        return value.astimezone(tz).isoformat()
