"""The events app's bearer-link routes: no login, the token in the URL is the credential (door
displays, private calendar feeds). Its API routes are ``api/urls.py``, its portal pages
``portal/urls.py``."""

from django.urls import include, path

from .api.calendar import calendar_feed
from .portal.displays import display_page, display_state_view
from .portal.invitations import invitation_page

displays = [
    path("<str:token>", display_page, name="page"),
    path("<str:token>/state", display_state_view, name="state"),
]

urlpatterns = [
    path("displays/", include((displays, "displays"))),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar-feed"),
    path("invitations/<str:token>", invitation_page, name="invitation"),
]
