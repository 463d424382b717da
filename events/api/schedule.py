"""The public changelog under ``/api/v1/events/<event_id>/versions``: every published schedule
version, and one version with its structured diff against the previous one."""

from typing import Any

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from eventhub.api.fields import EventTimeField
from eventhub.api.pagination import CursorPagination

from ..models import ScheduleVersion
from ..selectors.schedule import schedule_version_access, schedule_versions, version_changes_in_zone
from .agenda import IF_NONE_MATCH, NOT_MODIFIED, TZ_PARAMETER, AgendaListView, AgendaView


class VersionPagination(CursorPagination):
    ordering = "-number"


# --- schedule versions ---------------------------------------------------------------------------


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    published_at = EventTimeField()
    comment = serializers.CharField()
    change_count = serializers.SerializerMethodField()

    def get_change_count(self, version: Any) -> int:
        return len(version.changes)


class ChangePlaceSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    room = inline_serializer("ChangeRoom", {"id": serializers.IntegerField(), "name": serializers.CharField()})


class ChangeSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    title = serializers.CharField()
    change = serializers.ChoiceField(choices=["new", "moved", "delayed", "cancelled", "restored", "updated"])
    fields = serializers.DictField(  # type: ignore[assignment]  # the entry's field, shadowing Serializer.fields
        child=serializers.JSONField(),
        help_text="The changed fields: {name: {old, new}} (room and track as {id, name}).",
    )
    old = ChangePlaceSerializer(allow_null=True, help_text="Time and room before (null for a new session).")
    new = ChangePlaceSerializer()


class VersionDetailSerializer(VersionSerializer):
    changes = ChangeSerializer(many=True)


class VersionListView(AgendaListView):
    """The public changelog: every published schedule version, newest first."""

    serializer_class = VersionSerializer
    pagination_class = VersionPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ScheduleVersion.objects.none()
        return schedule_versions(event=self.event)

    @extend_schema(
        parameters=[TZ_PARAMETER, IF_NONE_MATCH], responses={200: VersionSerializer(many=True), 304: NOT_MODIFIED}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class VersionDetailView(AgendaView):
    """One schedule version with its structured diff against the previous one."""

    @extend_schema(
        parameters=[TZ_PARAMETER, IF_NONE_MATCH], responses={200: VersionDetailSerializer, 304: NOT_MODIFIED}
    )
    def get(self, request: Request, event_id: int, version: int) -> HttpResponse:
        found = schedule_version_access(user=request.user, event=self.event, number=version)
        if response := self.not_modified():
            return response
        body = dict(VersionSerializer(found, context=self.get_serializer_context()).data)
        body["changes"] = version_changes_in_zone(changes=found.changes, tz=self.tz or self.event.tz)
        return Response(body)
