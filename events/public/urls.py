"""The events app's public pages (namespace ``public``): an event, its sessions and speakers,
and the attendee's own events. The shop under the same ``events/<id>/`` prefix is ticketing's."""

from django.urls import path

from accounts.public import set_language

from . import views

app_name = "public"

_event = "events/<int:event_id>/"

urlpatterns = [
    path(_event, views.event_page, name="event"),
    path(f"{_event}sessions/<int:session_id>/", views.session_page, name="session"),
    path(f"{_event}speakers/<int:speaker_id>/", views.speaker_page, name="speaker"),
    path("my/events/", views.my_events, name="my-events"),
    # The language switcher (POST language, next): Django's set_language + the user's setting.
    # templates/_language_switcher.html posts here.
    path("i18n/setlang/", set_language, name="set-language"),
]
