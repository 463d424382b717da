"""The attendee agenda API (events.api.agenda), under /api/v1/events/<event_id>/."""

from django.urls import path

from . import agenda

urlpatterns = [
    path("events/<int:event_id>/sessions", agenda.SessionListView.as_view(), name="agenda-sessions"),
    path("events/<int:event_id>/sessions/<int:session_id>", agenda.SessionDetailView.as_view(), name="agenda-session"),
    path(
        "events/<int:event_id>/sessions/<int:session_id>/bookmark",
        agenda.BookmarkView.as_view(),
        name="agenda-bookmark",
    ),
    path("events/<int:event_id>/sessions/<int:session_id>/note", agenda.NoteView.as_view(), name="agenda-note"),
    path("events/<int:event_id>/speakers", agenda.SpeakerListView.as_view(), name="agenda-speakers"),
    path("events/<int:event_id>/speakers/me", agenda.SpeakerMeView.as_view(), name="agenda-speaker-me"),
    path("events/<int:event_id>/speakers/<int:speaker_id>", agenda.SpeakerDetailView.as_view(), name="agenda-speaker"),
    path("events/<int:event_id>/rooms", agenda.RoomListView.as_view(), name="agenda-rooms"),
    path("events/<int:event_id>/tracks", agenda.TrackListView.as_view(), name="agenda-tracks"),
    path("events/<int:event_id>/now", agenda.NowNextView.as_view(), name="agenda-now"),
    path("events/<int:event_id>/versions", agenda.VersionListView.as_view(), name="agenda-versions"),
    path("events/<int:event_id>/versions/<int:version>", agenda.VersionDetailView.as_view(), name="agenda-version"),
    path("events/<int:event_id>/me/bookmarks", agenda.MyBookmarksView.as_view(), name="agenda-my-bookmarks"),
    path("events/<int:event_id>/bundle", agenda.BundleView.as_view(), name="agenda-bundle"),
    path("events/<int:event_id>/agenda.ics", agenda.AgendaIcsView.as_view(), name="agenda-ics"),
    path("events/<int:event_id>/calendar-feed", agenda.CalendarFeedView.as_view(), name="agenda-calendar-feed"),
]
