"""Ticketing API for the phone and the web: catalogue, orders (reservation + payment), the
waiting list, and the Stripe webhook (the one route without a tenant)."""

import json
import logging
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from eventhub import errors
from eventhub.api.fields import EventTimeField
from eventhub.api.idempotency import HEADER as IDEMPOTENCY_HEADER
from eventhub.api.idempotency import IdempotentMixin
from eventhub.api.pagination import CursorPagination
from eventhub.api.request import AuthenticatedRequest
from eventhub.models import IdempotencyRecord
from events.selectors.organizations import event_access

from ..enums import MANUAL_PROVIDERS, OrderStatus, PaymentProvider
from ..models import Order, Payment, TicketType
from ..selectors import payments as payment_selectors
from ..selectors import sales as selectors
from ..services.orders import PositionInput, order_create
from ..services.payments import checkout_session_for_order, payment_intent_for_order, stripe_webhook_process
from ..services.waiting_list import waiting_list_join
from . import ratelimits
from .ratelimits import RateLimitMixin

logger = logging.getLogger(__name__)

VIEW_EVENT = "events.view_event"

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    IDEMPOTENCY_HEADER,
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    description="A client-generated key (at most 128 characters): a retry with the same key gets the first "
    "answer again, and never a second order.",
)


def _buyer_order(request: Request, event_id: int, order_code: str) -> Order:
    event = event_access(user=request.user, event_id=event_id, permission=VIEW_EVENT)
    return selectors.order_access(user=request.user, event=event, code=order_code, permission=None)


class CataloguePagination(CursorPagination):
    ordering = ("position", "id")


class TicketTypeOutputSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    is_free = serializers.BooleanField()
    sales_start = EventTimeField(allow_null=True)
    sales_end = EventTimeField(allow_null=True)
    min_per_order = serializers.IntegerField()
    max_per_order = serializers.IntegerField()
    max_per_account = serializers.IntegerField(
        source="account_limit", help_text="How many one account may hold in all (paid and reserved)."
    )
    participant_kind = serializers.CharField(help_text="The participant kind a ticket grants (KindEnum).")
    available = serializers.IntegerField(help_text="How many can be bought right now (0: sold out).")


class TicketTypeListView(generics.ListAPIView):
    """Ticket types on sale for an event, with what is left of each."""

    permission_classes = [AllowAny]
    serializer_class = TicketTypeOutputSerializer
    pagination_class = CataloguePagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TicketType.objects.none()
        event = event_access(user=self.request.user, event_id=self.kwargs["event_id"], permission=VIEW_EVENT)
        return selectors.ticket_types_on_sale(event=event).select_related("event")

    def list(self, request: Request, *args, **kwargs) -> Response:
        page = self.paginate_queryset(self.get_queryset())
        assert page is not None  # a pagination class is set: a page, never None
        availability = selectors.ticket_type_availability(ticket_types=page)
        for ticket_type in page:
            ticket_type.available = availability[ticket_type.pk]
            ticket_type.account_limit = selectors.account_ticket_limit(ticket_type)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PaymentOutputSerializer(serializers.Serializer):
    provider = serializers.CharField()
    status = serializers.CharField()
    amount = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    payment_intent = serializers.CharField(source="stripe_payment_intent_id", allow_blank=True)
    client_secret = serializers.CharField(
        allow_null=True, help_text="Confirm the PaymentIntent with this in the Stripe SDK on the phone."
    )
    publishable_key = serializers.CharField(allow_blank=True)
    reference = serializers.CharField(help_text="The reference a bank transfer carries: the order code.")
    instructions = serializers.CharField(
        allow_blank=True, help_text="How to pay a manual method (bank account, or pay at the door)."
    )


