"""The scan API for scanner devices (``Authorization: Device <token>``) and operators (session
token): the scanner's config and offline ticket list, scans, offline batches and undo.

Scanner routes live under ``events/<event_id>/scanner/``: a device token only works on its own
event's URLs (any other is a 401, the same as a wrong token), and a signed-in user needs the
``ticketing.scan`` permission on the event (else a 404, like a missing event).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import AnonymousUser
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, generics, serializers
from rest_framework.authentication import BaseAuthentication, SessionAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from eventhub import errors
from eventhub.api.authentication import SessionTokenAuthentication
from events.selectors.organizations import event_access

from .. import signing
from ..enums import CheckInKind, ScanResult
from ..models import Gate, ScannerDevice, Ticket
from ..selectors import checkin as selectors
from ..selectors.sales import ticket_types_of_event
from ..services import checkin, scanner
from ..services.tickets import event_public_key_b64, ticket_claim
from .ratelimits import RateLimitMixin
from .tickets import OldestFirstPagination, TicketTypeBriefSerializer

if TYPE_CHECKING:
    from events.models import Event


class DeviceAuthentication(BaseAuthentication):
    """``Authorization: Device <token>``: a scanner device registered for the URL's event.
    ``request.user`` stays anonymous; ``request.auth`` is the device."""

    keyword = b"device"

    def authenticate(self, request: Request) -> tuple[Any, ScannerDevice] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Invalid device token header.")
        event_id = request.parser_context["kwargs"].get("event_id") if request.parser_context else None
        try:
            token = parts[1].decode()
        except UnicodeError:
            token = ""
        device = scanner.device_authenticate(token=token, event_id=event_id) if event_id else None
        if device is None:
            raise exceptions.AuthenticationFailed("Invalid or revoked device token.")
        return AnonymousUser(), device

    def authenticate_header(self, request: Request) -> str:
        return 'Device realm="scanner"'


class DeviceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "ticketing.api.scanner.DeviceAuthentication"
    name = "deviceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Device <token>`: the token shown once when staff register the scanner.",
        }


class ScannerPermission(BasePermission):
    """A device of this event, or a signed-in user allowed to scan here (else 404/401)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        if isinstance(request.auth, ScannerDevice):
            return True
        if not request.user or not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        view.event = event_access(  # type: ignore[attr-defined]  # the ScannerView's event, resolved here
            user=request.user, event_id=view.kwargs["event_id"], permission="ticketing.scan"
        )
        return True


class ScannerView(RateLimitMixin, APIView):
    """Scans (and undos, batches) count against ``TICKETING_RATE_LIMITS["scan"]`` per device —
    one device flooding the server slowed every other user — or per operator."""

    authentication_classes = [DeviceAuthentication, SessionTokenAuthentication, SessionAuthentication]
    permission_classes = [ScannerPermission]
    event: Event  # set by ScannerPermission for a signed-in user
    rate_limit_scope = "scan"

    def scanner_context(self, request: Request, gate_id: int | None = None) -> checkin.ScanContext:
        if isinstance(request.auth, ScannerDevice):
            return scanner.scan_context(event=request.auth.event, device=request.auth, gate_id=gate_id)
        return scanner.scan_context(event=self.event, actor=request.user, gate_id=gate_id)  # type: ignore[arg-type]  # signed in: no device, so ScannerPermission saw a user


class GateOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    ticket_types = serializers.SerializerMethodField(help_text="Admitted ticket type ids (empty: all).")

    def get_ticket_types(self, gate: Gate) -> list[int]:
        return [t.pk for t in gate.ticket_types.all()]


class ScannerConfigOutputSerializer(serializers.Serializer):
    event = serializers.IntegerField()
    timezone = serializers.CharField()
    public_key = serializers.CharField(help_text="The event's Ed25519 public key, base64url (32 bytes).")
    payload_format = serializers.CharField()
    device = serializers.DictField(allow_null=True)
    gate = GateOutputSerializer(allow_null=True)
    gates = GateOutputSerializer(many=True)
    ticket_types = TicketTypeBriefSerializer(many=True)
    opens_at = serializers.DateTimeField()
    server_time = serializers.DateTimeField()


