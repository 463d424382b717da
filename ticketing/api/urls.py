"""The ticketing API's routes: the catalogue, orders and payments, the waiting list and the
Stripe webhook (``sales``), my tickets (``tickets``) and the scanner API (``scanner``)."""

from django.urls import path

from . import sales, scanner, tickets

_event = "events/<int:event_id>/"

urlpatterns = [
    path(f"{_event}ticket-types", sales.TicketTypeListView.as_view(), name="ticket-types"),
    path(
        f"{_event}ticket-types/<int:ticket_type_id>/waiting-list",
        sales.WaitingListJoinView.as_view(),
        name="waiting-list-join",
    ),
    path(f"{_event}orders", sales.OrderCreateView.as_view(), name="order-create"),
    path(f"{_event}orders/<str:order_code>", sales.OrderDetailView.as_view(), name="order-detail"),
    path(
        f"{_event}orders/<str:order_code>/payment-intent",
        sales.OrderPaymentIntentView.as_view(),
        name="order-payment-intent",
    ),
    path(
        f"{_event}orders/<str:order_code>/checkout-session",
        sales.CheckoutSessionView.as_view(),
        name="order-checkout-session",
    ),
    path("stripe/webhook", sales.StripeWebhookView.as_view(), name="stripe-webhook"),
    path(f"{_event}tickets", tickets.MyTicketListView.as_view(), name="my-tickets"),
    path(f"{_event}tickets/<int:ticket_id>", tickets.TicketDetailView.as_view(), name="ticket-detail"),
    path(f"{_event}tickets/<int:ticket_id>/qr.png", tickets.TicketQrPngView.as_view(), name="ticket-qr-png"),
    path(f"{_event}tickets/<int:ticket_id>/qr.svg", tickets.TicketQrSvgView.as_view(), name="ticket-qr-svg"),
    path(f"{_event}scanner/config", scanner.ScannerConfigView.as_view(), name="scanner-config"),
    path(f"{_event}scanner/ticket-list", scanner.ScannerTicketListView.as_view(), name="scanner-ticket-list"),
    path(f"{_event}scanner/scan", scanner.ScanView.as_view(), name="scanner-scan"),
    path(f"{_event}scanner/batch", scanner.ScanBatchView.as_view(), name="scanner-batch"),
    path(f"{_event}scanner/undo", scanner.UndoView.as_view(), name="scanner-undo"),
]
