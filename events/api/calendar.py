"""The agenda as iCalendar: the public feed of an event (``/api/v1/events/<event_id>/agenda.ics``)
and each user's private, revocable feed of their bookmarked sessions (managed under
``…/calendar-feed``, served at ``/calendar/<token>.ics``).

Each session is a VEVENT with a stable UID (so calendar apps update rather than duplicate it),
``SEQUENCE`` from the session's publish count and ``LAST-MODIFIED`` from its last publish (so
they pick up changes), times with the event's ``TZID`` plus its VTIMEZONE, ``LOCATION`` = the
room and ``STATUS:CANCELLED`` for cancelled sessions (apps then strike or remove them)."""

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseNotFound
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response

from eventhub.api.idempotency import IdempotentMixin
from eventhub.api.request import AuthenticatedRequest

from ..ical import agenda_calendar
from ..models import CalendarFeed
from ..selectors.agenda import agenda_etag, published_sessions
from ..selectors.calendar import calendar_feed_access, calendar_feed_for_token
from ..services.calendar import calendar_feed_get_or_create, calendar_feed_revoke
from ..tenancy import event_scope
from .agenda import IDEMPOTENCY_KEY, IF_NONE_MATCH, NOT_MODIFIED, AgendaView, etag_matches

# --- endpoints -----------------------------------------------------------------------------------


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
    request: AuthenticatedRequest

    def _body(self, feed: CalendarFeed) -> dict[str, Any]:
        url = self.request.build_absolute_uri(reverse("calendar-feed", kwargs={"token": feed.token}))
        return {"url": url, "created_at": feed.created_at.astimezone(self.event.tz).isoformat()}

    @extend_schema(responses=CalendarFeedSerializer)
    def get(self, request: AuthenticatedRequest, event_id: int) -> Response:
        feed = calendar_feed_access(user=request.user, event=self.event)
        return Response(self._body(feed))

    @extend_schema(
        request=None,
        parameters=[IDEMPOTENCY_KEY],
        responses={201: CalendarFeedSerializer, 200: CalendarFeedSerializer},
    )
    def post(self, request: AuthenticatedRequest, event_id: int) -> Response:
        feed, created = calendar_feed_get_or_create(user=request.user, event=self.event)
        return Response(self._body(feed), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=None, parameters=[IDEMPOTENCY_KEY], responses={204: None})
    def delete(self, request: AuthenticatedRequest, event_id: int) -> Response:
        calendar_feed_revoke(user=request.user, event=self.event)
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
        if etag_matches(request, etag):
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
