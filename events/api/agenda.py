"""The attendee agenda API under ``/api/v1/events/<event_id>/``: the published agenda and its
filters, session and speaker detail, rooms, tracks, now/next, the schedule versions, the personal
agenda (bookmarks with conflicts, notes), a speaker's own profile, the offline bundle and the
calendar feeds.

Reads answer ``ETag`` computed from the stream heads (``agenda_etag``) before anything is
rendered, and ``If-None-Match`` gets a 304. Times are in the event's zone with offset; ``?tz=``
renders them in another zone. An event the caller may not see is a 404 like a missing one."""

import gzip
import json
import zoneinfo
from datetime import datetime
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dateparse import parse_datetime
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from eventhub.api.fields import EventTimeField
from eventhub.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from eventhub.api.idempotency import IdempotentMixin
from eventhub.api.pagination import CursorPagination
from eventhub.api.rendered import RenderedBodies

from .. import payloads
from ..ical import agenda_calendar
from ..models import Bookmark, CalendarFeed, Event, PublishedSession, Room, ScheduleVersion, Speaker, Track
from ..selectors.agenda import (
    AgendaFilters,
    agenda_etag,
    agenda_event_visible,
    agenda_next_transition,
    agenda_now_next,
    agenda_rooms,
    agenda_speaker_get,
    agenda_speakers,
    agenda_tracks,
    published_session_get,
    published_sessions,
    speaker_own_profile,
    speaker_session_ids,
)
from ..selectors.calendar import calendar_feed_active, calendar_feed_for_token
from ..selectors.personal import agenda_bundle, bookmark_conflicts, bookmarked_sessions, session_note_get
from ..selectors.schedule import schedule_version_get, schedule_versions, version_changes_in_zone
from ..services.agenda import speaker_save
from ..services.calendar import calendar_feed_get_or_create, calendar_feed_revoke
from ..services.personal import bookmark_add, bookmark_remove, note_save
from ..tenancy import event_scope
from .views import EventOutputSerializer

TZ_PARAMETER = OpenApiParameter(
    "tz",
    OpenApiTypes.STR,
    description="Render times in this IANA zone (default: the event's zone, which the event names).",
)
IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="The ETag of the answer you hold: an unchanged answer is a 304 without a body.",
)
IDEMPOTENCY_KEY = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="A client-generated key (at most 128 characters): a retry with the same key gets the first "
    "answer again.",
)
NOT_MODIFIED = OpenApiResponse(description="Not modified: the ETag in If-None-Match is current.")


# Rendered public reads by ETag: a phone polling the agenda costs a lookup, not a render.
RENDERED = RenderedBodies(size=512)