class PositionOutputSerializer(serializers.Serializer):
    ticket_type = serializers.IntegerField(source="ticket_type_id")
    price = serializers.DecimalField(max_digits=10, decimal_places=2)
    attendee_name = serializers.CharField()
    attendee_email = serializers.EmailField()
    ticket = serializers.SerializerMethodField()

    def get_ticket(self, position) -> int | None:
        ticket = getattr(position, "ticket", None)  # a missing reverse one-to-one raises AttributeError
        return ticket.pk if ticket is not None else None


class OrderOutputSerializer(serializers.Serializer):
    code = serializers.CharField()
    event = serializers.IntegerField(source="event_id")
    status = serializers.CharField(
        help_text="pending, paid, cancelled, expired, refunded or partially_refunded (only the webhook makes "
        "a paid order paid)."
    )
    email = serializers.EmailField()
    total = serializers.DecimalField(max_digits=10, decimal_places=2)
    currency = serializers.CharField()
    expires_at = EventTimeField(allow_null=True, help_text="End of the reservation while pending.")
    created_at = EventTimeField()
    positions = PositionOutputSerializer(many=True, source="positions.all")
    payment = PaymentOutputSerializer(allow_null=True, source="payment_info")


def _pays_by_card(order: Order) -> bool:
    return not Payment.objects.filter(order=order, provider__in=MANUAL_PROVIDERS).exists()


def _order_body(order: Order, *, client_secret: str | None = None) -> dict:
    order = selectors.order_get(event=order.event, code=order.code) or order
    payment = None
    if order.status == OrderStatus.PENDING or client_secret:
        manual = next((p for p in order.payments.all() if p.provider in MANUAL_PROVIDERS), None)
        stripe_payment = manual or next((p for p in order.payments.all() if p.provider == "stripe"), None)
        if stripe_payment is not None:
            account = payment_selectors.stripe_account(organization_id=order.event.organization_id)
            stripe_payment.client_secret = client_secret  # type: ignore[attr-defined]  # for the serializer
            stripe_payment.publishable_key = account.publishable_key if account and not manual else ""  # type: ignore[attr-defined]  # likewise
            stripe_payment.reference = order.code  # type: ignore[attr-defined]  # likewise
            stripe_payment.instructions = (  # type: ignore[attr-defined]  # likewise
                payment_selectors.payment_instructions(order=order, provider=manual.provider) if manual else ""
            )
            payment = stripe_payment
    order.payment_info = payment  # type: ignore[attr-defined]  # for the serializer
    return OrderOutputSerializer(order).data


class PositionInputSerializer(serializers.Serializer):
    ticket_type = serializers.IntegerField()
    attendee_name = serializers.CharField(max_length=200)
    attendee_email = serializers.EmailField(max_length=254)