class ScannerConfigView(ScannerView):
    """What a scanner needs to work offline besides the ticket list: the event's public key,
    its gate, the gates and ticket types."""

    @extend_schema(responses=ScannerConfigOutputSerializer)
    def get(self, request: Request, event_id: int) -> Response:
        context = self.scanner_context(request)
        event = context.event
        data = {
            "event": event.pk,
            "timezone": event.timezone,
            "public_key": event_public_key_b64(event_id=event.pk),
            "payload_format": "base64url(0x01 | ticket id u64 | secret 24 bytes | Ed25519 signature 64 bytes); "
            "signed message: 'eventhub-ticket\\0' | event id u64 | the first 33 bytes",
            "device": {"id": context.device.pk, "name": context.device.name} if context.device else None,
            "gate": context.gate,
            "gates": selectors.gates_of_event(event=event),
            "ticket_types": ticket_types_of_event(event=event),
            "opens_at": selectors.checkin_opens_at(event=event, config=context.config),
            "server_time": timezone.now(),
        }
        return Response(ScannerConfigOutputSerializer(data).data)


class ScannerTicketOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    secret_hash = serializers.SerializerMethodField(help_text="hex SHA-256 of the current secret's 24 bytes")
    ticket_type = serializers.IntegerField(source="order_position.ticket_type_id")
    status = serializers.SerializerMethodField(help_text="valid, revoked or unpaid")
    attendee_name = serializers.CharField()
    inside = serializers.BooleanField()

    def get_secret_hash(self, ticket: Ticket) -> str:
        return signing.secret_hash(ticket.secret)

    def get_status(self, ticket: Ticket) -> str:
        return selectors.ticket_status(ticket)


class TicketListPagination(OldestFirstPagination):
    page_size = 1000
    max_page_size = 5000


class ScannerTicketListView(ScannerView, generics.ListAPIView):
    """Every ticket of the event for offline scanning, paged by id: verify a QR's signature
    with the public key (``scanner/config``), then look its ticket up here — an unknown id or a
    secret whose hash differs is ``revoked``."""

    serializer_class = ScannerTicketOutputSerializer
    pagination_class = TicketListPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Ticket.objects.none()
        return selectors.scanner_ticket_list(event=self.scanner_context(self.request).event)


class ScanInputSerializer(serializers.Serializer):
    payload = serializers.CharField(max_length=200, trim_whitespace=True)
    kind = serializers.ChoiceField(choices=CheckInKind.choices, default=CheckInKind.ENTRY)
    gate = serializers.IntegerField(required=False, help_text="Gate id (default: the device's gate).")
    client_scan_id = serializers.CharField(
        max_length=64, required=False, help_text="The scanner's own id for this scan: a retry gets the same answer."
    )


class _PlaceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ScanTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    attendee_name = serializers.CharField()
    ticket_type = TicketTypeBriefSerializer()
    order = serializers.CharField()


class ScanCheckInSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    scanned_at = serializers.DateTimeField()
    gate = _PlaceSerializer(allow_null=True)
    manual = serializers.BooleanField()


class ScanPreviousSerializer(serializers.Serializer):
    checkin_id = serializers.IntegerField()
    scanned_at = serializers.DateTimeField()
    gate = _PlaceSerializer(allow_null=True)


class OccupancySerializer(serializers.Serializer):
    inside = serializers.IntegerField()
    arrived = serializers.IntegerField()
    capacity = serializers.IntegerField(allow_null=True)
    percent = serializers.FloatField(allow_null=True)


class ScanOutputSerializer(serializers.Serializer):
    result = serializers.ChoiceField(choices=ScanResult.choices)
    detail = serializers.CharField()
    kind = serializers.ChoiceField(choices=CheckInKind.choices)
    client_scan_id = serializers.CharField(allow_null=True)
    ticket = ScanTicketSerializer(allow_null=True)
    checkin = ScanCheckInSerializer(allow_null=True, help_text="The check-in made (result ok).")
    previous = ScanPreviousSerializer(allow_null=True, help_text="When and where (already_checked_in).")
    occupancy = OccupancySerializer(allow_null=True)


