"""My agenda of an event under ``/api/v1/events/<event_id>/``: my bookmarks (with the bookmarked
sessions each overlaps), bookmarking, my private notes, and the offline bundle — everything a
phone needs, with the stream heads it is current up to."""

import json
import struct
import zlib
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from eventhub.api.fields import EventTimeField
from eventhub.api.idempotency import IdempotentMixin
from eventhub.api.pagination import CursorPagination
from eventhub.api.rendered import SharedValues
from eventhub.api.request import AuthenticatedRequest
from eventhub.realtime.streams import event_stream

from .. import payloads
from ..models import Bookmark, Event, PublishedSession
from ..selectors.agenda import (
    ETAG_FORMAT,
    agenda_etag,
    published_session_access,
)
from ..selectors.personal import (
    agenda_bundle,
    agenda_bundle_public,
    bookmark_conflicts,
    bookmarked_sessions,
    session_note_get,
)
from ..services.personal import bookmark_add, bookmark_remove, note_save
from .agenda import IDEMPOTENCY_KEY, IF_NONE_MATCH, NOT_MODIFIED, TZ_PARAMETER, AgendaListView, AgendaView
from .organizations import EventOutputSerializer


class BookmarkPagination(CursorPagination):
    ordering = ("start", "id")
    page_size = 100


# --- personal agenda -----------------------------------------------------------------------------


class BookmarkItemSerializer(serializers.Serializer):
    session = payloads.SessionPayload(source="session.published")
    bookmarked_at = EventTimeField(source="created_at", event_attr="")
    conflicts = serializers.SerializerMethodField(help_text="Other bookmarked sessions that overlap this one.")

    def get_conflicts(self, bookmark: Any) -> list[int]:
        return self.context["conflicts"].get(bookmark.session_id, [])


