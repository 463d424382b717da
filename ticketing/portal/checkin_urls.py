"""Check-in pages, included from ``ticketing/portal/urls.py`` (namespace ``ticketing``)."""

from django.urls import path

from . import checkin as views

_checkin = "<slug:organization>/events/<slug:event>/checkin/"

urlpatterns = [
    path(_checkin, views.dashboard, name="checkin"),
    path(f"{_checkin}figures", views.figures, name="checkin-figures"),
    path(f"{_checkin}search", views.search, name="checkin-search"),
    path(f"{_checkin}tickets/<int:ticket_id>/check", views.manual_checkin, name="checkin-manual"),
    path(f"{_checkin}tickets/<int:ticket_id>/revoke", views.ticket_revoke_view, name="checkin-ticket-revoke"),
    path(f"{_checkin}tickets/<int:ticket_id>/reissue", views.ticket_reissue_view, name="checkin-ticket-reissue"),
    path(f"{_checkin}gates/", views.gates, name="checkin-gates"),
    path(f"{_checkin}gates/<int:gate_id>/", views.gate_edit, name="checkin-gate-edit"),
    path(f"{_checkin}devices/", views.devices, name="checkin-devices"),
    path(f"{_checkin}devices/<int:device_id>/revoke", views.device_revoke, name="checkin-device-revoke"),
    path(f"{_checkin}settings", views.settings_view, name="checkin-settings"),
]