class OrderCreateView(IdempotentMixin, RateLimitMixin, APIView):
    """Reserve tickets and start paying. Free orders are confirmed at once (``paid``, tickets
    issued). Paid orders stay ``pending`` until ``expires_at`` and come with a Stripe
    PaymentIntent's ``client_secret``; the order becomes ``paid`` only when Stripe tells us
    (webhook). ``sold_out`` (409) when a quota has no room left; ``account_limit`` (409) past
    the ticket type's tickets per account, ``too_many_pending_orders`` (409) past the unpaid
    orders one account may hold; ``rate_limited`` (429, ``Retry-After``) for too many orders —
    or too many wrong voucher codes — from one account or address."""

    rate_limit_scope = "order"
    error_statuses = {
        409: "No room or no sale (`sold_out`, `voucher_used_up`, `not_on_sale`, `account_limit`, "
        "`too_many_pending_orders`, `busy`: `error.code` says which).",
        503: "The payment provider is not reachable (`payment_unavailable`); retry with the same Idempotency-Key.",
    }

    class OrderInputSerializer(serializers.Serializer):
        email = serializers.EmailField(
            required=False, max_length=254, help_text="For the confirmation; default: my account's."
        )
        voucher = serializers.CharField(required=False, allow_blank=True, max_length=64)
        payment_method = serializers.ChoiceField(
            choices=[p for p in PaymentProvider.values if p != PaymentProvider.FREE],
            required=False,
            help_text="stripe, bank_transfer or at_door, as the organizer offers them (default: the first "
            "offered). A paid order without any method is refused: 409 payments_not_configured.",
        )
        positions: "serializers.ListSerializer[Any]" = serializers.ListSerializer(
            child=PositionInputSerializer(), min_length=1, max_length=50, allow_empty=False
        )

    @extend_schema(
        request=OrderInputSerializer, parameters=[IDEMPOTENCY_PARAMETER], responses={201: OrderOutputSerializer}
    )
    def post(self, request: AuthenticatedRequest, event_id: int) -> Response:
        event = event_access(user=request.user, event_id=event_id, permission=VIEW_EVENT)
        data = self.OrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        positions = [
            PositionInput(
                ticket_type_id=p["ticket_type"], attendee_name=p["attendee_name"], attendee_email=p["attendee_email"]
            )
            for p in data.validated_data["positions"]
        ]
        voucher = data.validated_data.get("voucher", "")
        if voucher.strip():  # guessing codes: refused while this account's or address's misses are used up
            ratelimits.check(request, "voucher_failed")
        # The order and the idempotency record commit together: a retry after any crash either
        # finds both or neither, so it can never reserve twice.
        try:
            with transaction.atomic():
                order = order_create(
                    event=event,
                    user=request.user,
                    email=data.validated_data.get("email") or request.user.email,
                    positions=positions,
                    voucher_code=voucher,
                    payment_method=data.validated_data.get("payment_method", ""),
                )
                self.idempotency_store(Response(_order_body(order), status=status.HTTP_201_CREATED))
        except errors.Invalid as error:
            if error.code == "invalid_voucher":
                ratelimits.count_failure(request, "voucher_failed")
            raise
        return self._with_payment(order)

    def _with_payment(self, order: Order) -> Response:
        if order.status != OrderStatus.PENDING or not _pays_by_card(order):
            return Response(_order_body(order), status=status.HTTP_201_CREATED)
        try:
            _, client_secret = payment_intent_for_order(order=order)
        except errors.Unavailable as error:
            logger.warning("PaymentIntent for order %s failed: %s", order.code, error.__cause__)
            raise errors.Unavailable(
                "The payment provider is not reachable; retry with the same Idempotency-Key.", code=error.code
            ) from error
        return Response(_order_body(order, client_secret=client_secret), status=status.HTTP_201_CREATED)

    def idempotency_replay(self, request: Request, record: IdempotencyRecord) -> HttpResponse:
        """A retry of a created order gets the order as it is now, with its PaymentIntent
        (created now if the first attempt crashed before reaching Stripe)."""
        if record.status_code == status.HTTP_201_CREATED:
            code = json.loads(bytes(record.response_body or b"{}")).get("code")
            order = Order.objects.filter(code=code, user=request.user).select_related("event").first()  # type: ignore[misc]  # a replay follows a claim: signed in
            if order is not None:
                try:
                    return self._with_payment(order)
                except errors.DomainError as error:
                    return self.handle_exception(error)
        return super().idempotency_replay(request, record)


class OrderDetailView(APIView):
    """One of my orders."""

    @extend_schema(responses=OrderOutputSerializer)
    def get(self, request: Request, event_id: int, order_code: str) -> Response:
        return Response(_order_body(_buyer_order(request, event_id, order_code)))


class OrderPaymentIntentView(APIView):
    """The PaymentIntent of my pending order (again), e.g. after the app was closed."""

    error_statuses = {
        409: "This order is not awaiting payment (`not_payable`).",
        503: "The payment provider is not reachable (`payment_unavailable`); retry later.",
    }

    @extend_schema(request=None, responses=OrderOutputSerializer)
    def post(self, request: Request, event_id: int, order_code: str) -> Response:
        order = _buyer_order(request, event_id, order_code)
        _, client_secret = payment_intent_for_order(order=order)
        return Response(_order_body(order, client_secret=client_secret))


