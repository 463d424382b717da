from django.urls import include, path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/new", views.organization_create, name="organization-create"),
    path("<slug:organization>/", views.organization_detail, name="organization"),
    path("<slug:organization>/members/", views.members, name="members"),
    path("<slug:organization>/members/<int:member_id>/role", views.member_role, name="member-role"),
    path("<slug:organization>/members/<int:member_id>/remove", views.member_remove, name="member-remove"),
    path("<slug:organization>/audit/", views.audit_log, name="audit-log"),
    path("<slug:organization>/events/new", views.event_create, name="event-create"),
    path("<slug:organization>/events/<slug:event>/", views.event_detail, name="event"),
    path("<slug:organization>/events/<slug:event>/edit", views.event_edit, name="event-edit"),
    path("<slug:organization>/events/<slug:event>/agenda/", include("events.portal.agenda")),
]
