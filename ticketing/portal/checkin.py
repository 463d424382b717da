"""Organizer pages for check-in: the live dashboard with manual check-in by name, gates,
scanner devices (the token is shown once) and check-in settings. Every page resolves its event
through ``event_page``; gates, devices and tickets are looked up within that event, so another
tenant's id is a 404 like a missing one."""

import base64
from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventhub import errors
from eventhub.portal import apply_service_errors
from eventhub.realtime.selectors import read_at_head
from eventhub.realtime.streams import event_staff_stream
from events.models import Event
from events.portal.access import PortalRequest, event_page

from ..enums import ScanResult
from ..selectors import checkin as selectors
from ..services import checkin, scanner
from ..services.gates import gate_create, gate_update
from ..services.tickets import ticket_qr_svg, ticket_reissue, ticket_revoke
from .forms import AttendeeListForm, CheckInConfigForm, DeviceForm, GateForm, ManualCheckInForm, ScanLogFilterForm

VIEW = "ticketing.view_checkin"
MANAGE = "ticketing.manage_checkin"


def _context(request: PortalRequest, tab: str, **extra) -> dict:
    event = request.event
    return {"tab": tab, "can_manage": request.user.has_perm(MANAGE, event), **extra}


def _back(event: Event, name: str):
    return redirect(f"ticketing:{name}", organization=event.organization.slug, event=event.slug)


def _figures_at_head(event: Event) -> tuple[selectors.CheckInDashboard, int]:
    """What the page shows, and the staff-stream head it subscribes from (``read_at_head``)."""
    return read_at_head(stream=event_staff_stream(event.pk), read=lambda: selectors.checkin_dashboard(event=event))


@event_page(VIEW)
def dashboard(request: PortalRequest, event: Event) -> HttpResponse:
    figures, head = _figures_at_head(event)
    return render(
        request,
        "ticketing/checkin_dashboard.html",
        _context(
            request,
            "dashboard",
            figures=figures,
            stream=event_staff_stream(event.pk),
            stream_head=head,
            recent=selectors.scan_log(event=event, limit=30),
            **_search_context(request, event, request.GET.get("q", "")),
        ),
    )


@event_page(VIEW)
def figures(request: PortalRequest, event: Event) -> HttpResponse:
    """The gate table and headline figures, re-rendered by htmx when check-ins arrive."""
    return render(request, "ticketing/checkin_figures.html", {"figures": selectors.checkin_dashboard(event=event)})


@event_page(MANAGE)
def search(request: PortalRequest, event: Event) -> HttpResponse:
    """Name search for manual check-in (the htmx partial of the dashboard's search box)."""
    return _search_results(request, event, request.GET.get("q", ""))