class ScanView(ScannerView):
    """Scan a ticket: one call, one result code. HTTP 200 for every result (``ok`` admits)."""

    @extend_schema(request=ScanInputSerializer, responses=ScanOutputSerializer)
    def post(self, request: Request, event_id: int) -> Response:
        given = ScanInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = given.validated_data
        context = self.scanner_context(request, data.get("gate"))
        outcome = scanner.scan(
            context=context, payload=data["payload"], kind=data["kind"], client_scan_id=data.get("client_scan_id")
        )
        return Response(outcome.as_dict())


class BatchScanInputSerializer(serializers.Serializer):
    client_scan_id = serializers.CharField(max_length=64)
    payload = serializers.CharField(max_length=200)
    scanned_at = serializers.DateTimeField()
    kind = serializers.ChoiceField(choices=CheckInKind.choices, default=CheckInKind.ENTRY)


class BatchInputSerializer(serializers.Serializer):
    scans = BatchScanInputSerializer(many=True, max_length=2000)  # type: ignore[call-arg]  # a ListSerializer argument, missing in the stubs


class BatchOutputSerializer(serializers.Serializer):
    results = ScanOutputSerializer(many=True, help_text="One per scan, in the order sent.")
    summary = serializers.DictField(child=serializers.IntegerField(), help_text="How many scans got each result.")


class ScanBatchView(ScannerView):
    """Upload scans made offline (at most 2,000 per call). The earliest scan of a ticket wins;
    later ones are reported as conflicts (``already_checked_in``). Uploading the same scans
    again changes nothing and answers the same. A ``scanned_at`` before check-in opens, after
    the event (plus 12 hours) or after the server's time (10 minutes' leeway each) refuses the
    whole batch: 400 ``invalid_scan_time`` naming each row (``scans[<index>].scanned_at``)."""

    @extend_schema(request=BatchInputSerializer, responses=BatchOutputSerializer)
    def post(self, request: Request, event_id: int) -> Response:
        if not isinstance(request.auth, ScannerDevice):
            raise errors.Invalid("Offline batches come from a scanner device.", code="device_required")
        given = BatchInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        context = self.scanner_context(request)
        scans = [scanner.BatchScan(**item) for item in given.validated_data["scans"]]
        outcomes = scanner.scan_batch(context=context, scans=scans)
        summary: dict[str, int] = {}
        for outcome in outcomes:
            summary[outcome.result] = summary.get(outcome.result, 0) + 1
        return Response({"results": [outcome.as_dict() for outcome in outcomes], "summary": summary})


class UndoInputSerializer(serializers.Serializer):
    ticket = serializers.IntegerField(required=False, help_text="Ticket id (default: this device's last scan).")
    payload = serializers.CharField(max_length=200, required=False, help_text="Or the ticket's QR payload.")


class UndoOutputSerializer(serializers.Serializer):
    undone = serializers.BooleanField()
    checkin_id = serializers.IntegerField(allow_null=True)
    ticket_id = serializers.IntegerField(allow_null=True)
    kind = serializers.CharField(allow_null=True)


class UndoView(ScannerView):
    """Undo the last check-in (or check-out) of a ticket, or this device's own last one."""

    @extend_schema(request=UndoInputSerializer, responses=UndoOutputSerializer)
    def post(self, request: Request, event_id: int) -> Response:
        given = UndoInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        context = self.scanner_context(request)
        ticket_id = given.validated_data.get("ticket")
        if "payload" in given.validated_data:
            claim = ticket_claim(event_id=context.event.pk, payload=given.validated_data["payload"])
            if claim is None:
                raise errors.Invalid(checkin.MESSAGES[ScanResult.INVALID_SIGNATURE], code="invalid_signature")
            ticket_id = claim.ticket_id
        if ticket_id is None and context.device is None:
            raise errors.Invalid("Name the ticket to undo.")
        undone = checkin.checkin_undo(context=context, ticket_id=ticket_id)
        return Response(
            {
                "undone": undone is not None,
                "checkin_id": undone.pk if undone else None,
                "ticket_id": undone.ticket_id if undone else None,
                "kind": undone.kind if undone else None,
            }
        )


__all__ = ["ScanBatchView", "ScanView", "ScannerConfigView", "ScannerTicketListView", "UndoView"]