def _allowed_return_url(request: Request, url: str) -> bool:
    parts = urlsplit(url)
    origin = f"{parts.scheme}://{parts.netloc}"
    allowed = {request.build_absolute_uri("/").rstrip("/"), *settings.CSRF_TRUSTED_ORIGINS}
    return parts.scheme in ("http", "https") and origin in allowed


class CheckoutSessionView(APIView):
    """Pay my pending order on the web: a Stripe Checkout Session; send the browser to ``url``."""

    error_statuses = {
        409: "This order is not awaiting payment (`not_payable`).",
        503: "The payment provider is not reachable (`payment_unavailable`); retry later.",
    }

    class CheckoutInputSerializer(serializers.Serializer):
        return_url = serializers.URLField(
            required=False,
            max_length=2000,
            help_text="Where Stripe sends the buyer back (this site or a trusted origin).",
        )

    class CheckoutOutputSerializer(serializers.Serializer):
        url = serializers.URLField()

    @extend_schema(request=CheckoutInputSerializer, responses=CheckoutOutputSerializer)
    def post(self, request: Request, event_id: int, order_code: str) -> Response:
        order = _buyer_order(request, event_id, order_code)
        data = self.CheckoutInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return_url = data.validated_data.get("return_url") or request.build_absolute_uri("/")
        if not _allowed_return_url(request, return_url):
            raise errors.Invalid("return_url must be on this site or a trusted origin.")
        separator = "&" if "?" in return_url else "?"
        _, url = checkout_session_for_order(
            order=order,
            success_url=f"{return_url}{separator}order={order.code}&result=paid",
            cancel_url=f"{return_url}{separator}order={order.code}&result=cancelled",
        )
        return Response(self.CheckoutOutputSerializer({"url": url}).data, status=status.HTTP_201_CREATED)


class WaitingListJoinView(IdempotentMixin, RateLimitMixin, APIView):
    """Join the waiting list of a sold-out ticket type (``not_sold_out`` otherwise). When a
    ticket frees up, the first in line gets a single-use voucher on ``user:<id>`` and by email.
    ``rate_limited`` (429) for too many joins from one account or address."""

    rate_limit_scope = "waiting_list"
    error_statuses = {
        409: "Not on sale, or tickets are still available (`not_on_sale`, `not_sold_out`, `busy`).",
    }

    class WaitingListOutputSerializer(serializers.Serializer):
        ticket_type = serializers.IntegerField(source="ticket_type_id")
        email = serializers.EmailField()
        status = serializers.CharField()
        joined_at = EventTimeField(source="created_at")

    @extend_schema(request=None, parameters=[IDEMPOTENCY_PARAMETER], responses={201: WaitingListOutputSerializer})
    def post(self, request: AuthenticatedRequest, event_id: int, ticket_type_id: int) -> Response:
        event = event_access(user=request.user, event_id=event_id, permission=VIEW_EVENT)
        ticket_type = selectors.ticket_type_access(
            user=request.user, event=event, ticket_type_id=ticket_type_id, permission=VIEW_EVENT
        )
        entry, created = waiting_list_join(ticket_type=ticket_type, user=request.user, email=request.user.email)
        return Response(
            self.WaitingListOutputSerializer(entry).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class StripeWebhookView(APIView):
    """Stripe's events (signed with ``STRIPE_WEBHOOK_SECRET``). Not for clients."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    class WebhookOutputSerializer(serializers.Serializer):
        status = serializers.CharField()

    @extend_schema(
        request=OpenApiTypes.OBJECT,
        responses={200: WebhookOutputSerializer},
        auth=[],
        description="For Stripe only: a signed event (`Stripe-Signature`). 400 `invalid_signature` when the "
        "signature does not verify; `duplicate` for an event already processed.",
    )
    def post(self, request: Request) -> Response:
        outcome = stripe_webhook_process(payload=request.body, signature=request.headers.get("Stripe-Signature", ""))
        return Response(self.WebhookOutputSerializer({"status": outcome.status}).data)