@require_POST
@event_page(MANAGE)
def manual_checkin(request: PortalRequest, event: Event, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_access(user=request.user, event=event, ticket_id=ticket_id, permission=MANAGE)
    form = ManualCheckInForm(request.POST, event=event)
    if not form.is_valid():
        messages.error(request, "Choose a gate of this event.")
        return _back(event, "checkin")
    gate = form.cleaned_data["gate"]
    outcome = checkin.checkin_manual(
        actor=request.user,
        event=event,
        ticket=ticket,
        gate=gate,
        kind=form.cleaned_data["kind"],
        override=form.cleaned_data["override"],
    )
    if gate is not None:  # the gate this operator works at: offered first next time
        request.session[_last_gate_key(event)] = gate.pk
    if outcome.ok:
        text = _("%(name)s checked in.") if form.cleaned_data["kind"] == "entry" else _("%(name)s checked out.")
        notice = ("success", text % {"name": ticket.attendee_name})
    else:
        notice = ("error", f"{ticket.attendee_name}: {outcome.as_dict()['detail']}")
        if outcome.result == ScanResult.NOT_YET_VALID:
            notice = ("error", notice[1] + " " + _("Tick “admit early” to let them in anyway."))
    query = request.POST.get("q") or ticket.attendee_name
    if request.htmx:
        return _search_results(request, event, query, notice=notice)
    getattr(messages, notice[0])(request, notice[1])
    return redirect(f"{_dashboard_url(event)}?{urlencode({'q': query})}")


def _dashboard_url(event: Event) -> str:
    return reverse("ticketing:checkin", kwargs={"organization": event.organization.slug, "event": event.slug})


def _last_gate_key(event: Event) -> str:
    return f"ticketing:last_gate:{event.pk}"


def _search_results(
    request: HttpRequest, event: Event, query: str, notice: tuple[str, str] | None = None
) -> HttpResponse:
    return render(request, "ticketing/checkin_search.html", _search_context(request, event, query, notice))


def _search_context(request: HttpRequest, event: Event, query: str, notice: tuple[str, str] | None = None) -> dict:
    """Search results for manual check-in; each ticket names the gate to preselect: the
    operator's last gate if it admits the ticket, else the first that does."""
    gates = list(selectors.gates_of_event(event=event))
    results = selectors.ticket_search(event=event, query=query)
    last = request.session.get(_last_gate_key(event))
    for ticket in results:
        gate = selectors.gate_for_ticket_type(
            gates=gates, ticket_type_id=ticket.order_position.ticket_type_id, preferred_id=last
        )
        ticket.preselected_gate = gate.pk if gate else None  # type: ignore[attr-defined]  # for the template
    return {
        "query": query,
        "results": results,
        "gates": gates,
        "can_manage": request.user.has_perm(MANAGE, event),
        "notice": notice,
    }


@require_POST
@event_page(MANAGE)
def ticket_revoke_view(request: PortalRequest, event: Event, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_access(user=request.user, event=event, ticket_id=ticket_id, permission=MANAGE)
    ticket_revoke(actor=request.user, ticket=ticket, event=event)
    messages.success(request, f"Ticket of {ticket.attendee_name} revoked.")
    return redirect(f"{_dashboard_url(event)}?{urlencode({'q': ticket.attendee_name})}")


@require_POST
@event_page(MANAGE)
def ticket_reissue_view(request: PortalRequest, event: Event, ticket_id: int) -> HttpResponse:
    ticket = selectors.ticket_access(user=request.user, event=event, ticket_id=ticket_id, permission=MANAGE)
    ticket_reissue(actor=request.user, ticket=ticket, event=event)
    messages.success(request, f"Ticket of {ticket.attendee_name} reissued: its old QR code no longer admits.")
    return redirect(f"{_dashboard_url(event)}?{urlencode({'q': ticket.attendee_name})}")


# --- gates ------------------------------------------------------------------------------------


@event_page(VIEW)
def gates(request: PortalRequest, event: Event) -> HttpResponse:
    form = GateForm(request.POST or None, event=event)
    if request.method == "POST":
        if not request.user.has_perm(MANAGE, event):
            raise Http404
        if form.is_valid():
            try:
                gate = gate_create(actor=request.user, event=event, **form.cleaned_data)
            except errors.Invalid as error:
                apply_service_errors(form, error)
            else:
                messages.success(request, f"Gate “{gate.name}” added.")
                return _back(event, "checkin-gates")
    return render(
        request,
        "ticketing/checkin_gates.html",
        _context(request, "gates", gates=selectors.gates_of_event(event=event), form=form),
    )


@event_page(MANAGE)
def gate_edit(request: PortalRequest, event: Event, gate_id: int) -> HttpResponse:
    gate = selectors.gate_access(user=request.user, event=event, gate_id=gate_id, permission=MANAGE)
    initial = {"name": gate.name, "ticket_types": list(gate.ticket_types.all())}
    form = GateForm(request.POST or None, event=event, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            gate_update(actor=request.user, gate=gate, event=event, **form.cleaned_data)
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Gate saved.")
            return _back(event, "checkin-gates")
    return render(request, "ticketing/checkin_gate_form.html", _context(request, "gates", gate=gate, form=form))


# --- devices ----------------------------------------------------------------------------------


_TOKEN_KEY = "ticketing:new_device_token"  # noqa: S105  (a session key name)


@event_page(MANAGE)
def devices(request: PortalRequest, event: Event) -> HttpResponse:
    """Register (POST, then redirect) and list scanner devices. The new token travels to the
    next page view in the session and is removed as it is shown, so it appears exactly once —
    a reload shows it no more and registers nothing."""
    form = DeviceForm(request.POST or None, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            device, token = scanner.device_register(actor=request.user, event=event, **form.cleaned_data)
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Scanner “{device.name}” registered. Copy its token now: it is shown once.")
            request.session[_TOKEN_KEY] = {"event": event.pk, "device": device.pk, "token": token}
            return _back(event, "checkin-devices")
    shown = request.session.pop(_TOKEN_KEY, None)
    token = shown["token"] if shown and shown.get("event") == event.pk else None  # type: ignore[assignment]  # reused: the one to show, if any
    pairing = (
        scanner.device_pairing_payload(server=request.build_absolute_uri("/"), event=event, token=token)
        if token
        else ""
    )
    response = render(
        request,
        "ticketing/checkin_devices.html",
        _context(
            request,
            "devices",
            devices=selectors.devices_of_event(event=event),
            form=form,
            token=token,
            pairing_payload=pairing,
            pairing_qr=_svg_data_url(ticket_qr_svg(payload=pairing)) if pairing else "",
        ),
    )
    if token:
        response["Cache-Control"] = "no-store"  # the one page that shows the token
    return response


@require_POST
@event_page(MANAGE)
def device_revoke(request: PortalRequest, event: Event, device_id: int) -> HttpResponse:
    device = selectors.device_access(user=request.user, event=event, device_id=device_id, permission=MANAGE)
    scanner.device_revoke(actor=request.user, device=device, event=event)
    messages.success(request, f"Scanner “{device.name}” revoked: its token no longer works.")
    return _back(event, "checkin-devices")


def _svg_data_url(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


# --- scan log and attendee list -----------------------------------------------------------------


@event_page(VIEW)
def scan_log(request: PortalRequest, event: Event) -> HttpResponse:
    """Every scan stored, searchable and filterable by answer and gate (paginated)."""
    form = ScanLogFilterForm(request.GET or None, event=event)
    data = form.cleaned_data if form.is_valid() else {}
    logs = selectors.scan_log(
        event=event,
        query=data.get("q") or "",
        result=data.get("result") or "",
        gate_id=data["gate"].pk if data.get("gate") else None,
    )
    page = Paginator(logs, 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ticketing/checkin_log.html",
        _context(request, "log", form=form, page=page, querystring=query.urlencode()),
    )


@event_page(VIEW)
def attendee_list(request: PortalRequest, event: Event) -> HttpResponse:
    """The printable list of valid tickets by name (a fallback for the door)."""
    form = AttendeeListForm(request.GET or None, event=event)
    ticket_type = form.cleaned_data.get("ticket_type") if form.is_valid() else None
    tickets = selectors.attendee_list(event=event, ticket_type_id=ticket_type.pk if ticket_type else None)
    return render(
        request,
        "ticketing/checkin_attendees.html",
        _context(request, "attendees", form=form, tickets=tickets, ticket_type=ticket_type),
    )


# --- settings ---------------------------------------------------------------------------------


@event_page(MANAGE)
def settings_view(request: PortalRequest, event: Event) -> HttpResponse:
    config = checkin.checkin_config_get_or_create(event=event)
    form = CheckInConfigForm(request.POST or None, instance=config, event=event)
    if request.method == "POST" and form.is_valid():
        try:
            checkin.checkin_config_update(actor=request.user, event=event, **form.cleaned_data)
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, "Check-in settings saved.")
            return _back(event, "checkin")
    return render(request, "ticketing/checkin_settings.html", _context(request, "settings", form=form))
