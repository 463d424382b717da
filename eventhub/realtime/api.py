"""REST catch-up for offline clients: the same entries the WebSocket would have sent."""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .frames import entry_payload
from .selectors import stream_entries_since, stream_position
from .streams import stream_can_read


class StreamEntriesView(APIView):
    """Entries of a stream after ``since``, oldest first. When ``since`` is older than the
    retention window, ``reset`` is true and the client refetches state, then continues from
    ``head``."""

    permission_classes = [AllowAny]  # public event streams are readable anonymously

    class InputSerializer(serializers.Serializer[Any]):
        since = serializers.IntegerField(min_value=0, help_text="The last seq the client has.")
        limit = serializers.IntegerField(
            min_value=1, max_value=500, default=100, help_text="At most this many entries (default 100, max 500)."
        )

    class EntrySerializer(serializers.Serializer[Any]):
        stream = serializers.CharField()
        seq = serializers.IntegerField()
        type = serializers.CharField()
        data = serializers.JSONField()  # type: ignore[assignment]  # the entry field, not .data
        at = serializers.DateTimeField()

    @extend_schema(
        # From the serializer, so the schema carries the bounds the validation enforces.
        parameters=[InputSerializer],
        responses=inline_serializer(
            "StreamEntries",
            {
                "stream": serializers.CharField(),
                "head": serializers.IntegerField(),
                "reset": serializers.BooleanField(),
                "has_more": serializers.BooleanField(),
                "entries": EntrySerializer(many=True),
            },
        ),
    )
    def get(self, request: Request, stream: str) -> Response:
        if not stream_can_read(user=request.user, stream=stream):
            raise Http404
        params = self.InputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        since, limit = params.validated_data["since"], params.validated_data["limit"]
        position = stream_position(stream=stream)
        if not position.can_replay_from(since):
            return Response({"stream": stream, "head": position.head, "reset": True, "has_more": False, "entries": []})
        entries = stream_entries_since(stream=stream, since=since, limit=limit)
        payloads = [
            entry_payload(stream=stream, seq=e.seq, type=e.type, data=e.data, created_at=e.created_at) for e in entries
        ]
        has_more = bool(entries) and entries[-1].seq < position.head
        return Response(
            {"stream": stream, "head": position.head, "reset": False, "has_more": has_more, "entries": payloads}
        )
