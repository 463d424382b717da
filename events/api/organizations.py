"""The API of the tenant root: my organizations and events, one event with my part in it, and
joining an open event."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from eventhub.api.fields import EventTimeField
from eventhub.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from eventhub.api.idempotency import IdempotentMixin
from eventhub.api.pagination import CursorPagination
from eventhub.api.request import AuthenticatedRequest
from eventhub.realtime.streams import event_stream

from ..enums import EventStatus, EventVisibility, MemberRole, ParticipantKind
from ..models import Event, OrganizationMember
from ..rules import member_role
from ..selectors.organizations import (
    event_access,
    events_for_user,
    events_open_to_join,
    memberships_of_user,
    participant_get,
)
from ..services.organizations import participant_join
from ..tenancy import joinable_events_scope, user_scope


class OrganizationBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()


class EventOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    organization = OrganizationBriefSerializer()
    name = serializers.CharField()
    slug = serializers.SlugField()
    timezone = serializers.CharField(help_text="IANA time zone; start and end carry its offset.")
    start = EventTimeField(event_attr="")
    end = EventTimeField(event_attr="")
    venue_name = serializers.CharField()
    venue_address = serializers.CharField()
    description = serializers.CharField()
    status = serializers.ChoiceField(choices=EventStatus.choices)
    visibility = serializers.ChoiceField(choices=EventVisibility.choices)
    open_registration = serializers.BooleanField()
    stream = serializers.SerializerMethodField(help_text="Subscribe to this stream for live updates.")

    def get_stream(self, event: Event) -> str:
        return event_stream(event.pk)


class UserScopedListMixin:
    """Personal lists span organizations: evaluate them inside the user's scope."""

    def list(self, request: Request, *args, **kwargs) -> Response:
        with user_scope(request.user.pk):
            return super().list(request, *args, **kwargs)  # type: ignore[misc]  # a mixin: the view's list


class MembershipOutputSerializer(serializers.Serializer):
    organization = OrganizationBriefSerializer()
    role = serializers.ChoiceField(choices=MemberRole.choices)


class MyOrganizationsView(UserScopedListMixin, generics.ListAPIView):
    """Organizations I am a member of, with my role."""

    serializer_class = MembershipOutputSerializer
    request: AuthenticatedRequest

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OrganizationMember.objects.none()
        return memberships_of_user(user=self.request.user)


class MyEventsView(UserScopedListMixin, generics.ListAPIView):
    """Events I take part in, or whose organization I belong to."""

    # Paged by the cursor on "-id" (eventhub.api.pagination): stable while events are added or
    # rescheduled, which an order by start would not be for a phone that syncs page by page.
    serializer_class = EventOutputSerializer
    request: AuthenticatedRequest

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return events_for_user(user=self.request.user)


class SoonestFirstPagination(CursorPagination):
    ordering = ("start", "id")


class OpenEventsView(generics.ListAPIView):
    """Listed events open to join that have not ended, soonest first (join one with
    ``POST /events/<id>/join``). Readable anonymously: it lists only public events."""

    permission_classes = [AllowAny]
    serializer_class = EventOutputSerializer
    pagination_class = SoonestFirstPagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Event.objects.none()
        return events_open_to_join()

    def list(self, request: Request, *args, **kwargs) -> Response:
        with joinable_events_scope():
            return super().list(request, *args, **kwargs)


class EventDetailView(APIView):
    """One event I may see, with my part in it."""

    permission_classes = [AllowAny]  # public events are readable anonymously; the selector decides

    class EventDetailOutputSerializer(EventOutputSerializer):
        # Plain strings: the role and kind enums are named where they first appear (RoleEnum,
        # KindEnum); a second field over the same choices would make a second enum name.
        my_role = serializers.CharField(allow_null=True, help_text="My organization role (RoleEnum), if any.")
        my_participation = serializers.CharField(allow_null=True, help_text="My participant kind (KindEnum), if any.")

    @extend_schema(responses=EventDetailOutputSerializer)
    def get(self, request: Request, event_id: int) -> Response:
        event = event_access(user=request.user, event_id=event_id)
        participant = participant_get(event=event, user=request.user)
        event.my_role = member_role(request.user, event)  # type: ignore[attr-defined]  # for the serializer
        event.my_participation = participant.kind if participant else None  # type: ignore[attr-defined]  # likewise
        return Response(self.EventDetailOutputSerializer(event).data)


class EventJoinView(IdempotentMixin, APIView):
    """Join an open event as an attendee. Idempotent; accepts an ``Idempotency-Key``."""

    class ParticipationOutputSerializer(serializers.Serializer):
        event = serializers.IntegerField(source="event_id")
        kind = serializers.ChoiceField(choices=ParticipantKind.choices)
        joined_at = EventTimeField(source="created_at")

    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                IDEMPOTENCY_HEADER,
                OpenApiTypes.STR,
                location=OpenApiParameter.HEADER,
                description="A client-generated key (at most 128 characters): a retry with the same key gets "
                "the first answer again.",
            )
        ],
        responses={201: ParticipationOutputSerializer, 200: ParticipationOutputSerializer},
    )
    def post(self, request: AuthenticatedRequest, event_id: int) -> Response:
        event = event_access(user=request.user, event_id=event_id)
        participant, created = participant_join(user=request.user, event=event)
        return Response(
            self.ParticipationOutputSerializer(participant).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
