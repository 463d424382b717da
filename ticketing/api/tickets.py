"""Tickets in the attendee API: my tickets of an event, one with its signed QR payload, and
the QR code as PNG or SVG. Only the holder's own tickets (those of orders they placed); any
other id is a 404, like a missing one."""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from eventhub import errors
from eventhub.api.fields import EventTimeField
from eventhub.api.pagination import CursorPagination
from eventhub.api.request import AuthenticatedRequest
from events.selectors.organizations import event_access

from ..models import Ticket
from ..selectors import checkin as selectors
from ..services.tickets import ticket_payload, ticket_qr_png, ticket_qr_svg

VIEW_EVENT = "events.view_event"


def _my_ticket(request: Request, event_id: int, ticket_id: int) -> Ticket:
    event = event_access(user=request.user, event_id=event_id, permission=VIEW_EVENT)
    return selectors.ticket_access(user=request.user, event=event, ticket_id=ticket_id, permission=None)


class TicketTypeBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class TicketOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    event = serializers.IntegerField(source="event_id")
    attendee_name = serializers.CharField()
    ticket_type = TicketTypeBriefSerializer(source="order_position.ticket_type")
    order = serializers.CharField(source="order_position.order.code")
    status = serializers.SerializerMethodField(help_text="valid, revoked or unpaid")
    version = serializers.IntegerField(help_text="Goes up when the ticket is reissued (its old QR stops working).")
    created_at = EventTimeField()

    def get_status(self, ticket: Ticket) -> str:
        return selectors.ticket_status(ticket)


class TicketDetailOutputSerializer(TicketOutputSerializer):
    qr_payload = serializers.SerializerMethodField(
        help_text="The signed payload the QR code encodes (empty for revoked tickets)."
    )

    def get_qr_payload(self, ticket: Ticket) -> str:
        return "" if ticket.revoked else ticket_payload(ticket=ticket)


class OldestFirstPagination(CursorPagination):
    ordering = "id"


class MyTicketListView(generics.ListAPIView):
    """My tickets for this event (from orders I placed), oldest first."""

    serializer_class = TicketOutputSerializer
    pagination_class = OldestFirstPagination
    request: AuthenticatedRequest

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        event = event_access(user=self.request.user, event_id=self.kwargs["event_id"], permission=VIEW_EVENT)
        return selectors.tickets_of_user(event=event, user=self.request.user)


class TicketDetailView(APIView):
    """One of my tickets, with the signed QR payload."""

    @extend_schema(responses=TicketDetailOutputSerializer)
    def get(self, request: Request, event_id: int, ticket_id: int) -> Response:
        ticket = _my_ticket(request, event_id, ticket_id)
        return Response(TicketDetailOutputSerializer(ticket).data)


class _QrView(APIView):
    content_type = "application/octet-stream"

    error_statuses = {410: "This ticket was revoked (`revoked`)."}

    def render_qr(self, payload: str) -> bytes:
        raise NotImplementedError

    def get(self, request: Request, event_id: int, ticket_id: int) -> HttpResponse:
        ticket = _my_ticket(request, event_id, ticket_id)
        if ticket.revoked:
            raise errors.Gone("This ticket was revoked.", code="revoked")
        response = HttpResponse(self.render_qr(ticket_payload(ticket=ticket)), content_type=self.content_type)
        response["Content-Disposition"] = f'inline; filename="ticket-{ticket.pk}-v{ticket.version}"'
        return response


class TicketQrPngView(_QrView):
    """The ticket's QR code as a PNG image."""

    content_type = "image/png"

    def render_qr(self, payload: str) -> bytes:
        return ticket_qr_png(payload=payload)

    @extend_schema(responses={(200, "image/png"): OpenApiTypes.BINARY})
    def get(self, request: Request, event_id: int, ticket_id: int) -> HttpResponse:
        return super().get(request, event_id, ticket_id)


class TicketQrSvgView(_QrView):
    """The ticket's QR code as an SVG image."""

    content_type = "image/svg+xml"

    def render_qr(self, payload: str) -> bytes:
        return ticket_qr_svg(payload=payload)

    @extend_schema(responses={(200, "image/svg+xml"): OpenApiTypes.BINARY})
    def get(self, request: Request, event_id: int, ticket_id: int) -> HttpResponse:
        return super().get(request, event_id, ticket_id)


__all__ = ["MyTicketListView", "TicketDetailView", "TicketQrPngView", "TicketQrSvgView"]
