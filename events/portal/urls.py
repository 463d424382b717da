"""Every page of the events portal, under ``/portal/`` (namespace ``portal``). The door-display
pages are bearer links, routed by ``events/urls.py``."""

from django.urls import path

from . import agenda, displays, exports, imports, invitations, organizations, schedule

app_name = "portal"

_org = "<slug:organization>"
_event = f"{_org}/events/<slug:event>"
_agenda = f"{_event}/agenda"

urlpatterns = [
    path("", organizations.home, name="home"),
    path("organizations/new", organizations.organization_create, name="organization-create"),
    path(f"{_org}/", organizations.organization_detail, name="organization"),
    path(f"{_org}/members/", organizations.members, name="members"),
    path(f"{_org}/members/<int:member_id>/role", organizations.member_role, name="member-role"),
    path(f"{_org}/members/<int:member_id>/remove", organizations.member_remove, name="member-remove"),
    path(f"{_org}/audit/", organizations.audit_log, name="audit-log"),
    path(f"{_org}/events/new", organizations.event_create, name="event-create"),
    path(f"{_event}/", organizations.event_detail, name="event"),
    path(f"{_event}/edit", organizations.event_edit, name="event-edit"),
    # the schedule
    path(f"{_agenda}/", schedule.agenda, name="agenda"),
    path(f"{_agenda}/grid", schedule.agenda_grid, name="agenda-grid"),
    path(f"{_agenda}/publish", schedule.agenda_publish, name="agenda-publish"),
    path(f"{_agenda}/discard", schedule.agenda_discard, name="agenda-discard"),
    path(f"{_agenda}/versions/", schedule.versions, name="agenda-versions"),
    path(f"{_agenda}/versions/<int:version>", schedule.version_detail, name="agenda-version"),
    # the agenda
    path(f"{_agenda}/sessions/", agenda.sessions_list, name="agenda-sessions"),
    path(f"{_agenda}/sessions/new", agenda.session_create, name="agenda-session-create"),
    path(f"{_agenda}/sessions/<int:session_id>/", agenda.session_edit, name="agenda-session"),
    path(f"{_agenda}/sessions/<int:session_id>/move", agenda.session_move, name="agenda-session-move"),
    path(f"{_agenda}/sessions/<int:session_id>/place", agenda.session_place, name="agenda-session-place"),
    path(f"{_agenda}/sessions/<int:session_id>/delay", agenda.session_delay, name="agenda-session-delay"),
    path(f"{_agenda}/sessions/<int:session_id>/cancel", agenda.session_cancel, name="agenda-session-cancel"),
    path(f"{_agenda}/sessions/<int:session_id>/restore", agenda.session_restore, name="agenda-session-restore"),
    path(f"{_agenda}/sessions/<int:session_id>/delete", agenda.session_delete, name="agenda-session-delete"),
    path(f"{_agenda}/speakers/", agenda.speakers, name="agenda-speakers"),
    path(f"{_agenda}/speakers/new", agenda.speaker_form, name="agenda-speaker-create"),
    path(f"{_agenda}/speakers/<int:speaker_id>/", agenda.speaker_form, name="agenda-speaker"),
    path(f"{_agenda}/rooms/", agenda.rooms, name="agenda-rooms"),
    path(f"{_agenda}/rooms/new", agenda.room_form, name="agenda-room-create"),
    path(f"{_agenda}/rooms/<int:room_id>/", agenda.room_form, name="agenda-room-edit"),
    path(f"{_agenda}/rooms/<int:room_id>/delete", agenda.room_delete, name="agenda-room-delete"),
    path(f"{_agenda}/tracks/", agenda.tracks, name="agenda-tracks"),
    path(f"{_agenda}/tracks/new", agenda.track_form, name="agenda-track-create"),
    path(f"{_agenda}/tracks/<int:track_id>/", agenda.track_form, name="agenda-track"),
    path(f"{_agenda}/announcements/", agenda.announcements, name="agenda-announcements"),
    # door displays
    path(f"{_agenda}/displays/", displays.display_links, name="agenda-displays"),
    path(f"{_agenda}/displays/<int:display_id>/revoke", displays.display_link_revoke, name="agenda-display-revoke"),
    # import and export (issue 10)
    path(f"{_agenda}/import", imports.agenda_import_page, name="agenda-import"),
    path(f"{_event}/exports/", exports.exports, name="exports"),
    path(f"{_event}/exports/agenda.json", exports.agenda_export_json, name="export-agenda-json"),
    path(f"{_event}/exports/agenda.ics", exports.agenda_export_ics, name="export-agenda-ics"),
    path(f"{_event}/exports/schedule.xml", exports.agenda_export_frab, name="export-agenda-frab"),
    path(f"{_event}/exports/speakers.csv", exports.speakers_export, {"fmt": "csv"}, name="export-speakers-csv"),
    path(f"{_event}/exports/speakers.xlsx", exports.speakers_export, {"fmt": "xlsx"}, name="export-speakers-xlsx"),
    # invitations (issue 10)
    path(f"{_org}/invitations/", invitations.invitations, name="invitations"),
    path(f"{_org}/invitations/<int:invitation_id>/resend", invitations.invitation_resend, name="invitation-resend"),
    path(f"{_org}/invitations/<int:invitation_id>/revoke", invitations.invitation_revoke, name="invitation-revoke"),
    path(f"{_agenda}/speakers/<int:speaker_id>/invite", invitations.speaker_invite, name="agenda-speaker-invite"),
    path("speaking/<int:event_id>/", invitations.speaker_profile, name="speaker-profile"),
]