class MyBookmarksView(AgendaListView):
    """My bookmarked sessions of this event in time order, each with the bookmarked sessions it
    overlaps (``conflicts``; cancelled sessions conflict with nothing)."""

    permission_classes = [IsAuthenticated]
    request: AuthenticatedRequest
    personal = True
    serializer_class = BookmarkItemSerializer
    pagination_class = BookmarkPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Bookmark.objects.none()
        return bookmarked_sessions(event=self.event, user=self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        # The bookmark time has no event attribute of its own: render every time in one zone.
        context.setdefault("tz", self.event.tz)
        context["conflicts"] = bookmark_conflicts(event=self.event, user=self.request.user)
        return context

    @extend_schema(
        parameters=[TZ_PARAMETER, IF_NONE_MATCH], responses={200: BookmarkItemSerializer(many=True), 304: NOT_MODIFIED}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class BookmarkView(IdempotentMixin, AgendaView):
    """Bookmark a published session (PUT) or remove the bookmark (DELETE). Both are idempotent."""

    permission_classes = [IsAuthenticated]
    request: AuthenticatedRequest

    class BookmarkOutputSerializer(serializers.Serializer):
        session = serializers.IntegerField()
        bookmarked = serializers.BooleanField()
        conflicts = serializers.ListField(child=serializers.IntegerField())

    def _session(self, session_id: int) -> Any:
        return published_session_access(user=self.request.user, event=self.event, session_id=session_id).session

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: BookmarkOutputSerializer, 200: BookmarkOutputSerializer},
    )
    def put(self, request: AuthenticatedRequest, event_id: int, session_id: int) -> Response:
        session = self._session(session_id)
        _, created = bookmark_add(user=request.user, session=session)
        conflicts = bookmark_conflicts(event=self.event, user=request.user).get(session.pk, [])
        return Response(
            {"session": session.pk, "bookmarked": True, "conflicts": conflicts},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, parameters=[IDEMPOTENCY_KEY], responses={204: None})
    def delete(self, request: AuthenticatedRequest, event_id: int, session_id: int) -> Response:
        bookmark_remove(user=request.user, session=self._session(session_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class NoteSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class NoteView(IdempotentMixin, AgendaView):
    """My private note on a published session: read it (empty text if none), set it (an empty
    text deletes it), delete it."""

    permission_classes = [IsAuthenticated]
    request: AuthenticatedRequest

    class NoteInputSerializer(serializers.Serializer):
        text = serializers.CharField(allow_blank=True, max_length=10_000, trim_whitespace=False)

    def _published(self, session_id: int) -> PublishedSession:
        return published_session_access(user=self.request.user, event=self.event, session_id=session_id)

    def _body(self, session_id: int) -> dict[str, Any]:
        note = session_note_get(user=self.request.user, session_id=session_id)
        tz = self.tz or self.event.tz
        return {
            "session": session_id,
            "text": note.text if note else "",
            "updated_at": note.updated_at.astimezone(tz).isoformat() if note else None,
        }

    @extend_schema(parameters=[TZ_PARAMETER], responses=NoteSerializer)
    def get(self, request: AuthenticatedRequest, event_id: int, session_id: int) -> Response:
        return Response(self._body(self._published(session_id).pk))

    @extend_schema(request=NoteInputSerializer, parameters=[IDEMPOTENCY_KEY, TZ_PARAMETER], responses=NoteSerializer)
    def put(self, request: AuthenticatedRequest, event_id: int, session_id: int) -> Response:
        published = self._published(session_id)
        data = self.NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        note_save(user=request.user, session=published.session, text=data.validated_data["text"])
        return Response(self._body(published.pk))

    @extend_schema(request=None, parameters=[IDEMPOTENCY_KEY], responses={204: None})
    def delete(self, request: AuthenticatedRequest, event_id: int, session_id: int) -> Response:
        published = self._published(session_id)
        note_save(user=request.user, session=published.session, text="")
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- offline bundle --------------------------------------------------------------------------------


class BundleNoteSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    text = serializers.CharField()


class BundleSerializer(serializers.Serializer):
    """For the schema only: the view writes the JSON itself (gzip-compressed)."""

    event = EventOutputSerializer()
    schedule_version = serializers.IntegerField(
        allow_null=True, help_text="The latest published schedule version; null before the first publish."
    )
    rooms = payloads.RoomPayload(many=True)
    tracks = payloads.TrackPayload(many=True)
    speakers = payloads.SpeakerPayload(many=True)
    sessions = payloads.SessionPayload(many=True)
    announcements = payloads.AnnouncementPayload(many=True)
    bookmarks = serializers.ListField(child=serializers.IntegerField(), help_text="My bookmarked session ids.")
    notes = BundleNoteSerializer(many=True, help_text="My notes.")
    heads = serializers.DictField(
        child=serializers.IntegerField(),
        help_text="The seq of event:<id> (and user:<me>) this bundle is current up to: resume the streams from here.",
    )


def _accepts_gzip(request: HttpRequest) -> bool:
    for part in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if name.strip().lower() in ("gzip", "*") and quality > 0:
            return True
    return False


class BundleView(AgendaView):
    """Everything a phone needs for the event in one response: the event, rooms, tracks, speakers,
    published sessions, announcements, my bookmarks and notes, and the stream heads it is current
    up to. Gzip-compressed when the client accepts it. Afterwards, apply the entries of
    ``event:<id>`` and ``user:<me>`` after ``heads`` (see docs/realtime.md, "Offline bundle")."""

    personal = True
    compose_etag = True

    def etag_key(self) -> list[str]:
        return [*super().etag_key(), "gzip" if _accepts_gzip(self.request) else "identity"]

    @extend_schema(
        parameters=[IF_NONE_MATCH],
        responses={
            200: OpenApiResponse(BundleSerializer, description="With Content-Encoding: gzip when accepted."),
            304: NOT_MODIFIED,
        },
    )
    def get(self, request: Request, event_id: int) -> HttpResponse:
        if response := self.not_modified():
            return response
        bundle = agenda_bundle(event=self.event, user=request.user, public=_public_part)
        public: PublicPart = bundle.pop("public")
        # The ETag names the heads the data was read at (a change may have committed meanwhile).
        self.etag = agenda_etag(event=self.event, user=None, key=self.etag_key(), heads=bundle["heads"])
        personal = _dumps(bundle)[1:]  # '"bookmarks":…,"notes":…,"heads":{…}}'
        response = HttpResponse(content_type="application/json")
        if _accepts_gzip(request):
            response.content = public.gzip_with(personal)
            response["Content-Encoding"] = "gzip"
        else:
            response.content = public.json + personal
        patch_vary_headers(response, ("Accept-Encoding",))
        return response


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


# gzip (RFC 1952) member header: deflate, no flags, no mtime (so equal bodies are equal bytes),
# no extra flags, unknown OS — what gzip.compress(mtime=0) writes.
_GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"


@dataclass(frozen=True)
class PublicPart:
    """The public part of a bundle, the same for every phone at one event head: its JSON up to
    and including the comma before the personal keys, and that JSON compressed once as the start
    of a raw deflate stream (ended with a sync flush: byte-aligned, no final block), with its
    CRC-32 and length.

    A bundle is then the public bytes followed by the personal ones. Compressed: the public
    deflate bytes, then the personal JSON compressed by a fresh compressor (which refers to
    nothing before it) ending the stream, in one gzip member whose CRC-32 continues the public
    one — a standard single-member gzip, each phone costing only the compression of its own
    bookmarks, notes and heads instead of ~100 KB."""

    json: bytes
    deflated: bytes
    crc: int

    @classmethod
    def render(cls, public: dict[str, Any]) -> "PublicPart":
        data = _dumps({**public, "event": EventOutputSerializer(public["event"]).data})
        data = data[:-1] + b","  # the object stays open for the personal keys
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        deflated = compressor.compress(data) + compressor.flush(zlib.Z_SYNC_FLUSH)
        return cls(json=data, deflated=deflated, crc=zlib.crc32(data))

    def gzip_with(self, personal: bytes) -> bytes:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        tail = compressor.compress(personal) + compressor.flush()
        trailer = struct.pack("<II", zlib.crc32(personal, self.crc), (len(self.json) + len(personal)) & 0xFFFFFFFF)
        return _GZIP_HEADER + self.deflated + tail + trailer


# Public parts by event, head and event row version: rendered once per event head in the whole
# installation (the shared cache), then a dictionary lookup in each process.
PUBLIC_PARTS = SharedValues(name="bundle", size=8)


def _public_part(event: Event, heads: dict[str, int]) -> PublicPart:
    """Called inside the bundle's snapshot, with the event row read there: the stored public
    part for this head, or the one rendered now (and stored)."""
    key = f"{ETAG_FORMAT}:{event.pk}:{heads[event_stream(event.pk)]}:{event.updated_at.isoformat()}"
    part = PUBLIC_PARTS.get(key)
    if part is None:
        part = PublicPart.render(agenda_bundle_public(event=event))
        PUBLIC_PARTS.set(key, part)
    return part
