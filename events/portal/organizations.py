"""The organizer portal's organization and event pages: creating an organization, its events,
members and audit log, and an event's overview and settings."""

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from eventhub.checklist import Check
from eventhub.portal import ServiceFormView, attempt
from eventhub.realtime.selectors import read_at_head
from eventhub.realtime.streams import event_staff_stream

from ..enums import ParticipantKind
from ..models import Event, Organization
from ..selectors import organizations as selectors
from ..selectors.checklist import event_golive_checklist
from ..selectors.schedule import agenda_problems
from ..services import organizations as services
from .access import OrganizationRequest, PortalRequest, SignedInRequest, event_page, organization_page
from .forms.organizations import EventForm, MemberAddForm, MemberRoleForm, OrganizationForm

KIND_PLURALS: dict[str, str] = {
    ParticipantKind.ATTENDEE: "Attendees",
    ParticipantKind.SPEAKER: "Speakers",
    ParticipantKind.VENDOR: "Vendors",
    ParticipantKind.SPONSOR: "Sponsors",
    ParticipantKind.VOLUNTEER: "Volunteers",
    ParticipantKind.STAFF: "Staff",
}


@login_required
def home(request: SignedInRequest) -> HttpResponse:
    """Organizers see their organizations; a user with no membership (an attendee) is sent to
    their events (``public:my-events``), where creating an organization stays one link away."""
    if not selectors.memberships_for_user(user=request.user):
        return redirect("public:my-events")
    return render(request, "events/home.html")


class OrganizationCreate(ServiceFormView[OrganizationForm]):
    request: SignedInRequest
    form_class = OrganizationForm
    template_name = "events/organization_form.html"

    def save(self, form: OrganizationForm) -> Organization:
        return services.organization_create(actor=self.request.user, **form.cleaned_data)

    def success_message(self, organization: Organization) -> str:
        return f"Organization “{organization.name}” created."

    def success_url(self, organization: Organization) -> str:
        return reverse("portal:organization", kwargs={"organization": organization.slug})


organization_create = login_required(OrganizationCreate.as_view())


@organization_page()
def organization_detail(request: OrganizationRequest, organization: Organization) -> HttpResponse:
    events = selectors.organization_events(organization=organization)
    return render(request, "events/organization.html", {"events": events})


def _event_url(event: Event) -> str:
    return reverse("portal:event", kwargs={"organization": event.organization.slug, "event": event.slug})


class EventCreate(ServiceFormView[EventForm]):
    request: OrganizationRequest
    form_class = EventForm
    template_name = "events/event_form.html"

    def setup(self, organization: Organization) -> None:
        self.organization = organization

    def save(self, form: EventForm) -> Event:
        return services.event_create(actor=self.request.user, organization=self.organization, **form.cleaned_data)

    def success_message(self, event: Event) -> str:
        return f"Event “{event.name}” created."

    def success_url(self, event: Event) -> str:
        return _event_url(event)


event_create = organization_page("events.add_event")(EventCreate.as_view())


def _counts_at_head(event: Event) -> tuple[dict[str, int], int]:
    """What the page shows, and the staff-stream head it subscribes from (``read_at_head``)."""
    return read_at_head(
        stream=event_staff_stream(event.pk), read=lambda: selectors.event_participant_counts(event=event)
    )


def golive_items(event: Event, checks: list[Check]) -> list[dict[str, Any]]:
    """Checklist items with the URL of the page that fixes each (other apps' tabs show theirs)."""
    slugs = {"organization": event.organization.slug, "event": event.slug}
    return [
        {"check": check, "fix_url": reverse(check.fix_route, kwargs=slugs) if check.fix_route else ""}
        for check in checks
    ]


def golive_warnings(event: Event, *, areas: tuple[str, ...]) -> list[dict[str, Any]]:
    """The open items of some areas of the checklist (the Tickets tab shows tickets and check-in)."""
    checklist = event_golive_checklist(event=event)
    return golive_items(event, [check for check in checklist.checks if check.area in areas and not check.done])


