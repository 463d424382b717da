"""Every route of the events API, under ``/api/v1/`` (namespace ``api``)."""

from django.urls import path

from . import agenda, calendar, organizations, personal, schedule

_event = "events/<int:event_id>"

urlpatterns = [
    path("me/organizations", organizations.MyOrganizationsView.as_view(), name="my-organizations"),
    path("me/events", organizations.MyEventsView.as_view(), name="my-events"),
    path("events/open", organizations.OpenEventsView.as_view(), name="open-events"),
    path(_event, organizations.EventDetailView.as_view(), name="event-detail"),
    path(f"{_event}/join", organizations.EventJoinView.as_view(), name="event-join"),
    # the published agenda
    path(f"{_event}/sessions", agenda.SessionListView.as_view(), name="agenda-sessions"),
    path(f"{_event}/sessions/<int:session_id>", agenda.SessionDetailView.as_view(), name="agenda-session"),
    path(f"{_event}/sessions/<int:session_id>/bookmark", personal.BookmarkView.as_view(), name="agenda-bookmark"),
    path(f"{_event}/sessions/<int:session_id>/note", personal.NoteView.as_view(), name="agenda-note"),
    path(f"{_event}/speakers", agenda.SpeakerListView.as_view(), name="agenda-speakers"),
    path(f"{_event}/speakers/me", agenda.SpeakerMeView.as_view(), name="agenda-speaker-me"),
    path(f"{_event}/speakers/<int:speaker_id>", agenda.SpeakerDetailView.as_view(), name="agenda-speaker"),
    path(f"{_event}/rooms", agenda.RoomListView.as_view(), name="agenda-rooms"),
    path(f"{_event}/tracks", agenda.TrackListView.as_view(), name="agenda-tracks"),
    path(f"{_event}/now", agenda.NowNextView.as_view(), name="agenda-now"),
    path(f"{_event}/versions", schedule.VersionListView.as_view(), name="agenda-versions"),
    path(f"{_event}/versions/<int:version>", schedule.VersionDetailView.as_view(), name="agenda-version"),
    # my agenda
    path(f"{_event}/me/bookmarks", personal.MyBookmarksView.as_view(), name="agenda-my-bookmarks"),
    path(f"{_event}/bundle", personal.BundleView.as_view(), name="agenda-bundle"),
    path(f"{_event}/agenda.ics", calendar.AgendaIcsView.as_view(), name="agenda-ics"),
    path(f"{_event}/calendar-feed", calendar.CalendarFeedView.as_view(), name="agenda-calendar-feed"),
]
