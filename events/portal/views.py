from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from eventhub import errors
from eventhub.portal import apply_service_errors, error_text
from eventhub.realtime.selectors import stream_heads
from eventhub.realtime.streams import event_staff_stream

from ..enums import ParticipantKind
from ..models import Event, Organization
from ..selectors import organizations as selectors
from ..services import organizations as services
from .access import event_page, organization_page
from .forms import EventForm, MemberAddForm, MemberRoleForm, OrganizationForm

KIND_PLURALS = {
    ParticipantKind.ATTENDEE: "Attendees",
    ParticipantKind.SPEAKER: "Speakers",
    ParticipantKind.VENDOR: "Vendors",
    ParticipantKind.SPONSOR: "Sponsors",
    ParticipantKind.VOLUNTEER: "Volunteers",
    ParticipantKind.STAFF: "Staff",
}


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "events/home.html")


@login_required
def organization_create(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(actor=request.user, **form.cleaned_data)
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Organization “{organization.name}” created.")
            return redirect("portal:organization", organization=organization.slug)
    return render(request, "events/organization_form.html", {"form": form})


@organization_page()
def organization_detail(request: HttpRequest, organization: Organization) -> HttpResponse:
    events = selectors.organization_events(organization=organization)
    return render(request, "events/organization.html", {"events": events})


@organization_page("events.add_event")
def event_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = EventForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_create(actor=request.user, organization=organization, **form.cleaned_data)
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Event “{event.name}” created.")
            return redirect("portal:event", organization=organization.slug, event=event.slug)
    return render(request, "events/event_form.html", {"form": form})


def _counts_at_head(event: Event) -> tuple[dict[str, int], int]:
    """The participant counts and the staff-stream head they correspond to.

    Joins append to the staff stream in the same transaction as the participant row, so when the
    head is the same before and after reading the counts, the counts are exactly those at that
    head: the page subscribes with ``since=head`` and every later join reaches it once."""
    stream = event_staff_stream(event.pk)
    head = stream_heads(streams=[stream])[stream]
    for _ in range(3):
        counts = selectors.event_participant_counts(event=event)
        head_after = stream_heads(streams=[stream])[stream]
        if head_after == head:
            break
        head = head_after
    return counts, head


@event_page()
def event_detail(request: HttpRequest, event: Event) -> HttpResponse:
    counts, head = _counts_at_head(event)
    return render(
        request,
        "events/event.html",
        {
            "kinds": [(kind, KIND_PLURALS[kind], counts.get(kind, 0)) for kind in ParticipantKind.values],
            "participants": sum(counts.values()),
            "stream": event_staff_stream(event.pk),
            "stream_head": head,
        },
    )


@event_page("events.change_event")
def event_edit(request: HttpRequest, event: Event) -> HttpResponse:
    form = EventForm(request.POST or None, instance=event)
    if request.method == "POST" and form.is_valid():
        try:
            event = services.event_update(actor=request.user, event=event, **form.cleaned_data)
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Event saved.")
            return redirect("portal:event", organization=event.organization.slug, event=event.slug)
    return render(request, "events/event_form.html", {"form": form, "editing": True, "event": event})


@organization_page()
def members(request: HttpRequest, organization: Organization) -> HttpResponse:
    can_manage = request.user.has_perm("events.manage_members", organization)
    form = MemberAddForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if form.is_valid():
            try:
                services.member_add(actor=request.user, organization=organization, **form.cleaned_data)
            except errors.Invalid as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, f"{form.cleaned_data['email']} added.")
                return redirect("portal:members", organization=organization.slug)
    return render(
        request,
        "events/members.html",
        {
            "members": selectors.organization_members(organization=organization),
            "form": form,
            "can_manage": can_manage,
            "role_form": MemberRoleForm(),
        },
    )


def _member_or_404(organization: Organization, member_id: int):
    member = selectors.organization_members(organization=organization).filter(pk=member_id).first()
    if member is None:
        raise Http404
    return member


@require_POST
@organization_page("events.manage_members")
def member_role(request: HttpRequest, organization: Organization, member_id: int) -> HttpResponse:
    member = _member_or_404(organization, member_id)
    form = MemberRoleForm(request.POST)
    error = None
    if form.is_valid():
        try:
            member = services.member_change_role(actor=request.user, member=member, role=form.cleaned_data["role"])
        except errors.Invalid as exc:
            error = error_text(exc)
            member.refresh_from_db()
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
def member_remove(request: HttpRequest, organization: Organization, member_id: int) -> HttpResponse:
    member = _member_or_404(organization, member_id)
    try:
        services.member_remove(actor=request.user, member=member)
    except errors.Invalid as error:
        if request.htmx:
            context = {"member": member, "can_manage": True, "role_form": MemberRoleForm()}
            return render(request, "events/_member_row.html", {**context, "row_error": error_text(error)})
        messages.error(request, error_text(error))
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


def _audit_changes(changes: dict) -> list[dict]:
    """Audit ``changes`` as rows for the template: ``{"old": .., "new": ..}`` values are shown as
    a change, ``{"after": {...}}`` (creations) field by field, anything else as a value."""
    rows: list[dict] = []
    for key, value in changes.items():
        if key in ("after", "before") and isinstance(value, dict):
            rows.extend({"field": name, "value": item} for name, item in value.items() if item not in ("", None))
        elif isinstance(value, dict) and set(value) == {"old", "new"}:
            rows.append({"field": key, "old": value["old"], "new": value["new"], "changed": True})
        else:
            rows.append({"field": key, "value": value})
    return rows


@organization_page("events.view_audit_log")
def audit_log(request: HttpRequest, organization: Organization) -> HttpResponse:
    page = Paginator(selectors.organization_audit_log(organization=organization), 50).get_page(request.GET.get("page"))
    entries = [(entry, _audit_changes(entry.changes)) for entry in page]
    return render(request, "events/audit_log.html", {"page": page, "entries": entries})