def checklist_context(request: PortalRequest, event: Event) -> dict[str, Any]:
    """The go-live checklist with each item's fix link, and the public addresses once live."""
    checklist = event_golive_checklist(event=event)
    items = golive_items(event, checklist.checks)
    public = []
    if checklist.live:
        public = [
            (_("Event page"), request.build_absolute_uri(reverse("public:event", kwargs={"event_id": event.pk}))),
            (_("Attendee app"), request.build_absolute_uri("/app/")),
            (
                _("Event in the API"),
                request.build_absolute_uri(reverse("api:event-detail", kwargs={"event_id": event.pk})),
            ),
        ]
        public += [
            (
                _("Door display: %(name)s") % {"name": link.name},
                request.build_absolute_uri(reverse("displays:page", kwargs={"token": link.token})),
            )
            for link in checklist.displays
        ]
    return {"checklist": checklist, "checklist_items": items, "public_urls": public}


@event_page()
def event_detail(request: PortalRequest, event: Event) -> HttpResponse:
    counts, head = _counts_at_head(event)
    return render(
        request,
        "events/event.html",
        {
            "kinds": [(kind, KIND_PLURALS[kind], counts.get(kind, 0)) for kind in ParticipantKind.values],
            "participants": sum(counts.values()),
            "stream": event_staff_stream(event.pk),
            "stream_head": head,
            **checklist_context(request, event),
        },
    )


class EventEdit(ServiceFormView[EventForm]):
    request: PortalRequest
    form_class = EventForm
    template_name = "events/event_form.html"

    def setup(self, event: Event) -> None:
        self.event = event

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"instance": self.event}

    def save(self, form: EventForm) -> Event:
        event = services.event_update(actor=self.request.user, event=self.event, **form.cleaned_data)
        problems = agenda_problems(event=event)
        if problems:
            messages.warning(
                self.request,
                ngettext(
                    "The agenda now has a conflict; it cannot be published until it is fixed: %(problems)s",
                    "The agenda now has %(count)d conflicts; it cannot be published until they are fixed: %(problems)s",
                    len(problems),
                )
                % {"count": len(problems), "problems": " ".join(problem.message for problem in problems[:5])},
            )
        return event

    def success_message(self, event: Event) -> str:
        return _("Event saved.")

    def success_url(self, event: Event) -> str:
        return _event_url(event)

    def get_context(self, form: EventForm) -> dict[str, Any]:
        return {"form": form, "editing": True, "event": self.event}


event_edit = event_page("events.change_event")(EventEdit.as_view())


class Members(ServiceFormView[MemberAddForm]):
    """The organization's members, and (for managers) the form that adds one."""

    request: OrganizationRequest
    form_class = MemberAddForm
    template_name = "events/members.html"

    def setup(self, organization: Organization) -> None:
        self.organization = organization
        self.can_manage = self.request.user.has_perm("events.manage_members", organization)

    def dispatch(self) -> HttpResponse:
        if self.request.method == "POST" and not self.can_manage:
            raise Http404
        return super().dispatch()

    def save(self, form: MemberAddForm) -> Any:
        self.email = form.cleaned_data["email"]
        return services.member_add(actor=self.request.user, organization=self.organization, **form.cleaned_data)

    def success_message(self, member: Any) -> str:
        return f"{self.email} added."

    def success_url(self, member: Any) -> str:
        return reverse("portal:members", kwargs={"organization": self.organization.slug})

    def get_context(self, form: MemberAddForm) -> dict[str, Any]:
        return {
            "members": selectors.organization_members(organization=self.organization),
            "form": form,
            "can_manage": self.can_manage,
            "role_form": MemberRoleForm(),
        }


members = organization_page()(Members.as_view())


@require_POST
@organization_page("events.manage_members")
def member_role(request: OrganizationRequest, organization: Organization, member_id: int) -> HttpResponse:
    member = selectors.member_access(user=request.user, organization=organization, member_id=member_id)
    form = MemberRoleForm(request.POST)
    error = None
    if form.is_valid():
        role = form.cleaned_data["role"]
        changed, error = attempt(lambda: services.member_change_role(actor=request.user, member=member, role=role))
        if changed is None:
            member.refresh_from_db()
        else:
            member = changed
    else:
        error = "Choose a valid role."
    if request.htmx and not request.user.has_perm("events.manage_members", organization):
        # The actor demoted themselves: the page they are on is no longer theirs to manage.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    context = {
        "member": member,
        "can_manage": True,
        "role_form": MemberRoleForm(),
        "row_error": error,
        "row_saved": error is None,
    }
    if request.htmx:
        return render(request, "events/_member_row.html", context)
    if error:
        messages.error(request, error)
    return redirect("portal:members", organization=organization.slug)


