from django.urls import include, path

from . import views

urlpatterns = [
    path("me/organizations", views.MyOrganizationsView.as_view(), name="my-organizations"),
    path("me/events", views.MyEventsView.as_view(), name="my-events"),
    path("events/<int:event_id>", views.EventDetailView.as_view(), name="event-detail"),
    path("events/<int:event_id>/join", views.EventJoinView.as_view(), name="event-join"),
    path("", include("events.api.agenda_urls")),
]