def _zone(value: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(value)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        raise serializers.ValidationError({"tz": [f"{value!r} is not an IANA time zone."]}) from None


def _matches(request: HttpRequest, etag: str) -> bool:
    header = request.headers.get("If-None-Match")
    if not header:
        return False
    tags = parse_etags(header)
    return "*" in tags or etag in tags


class AgendaView(APIView):
    """Base of the agenda endpoints: resolves the event (404 like missing when not visible), the
    ``tz`` parameter, and the ETag of reads (``etag_key``; ``personal`` reads include the caller's
    own stream)."""

    permission_classes = [AllowAny]  # public events are readable anonymously; view_event decides
    personal = False
    event: Event
    tz: zoneinfo.ZoneInfo | None = None
    etag: str | None = None

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        event = agenda_event_visible(user=request.user, event_id=kwargs["event_id"])
        if event is None:
            raise Http404
        self.event = event
        if "tz" in request.query_params:
            self.tz = _zone(request.query_params["tz"])

    def get_serializer_context(self) -> dict[str, Any]:
        context: dict[str, Any] = {"request": self.request, "view": self}
        if self.tz is not None:
            context["tz"] = self.tz
        return context

    def etag_key(self) -> list[str]:
        return [self.request.build_absolute_uri(), self.request.accepted_media_type]

    def not_modified(self) -> HttpResponse | None:
        """Compute this read's ETag; the 304 to send if the client holds it, or the body already
        rendered for it (reads that are the same for everyone)."""
        self.etag = agenda_etag(
            event=self.event, user=self.request.user if self.personal else None, key=self.etag_key()
        )
        if _matches(self.request, self.etag):
            return HttpResponse(status=status.HTTP_304_NOT_MODIFIED)  # no body: nothing to render
        return None if self.personal else RENDERED.response(self.etag)

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.etag is not None and response.status_code in (200, 304):
            response["ETag"] = self.etag
            if response.status_code == 200 and not self.personal and request.method == "GET":
                if hasattr(response, "render"):
                    response.render()
                RENDERED.store(self.etag, response)
        return response


class AgendaListView(AgendaView, generics.ListAPIView):
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.not_modified() or super().list(request, *args, **kwargs)


# --- pagination -----------------------------------------------------------------------------


class AgendaPagination(CursorPagination):
    ordering = ("start", "session_id")  # type: ignore[assignment]
    page_size = 100


class ByNamePagination(CursorPagination):
    ordering = ("name", "id")  # type: ignore[assignment]
    page_size = 100


class ByPositionPagination(CursorPagination):
    ordering = ("position", "name", "id")  # type: ignore[assignment]
    page_size = 100


class VersionPagination(CursorPagination):
    ordering = "-number"


class BookmarkPagination(CursorPagination):
    ordering = ("start", "id")  # type: ignore[assignment]
    page_size = 100


# --- sessions --------------------------------------------------------------------------------


class AgendaFilterSerializer(serializers.Serializer):
    day = serializers.DateField(required=False, help_text="Sessions starting on this day (YYYY-MM-DD, event zone).")
    track = serializers.IntegerField(required=False, min_value=1, help_text="A track id.")
    room = serializers.IntegerField(required=False, min_value=1, help_text="A room id.")
    speaker = serializers.IntegerField(required=False, min_value=1, help_text="A speaker id.")
    tag = serializers.CharField(required=False, max_length=60, help_text="Sessions with this tag.")
    q = serializers.CharField(
        required=False, max_length=200, help_text="Free text in title, abstract or speaker names."
    )


class SessionListView(AgendaListView):
    """The published agenda in time order (cancelled sessions included, with their status)."""

    serializer_class = payloads.SessionPayload
    pagination_class = AgendaPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PublishedSession.objects.none()
        params = AgendaFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return published_sessions(event=self.event, filters=AgendaFilters(**params.validated_data))

    @extend_schema(
        parameters=[AgendaFilterSerializer, TZ_PARAMETER, IF_NONE_MATCH],
        responses={200: payloads.SessionPayload(many=True), 304: NOT_MODIFIED},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        AgendaFilterSerializer(data=request.query_params).is_valid(raise_exception=True)
        return super().get(request, *args, **kwargs)


class SessionDetailSerializer(payloads.SessionPayload):
    speaker_profiles = payloads.SpeakerPayload(source="speakers", many=True)
    room_detail = payloads.RoomPayload(source="room", allow_null=True)
    track_detail = payloads.TrackPayload(source="track", allow_null=True)


class SessionDetailView(AgendaView):
    """One published session with its speakers, room and track."""

    @extend_schema(
        parameters=[TZ_PARAMETER, IF_NONE_MATCH], responses={200: SessionDetailSerializer, 304: NOT_MODIFIED}
    )
    def get(self, request: Request, event_id: int, session_id: int) -> Response:
        session = published_sessions(event=self.event).select_related("room", "track").filter(pk=session_id).first()
        if session is None:
            raise Http404
        return self.not_modified() or Response(
            SessionDetailSerializer(session, context=self.get_serializer_context()).data
        )


# --- speakers, rooms, tracks ---------------------------------------------------------------------


class SpeakerDetailSerializer(payloads.SpeakerPayload):
    sessions = serializers.ListField(
        child=serializers.IntegerField(), help_text="Ids of the published sessions this speaker appears in."
    )


class SpeakerListView(AgendaListView):
    """The event's speakers (once the agenda is out), by name."""

    serializer_class = payloads.SpeakerPayload
    pagination_class = ByNamePagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Speaker.objects.none()
        return agenda_speakers(event=self.event)

    @extend_schema(parameters=[IF_NONE_MATCH], responses={200: payloads.SpeakerPayload(many=True), 304: NOT_MODIFIED})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class SpeakerDetailView(AgendaView):
    """One speaker with the published sessions they appear in."""

    @extend_schema(parameters=[IF_NONE_MATCH], responses={200: SpeakerDetailSerializer, 304: NOT_MODIFIED})
    def get(self, request: Request, event_id: int, speaker_id: int) -> Response:
        speaker = agenda_speaker_get(event=self.event, speaker_id=speaker_id)
        if speaker is None:
            raise Http404
        if response := self.not_modified():
            return response
        return Response({**payloads.speaker_payload(speaker), "sessions": speaker_session_ids(speaker=speaker)})


class SpeakerSelfInputSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=200)
    bio = serializers.CharField(required=False, allow_blank=True, max_length=10_000)
    company = serializers.CharField(required=False, allow_blank=True, max_length=200)
    job_title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    links = payloads.SpeakerLinkPayload(many=True, required=False)


class SpeakerMeView(IdempotentMixin, AgendaView):
    """My own speaker profile in this event (404 if I have none): read it, change its public
    fields. Other fields (who the profile belongs to, the photo) are the organizers'."""

    permission_classes = [IsAuthenticated]

    def _profile(self) -> Speaker:
        speaker = speaker_own_profile(event=self.event, user=self.request.user)  # type: ignore[arg-type]
        if speaker is None:
            raise Http404
        return speaker

    @extend_schema(responses=payloads.SpeakerPayload)
    def get(self, request: Request, event_id: int) -> Response:
        return Response(payloads.speaker_payload(self._profile()))

    @extend_schema(request=SpeakerSelfInputSerializer, parameters=[IDEMPOTENCY_KEY], responses=payloads.SpeakerPayload)
    def patch(self, request: Request, event_id: int) -> Response:
        speaker = self._profile()
        data = SpeakerSelfInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "links" in fields:
            fields["links"] = [dict(link) for link in fields["links"]]
        speaker = speaker_save(actor=request.user, event=self.event, speaker=speaker, **fields)  # type: ignore[arg-type]
        return Response(payloads.speaker_payload(speaker))


class RoomListView(AgendaListView):
    """The event's rooms (once the agenda is out), in the organizers' order."""

    serializer_class = payloads.RoomPayload
    pagination_class = ByPositionPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Room.objects.none()
        return agenda_rooms(event=self.event)

    @extend_schema(parameters=[IF_NONE_MATCH], responses={200: payloads.RoomPayload(many=True), 304: NOT_MODIFIED})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class TrackListView(AgendaListView):
    """The event's tracks (once the agenda is out), in the organizers' order."""

    serializer_class = payloads.TrackPayload
    pagination_class = ByPositionPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Track.objects.none()
        return agenda_tracks(event=self.event)

    @extend_schema(parameters=[IF_NONE_MATCH], responses={200: payloads.TrackPayload(many=True), 304: NOT_MODIFIED})
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


# --- now / next ------------------------------------------------------------------------------------


class NowNextView(AgendaView):
    """What's on now, and the next session in each room."""

    class NowNextInputSerializer(serializers.Serializer):
        at = serializers.DateTimeField(
            required=False, help_text="The instant to answer for, with offset (default: now)."
        )

        def validate_at(self, value: datetime) -> datetime:
            # DRF would read a time without offset in the server's zone: refuse it instead.
            raw = parse_datetime(str(self.initial_data.get("at", "")))
            if raw is None or timezone.is_naive(raw):
                raise serializers.ValidationError("Give the offset, e.g. 2031-05-01T10:00:00+02:00.")
            return value

    class NowNextOutputSerializer(serializers.Serializer):
        now = payloads.SessionPayload(many=True, help_text="Sessions running now (cancelled ones left out).")
        next = payloads.SessionPayload(many=True, help_text="The next session in each room, by start.")
        until = serializers.SerializerMethodField(help_text="When this answer changes without a publish, if ever.")

        def get_until(self, result: Any) -> str | None:
            if result.until is None:
                return None
            return result.until.astimezone(self.context["tz"]).isoformat()

    _until: datetime | None = None
    _at: datetime | None = None

    def etag_key(self) -> list[str]:
        # The answer also changes when a session starts or ends: the next such instant is part of it.
        until = agenda_next_transition(event=self.event, at=self._at or timezone.now())
        return [*super().etag_key(), until.isoformat() if until else "-"]

    @extend_schema(
        parameters=[NowNextInputSerializer, TZ_PARAMETER, IF_NONE_MATCH],
        responses={200: NowNextOutputSerializer, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, event_id: int) -> Response:
        params = self.NowNextInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        self._at = params.validated_data.get("at")
        if response := self.not_modified():
            return response
        result = agenda_now_next(event=self.event, at=self._at or timezone.now())
        context = {**self.get_serializer_context(), "tz": self.tz or self.event.tz}
        return Response(self.NowNextOutputSerializer(result, context=context).data)


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
    fields = serializers.DictField(
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
    def get(self, request: Request, event_id: int, version: int) -> Response:
        found = schedule_version_get(event=self.event, number=version)
        if found is None:
            raise Http404
        if response := self.not_modified():
            return response
        body = dict(VersionSerializer(found, context=self.get_serializer_context()).data)
        body["changes"] = version_changes_in_zone(changes=found.changes, tz=self.tz or self.event.tz)
        return Response(body)


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
    personal = True
    serializer_class = BookmarkItemSerializer
    pagination_class = BookmarkPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Bookmark.objects.none()
        return bookmarked_sessions(event=self.event, user=self.request.user)  # type: ignore[arg-type]

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if getattr(self, "swagger_fake_view", False):
            return context
        # The bookmark time has no event attribute of its own: render every time in one zone.
        context.setdefault("tz", self.event.tz)
        context["conflicts"] = bookmark_conflicts(event=self.event, user=self.request.user)  # type: ignore[arg-type]
        return context

    @extend_schema(
        parameters=[TZ_PARAMETER, IF_NONE_MATCH], responses={200: BookmarkItemSerializer(many=True), 304: NOT_MODIFIED}
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


class BookmarkView(IdempotentMixin, AgendaView):
    """Bookmark a published session (PUT) or remove the bookmark (DELETE). Both are idempotent."""

    permission_classes = [IsAuthenticated]

    class BookmarkOutputSerializer(serializers.Serializer):
        session = serializers.IntegerField()
        bookmarked = serializers.BooleanField()
        conflicts = serializers.ListField(child=serializers.IntegerField())

    def _session(self, session_id: int) -> Any:
        published = published_session_get(event=self.event, session_id=session_id)
        if published is None:
            raise Http404
        return published.session

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: BookmarkOutputSerializer, 200: BookmarkOutputSerializer},
    )
    def put(self, request: Request, event_id: int, session_id: int) -> Response:
        session = self._session(session_id)
        _, created = bookmark_add(user=request.user, session=session)  # type: ignore[arg-type]
        conflicts = bookmark_conflicts(event=self.event, user=request.user).get(session.pk, [])  # type: ignore[arg-type]
        return Response(
            {"session": session.pk, "bookmarked": True, "conflicts": conflicts},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(request=None, parameters=[IDEMPOTENCY_KEY], responses={204: None})
    def delete(self, request: Request, event_id: int, session_id: int) -> Response:
        bookmark_remove(user=request.user, session=self._session(session_id))  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


class NoteSerializer(serializers.Serializer):
    session = serializers.IntegerField()
    text = serializers.CharField(allow_blank=True)
    updated_at = serializers.DateTimeField(allow_null=True)


class NoteView(IdempotentMixin, AgendaView):
    """My private note on a published session: read it (empty text if none), set it (an empty
    text deletes it), delete it."""

    permission_classes = [IsAuthenticated]

    class NoteInputSerializer(serializers.Serializer):
        text = serializers.CharField(allow_blank=True, max_length=10_000, trim_whitespace=False)

    def _session_id(self, session_id: int) -> int:
        if published_session_get(event=self.event, session_id=session_id) is None:
            raise Http404
        return session_id

    def _body(self, session_id: int) -> dict[str, Any]:
        note = session_note_get(user=self.request.user, session_id=session_id)  # type: ignore[arg-type]
        tz = self.tz or self.event.tz
        return {
            "session": session_id,
            "text": note.text if note else "",
            "updated_at": note.updated_at.astimezone(tz).isoformat() if note else None,
        }

    @extend_schema(parameters=[TZ_PARAMETER], responses=NoteSerializer)
    def get(self, request: Request, event_id: int, session_id: int) -> Response:
        return Response(self._body(self._session_id(session_id)))

    @extend_schema(request=NoteInputSerializer, parameters=[IDEMPOTENCY_KEY, TZ_PARAMETER], responses=NoteSerializer)
    def put(self, request: Request, event_id: int, session_id: int) -> Response:
        session_id = self._session_id(session_id)
        data = self.NoteInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        published = published_session_get(event=self.event, session_id=session_id)
        note_save(user=request.user, session=published.session, text=data.validated_data["text"])  # type: ignore[arg-type,union-attr]
        return Response(self._body(session_id))

    @extend_schema(request=None, parameters=[IDEMPOTENCY_KEY], responses={204: None})
    def delete(self, request: Request, event_id: int, session_id: int) -> Response:
        published = published_session_get(event=self.event, session_id=self._session_id(session_id))
        note_save(user=request.user, session=published.session, text="")  # type: ignore[arg-type,union-attr]
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
        bundle = agenda_bundle(event=self.event, user=request.user)  # type: ignore[arg-type]
        bundle["event"] = EventOutputSerializer(bundle["event"]).data
        # The ETag names the heads the data was read at (a change may have committed meanwhile).
        self.etag = agenda_etag(event=self.event, user=None, key=self.etag_key(), heads=bundle["heads"])
        body = json.dumps(bundle, separators=(",", ":"), ensure_ascii=False).encode()
        response = HttpResponse(content_type="application/json")
        if _accepts_gzip(request):
            response.content = gzip.compress(body, compresslevel=6, mtime=0)
            response["Content-Encoding"] = "gzip"
        else:
            response.content = body
        patch_vary_headers(response, ("Accept-Encoding",))
        return response


# --- iCalendar -----------------------------------------------------------------------------------


class CalendarRenderer(BaseRenderer):
    """Lets clients that ask for ``text/calendar`` through; errors still render as JSON."""

    media_type = "text/calendar"
    format = "ics"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return JSONRenderer().render(data)


def _calendar_response(body: bytes, *, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class AgendaIcsView(AgendaView):
    """The published agenda as iCalendar (public events need no login)."""

    renderer_classes = [JSONRenderer, CalendarRenderer]

    @extend_schema(
        parameters=[IF_NONE_MATCH],
        responses={(200, "text/calendar"): OpenApiTypes.STR, 304: NOT_MODIFIED},
    )
    def get(self, request: Request, event_id: int) -> HttpResponse:
        if response := self.not_modified():
            return response
        sessions = published_sessions(event=self.event).select_related("room", "track")
        return _calendar_response(
            agenda_calendar(event=self.event, sessions=sessions, name=self.event.name), filename="agenda.ics"
        )


class CalendarFeedSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The private feed: whoever holds it reads my agenda. Revoke with DELETE.")
    created_at = serializers.DateTimeField()


class CalendarFeedView(IdempotentMixin, AgendaView):
    """My private calendar feed of this event (my bookmarked sessions): GET shows it (404 if I
    have none), POST creates it or returns the one I have, DELETE revokes it (its URL then
    answers 404; a new POST makes a new URL)."""

    permission_classes = [IsAuthenticated]

    def _body(self, feed: CalendarFeed) -> dict[str, Any]:
        url = self.request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": feed.token}))
        return {"url": url, "created_at": feed.created_at.astimezone(self.event.tz).isoformat()}

    @extend_schema(responses=CalendarFeedSerializer)
    def get(self, request: Request, event_id: int) -> Response:
        feed = calendar_feed_active(user=request.user, event=self.event)  # type: ignore[arg-type]
        if feed is None:
            raise Http404
        return Response(self._body(feed))

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: CalendarFeedSerializer, 200: CalendarFeedSerializer},
    )
    def post(self, request: Request, event_id: int) -> Response:
        feed, created = calendar_feed_get_or_create(user=request.user, event=self.event)  # type: ignore[arg-type]
        return Response(self._body(feed), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, parameters=[IDEMPOTENCY_KEY], responses={204: None})
    def delete(self, request: Request, event_id: int) -> Response:
        calendar_feed_revoke(user=request.user, event=self.event)  # type: ignore[arg-type]
        return Response(status=status.HTTP_204_NO_CONTENT)


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """A private calendar feed (bearer URL): the holder's bookmarked sessions of one event. A
    revoked or unknown token, or a user who may no longer see the event, is a 404."""
    not_found = HttpResponseNotFound("Not found.", content_type="text/plain; charset=utf-8")
    if request.method not in ("GET", "HEAD"):
        return not_found
    feed = calendar_feed_for_token(token)
    if feed is None or not feed.user.is_active:
        return not_found
    with event_scope(feed.event_id):
        event, user = feed.event, feed.user
        if not user.has_perm("events.view_event", event):
            return not_found
        etag = agenda_etag(event=event, user=user, key=["calendar-feed", token])
        if _matches(request, etag):
            response = HttpResponse(status=304)
        else:
            sessions = (
                published_sessions(event=event).filter(session__bookmarks__user=user).select_related("room", "track")
            )
            response = _calendar_response(
                agenda_calendar(event=event, sessions=sessions, name=f"{event.name} — my agenda"),
                filename="my-agenda.ics",
            )
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
