"""The attendee agenda API under ``/api/v1/events/<event_id>/``: the published agenda and its
filters, session and speaker detail (and a speaker's own profile), rooms, tracks and now/next —
plus ``AgendaView``, the base of every agenda endpoint (here and in ``schedule``, ``personal``
and ``calendar``).

Reads answer ``ETag`` computed from the stream heads (``agenda_etag``) before anything is
rendered, and ``If-None-Match`` gets a 304. Times are in the event's zone with offset; ``?tz=``
renders them in another zone. An event the caller may not see is a 404 like a missing one."""

import zoneinfo
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.http import parse_etags
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from eventhub.access import reachable
from eventhub.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from eventhub.api.idempotency import IdempotentMixin
from eventhub.api.pagination import CursorPagination
from eventhub.api.rendered import RenderedBodies
from eventhub.api.request import AuthenticatedRequest

from .. import payloads
from ..models import Event, PublishedSession, Room, Speaker, Track
from ..selectors.agenda import (
    AgendaFilters,
    agenda_etag,
    agenda_next_transition,
    agenda_now_next,
    agenda_rooms,
    agenda_speakers,
    agenda_tracks,
    published_session_access,
    published_sessions,
    speaker_access,
    speaker_own_access,
    speaker_session_ids,
)
from ..selectors.organizations import event_access
from ..services.agenda import speaker_save

TZ_PARAMETER = OpenApiParameter(
    "tz",
    # What _zone takes: an IANA name (letters, digits, "_", "+", "-", parts joined by "/"), at most
    # 64 characters; one the zone database lacks is a 400 too.
    {"type": "string", "maxLength": 64, "pattern": r"^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$"},
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


# The longest IANA name is 32 characters; zoneinfo raises OSError ("name too long") on long
# ones instead of ZoneInfoNotFoundError.
_MAX_ZONE_NAME = 64


def _zone(value: str) -> zoneinfo.ZoneInfo:
    if len(value) > _MAX_ZONE_NAME:
        raise serializers.ValidationError(
            {"tz": [f"Give an IANA time zone name (at most {_MAX_ZONE_NAME} characters)."]}
        )
    try:
        return zoneinfo.ZoneInfo(value)
    except (ValueError, OSError, zoneinfo.ZoneInfoNotFoundError):
        raise serializers.ValidationError({"tz": [f"{value!r} is not an IANA time zone."]}) from None


_ANONYMOUS = AnonymousUser()


def etag_matches(request: HttpRequest, etag: str) -> bool:
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
    stored = False  # the body came from RENDERED
    compose_etag = False  # the view sets self.etag from the heads its body was read at

    def perform_authentication(self, request: Request) -> None:
        """Lazily, on the first use of ``request.user`` (DRF's documented way): a read of an
        event anyone may see answers the same for every caller, so its token is never looked up
        (two queries, about a third of a polled agenda read). Permission classes and views that
        use the caller (personal reads, writes, non-public events) authenticate as before."""

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        event = event_access(user=_ANONYMOUS, permission=None, event_id=kwargs["event_id"], stream_head=True)
        if not _ANONYMOUS.has_perm("events.view_event", event):
            event = reachable(event, user=request.user, permission="events.view_event")
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
        rendered for it (reads that are the same for everyone). A personal read that names no
        ETag skips it: it is computed from what the body is read at (``BundleView``)."""
        if self.personal and self.compose_etag and not self.request.headers.get("If-None-Match"):
            return None
        self.etag = agenda_etag(
            event=self.event, user=self.request.user if self.personal else None, key=self.etag_key()
        )
        if etag_matches(self.request, self.etag):
            return HttpResponse(status=status.HTTP_304_NOT_MODIFIED)  # no body: nothing to render
        if self.personal:
            return None
        stored = RENDERED.response(self.etag)
        self.stored = stored is not None
        return stored

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if self.etag is not None and response.status_code in (200, 304):
            response["ETag"] = self.etag
            if response.status_code == 200 and not self.personal and not self.stored and request.method == "GET":
                if hasattr(response, "render"):
                    response.render()
                RENDERED.store(self.etag, response)
        return response


class AgendaListView(AgendaView, generics.ListAPIView):
    def list(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:  # type: ignore[override]  # a 304 or a stored body is a plain HttpResponse
        return self.not_modified() or super().list(request, *args, **kwargs)


# --- pagination -----------------------------------------------------------------------------


class AgendaPagination(CursorPagination):
    ordering = ("start", "session_id")
    page_size = 100


class ByNamePagination(CursorPagination):
    ordering = ("name", "id")
    page_size = 100


class ByPositionPagination(CursorPagination):
    ordering = ("position", "name", "id")
    page_size = 100


# --- sessions --------------------------------------------------------------------------------


class AgendaFilterSerializer(serializers.Serializer):
    day = serializers.DateField(required=False, help_text="Sessions starting on this day (YYYY-MM-DD, event zone).")
    track = serializers.IntegerField(required=False, min_value=1, help_text="A track id.")
    room = serializers.IntegerField(required=False, min_value=1, help_text="A room id.")
    speaker = serializers.IntegerField(required=False, min_value=1, help_text="A speaker id.")
    # An empty parameter (``?tag=``, as an HTML form sends it) is no filter, for every field here
    # alike; ``allow_blank`` makes the schema say so (it said ``minLength: 1`` and took "" anyway).
    tag = serializers.CharField(
        required=False, allow_blank=True, max_length=60, help_text="Sessions with this tag (empty: any)."
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Free text in title, abstract or speaker names (empty: no search).",
    )

    def filters(self) -> dict[str, Any]:
        return {name: value for name, value in self.validated_data.items() if value != ""}


class SessionListView(AgendaListView):
    """The published agenda in time order (cancelled sessions included, with their status)."""

    serializer_class = payloads.SessionPayload
    pagination_class = AgendaPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PublishedSession.objects.none()
        params = AgendaFilterSerializer(data=self.request.query_params)
        params.is_valid(raise_exception=True)
        return published_sessions(event=self.event, filters=AgendaFilters(**params.filters()))

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
    def get(self, request: Request, event_id: int, session_id: int) -> HttpResponse:
        session = published_session_access(user=request.user, event=self.event, session_id=session_id)
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
    def get(self, request: Request, event_id: int, speaker_id: int) -> HttpResponse:
        speaker = speaker_access(
            user=request.user, event=self.event, speaker_id=speaker_id, permission="events.view_event", published=True
        )
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
    request: AuthenticatedRequest

    def _profile(self) -> Speaker:
        return speaker_own_access(user=self.request.user, event=self.event)

    @extend_schema(responses=payloads.SpeakerPayload)
    def get(self, request: Request, event_id: int) -> Response:
        return Response(payloads.speaker_payload(self._profile()))

    @extend_schema(request=SpeakerSelfInputSerializer, parameters=[IDEMPOTENCY_KEY], responses=payloads.SpeakerPayload)
    def patch(self, request: AuthenticatedRequest, event_id: int) -> Response:
        speaker = self._profile()
        data = SpeakerSelfInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "links" in fields:
            fields["links"] = [dict(link) for link in fields["links"]]
        speaker = speaker_save(actor=request.user, event=self.event, speaker=speaker, **fields)
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
    def get(self, request: Request, event_id: int) -> HttpResponse:
        params = self.NowNextInputSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        self._at = params.validated_data.get("at")
        if response := self.not_modified():
            return response
        result = agenda_now_next(event=self.event, at=self._at or timezone.now())
        context = {**self.get_serializer_context(), "tz": self.tz or self.event.tz}
        return Response(self.NowNextOutputSerializer(result, context=context).data)