@require_POST
@organization_page("events.manage_members")
def member_remove(request: OrganizationRequest, organization: Organization, member_id: int) -> HttpResponse:
    member = selectors.member_access(user=request.user, organization=organization, member_id=member_id)
    _, refusal = attempt(lambda: services.member_remove(actor=request.user, member=member))
    if refusal is not None:
        if request.htmx:
            context = {"member": member, "can_manage": True, "role_form": MemberRoleForm()}
            return render(request, "events/_member_row.html", {**context, "row_error": refusal})
        messages.error(request, refusal)
    else:
        if request.htmx:
            if member.user_id == request.user.pk:
                response = HttpResponse(status=204)
                response["HX-Redirect"] = reverse("portal:home")
                return response
            return HttpResponse("")  # the row is swapped for nothing
        messages.success(request, f"{member.user.email} removed.")
        if member.user_id == request.user.pk:
            return redirect("portal:home")
    return redirect("portal:members", organization=organization.slug)


_ISO_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:\d{2}|Z)$")


class _AuditValues:
    """Shows an audit value as people read it: a room, track, speaker or session by its name
    (``selectors.audit_reference_names``), an instant in the event's zone."""

    def __init__(self, names: dict[str, dict[int, str]], tz: ZoneInfo) -> None:
        self.names, self.tz = names, tz

    def show(self, field: str, value: Any) -> Any:
        kind = selectors.AUDIT_REFERENCES.get(field)
        if kind is not None:
            known = self.names.get(kind, {})
            if isinstance(value, list):
                return ", ".join(str(known.get(item, f"#{item}")) for item in value) or None
            if isinstance(value, int) and not isinstance(value, bool):
                return known.get(value, f"#{value}")
        if isinstance(value, str) and _ISO_INSTANT.match(value):
            return f"{datetime.fromisoformat(value).astimezone(self.tz):%Y-%m-%d %H:%M}"
        return value


def _audit_changes(changes: dict, values: _AuditValues) -> list[dict]:
    """Audit ``changes`` as rows for the template: ``{"old": .., "new": ..}`` values are shown as
    a change, ``{"after": {...}}`` (creations) field by field, anything else as a value."""
    rows: list[dict] = []
    for key, value in changes.items():
        if key in ("after", "before") and isinstance(value, dict):
            rows.extend(
                {"field": name, "value": values.show(name, item)}
                for name, item in value.items()
                if item not in ("", None, [])
            )
        elif isinstance(value, dict) and set(value) == {"old", "new"}:
            old, new = values.show(key, value["old"]), values.show(key, value["new"])
            rows.append({"field": key, "old": old, "new": new, "changed": True})
        else:
            rows.append({"field": key, "value": values.show(key, value)})
    return rows


@organization_page("events.view_audit_log")
def audit_log(request: OrganizationRequest, organization: Organization) -> HttpResponse:
    """Every time in the event's zone (an entry of no event: UTC, labelled), every object by name."""
    page = Paginator(selectors.organization_audit_log(organization=organization), 50).get_page(request.GET.get("page"))
    page_entries = list(page)
    names = selectors.audit_reference_names(organization=organization, entries=page_entries)
    entries = []
    for entry in page_entries:
        tz = entry.event.tz if entry.event else ZoneInfo("UTC")
        values = _AuditValues(names, tz)
        app_label, _dot, model = entry.object_type.partition(".")
        subject = names.get(model, {}).get(int(entry.object_id)) if entry.object_id.isdigit() else None
        entries.append(
            {
                "entry": entry,
                "when": entry.created_at.astimezone(tz),
                "zone": entry.event.timezone if entry.event else "UTC",
                "subject": subject,
                "changes": _audit_changes(entry.changes, values),
            }
        )
    return render(request, "events/audit_log.html", {"page": page, "entries": entries})
