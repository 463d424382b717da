"""Routes of tickets (attendee) and the scanner API, included from ``ticketing/api/urls.py``."""

from django.urls import path

from . import checkin as views

_event = "events/<int:event_id>/"

urlpatterns = [
    path(f"{_event}tickets", views.MyTicketListView.as_view(), name="my-tickets"),
    path(f"{_event}tickets/<int:ticket_id>", views.TicketDetailView.as_view(), name="ticket-detail"),
    path(f"{_event}tickets/<int:ticket_id>/qr.png", views.TicketQrPngView.as_view(), name="ticket-qr-png"),
    path(f"{_event}tickets/<int:ticket_id>/qr.svg", views.TicketQrSvgView.as_view(), name="ticket-qr-svg"),
    path(f"{_event}scanner/config", views.ScannerConfigView.as_view(), name="scanner-config"),
    path(f"{_event}scanner/ticket-list", views.ScannerTicketListView.as_view(), name="scanner-ticket-list"),
    path(f"{_event}scanner/scan", views.ScanView.as_view(), name="scanner-scan"),
    path(f"{_event}scanner/batch", views.ScanBatchView.as_view(), name="scanner-batch"),
    path(f"{_event}scanner/undo", views.UndoView.as_view(), name="scanner-undo"),
]
