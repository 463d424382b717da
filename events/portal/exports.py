"""The event's exports page (``…/exports/``) and the agenda's downloads: the published agenda as
JSON, iCalendar and frab-compatible XML (any member of the organization: it is what attendees
see), and the speakers as CSV or XLSX (editors: the draft's profiles, with linked accounts).
The ticketing downloads (orders, attendees, check-ins) are ``ticketing/portal/exports.py``;
this page links them for whoever holds their permission."""

import json

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from eventhub.exports import table_response

from ..ical import agenda_calendar
from ..models import Event
from ..selectors.exports import SPEAKER_COLUMNS, agenda_frab_xml, agenda_json, agenda_sessions, speakers_rows
from .access import PortalRequest, event_page
from .pages import EDIT, agenda_page

# The export permissions of ticketing's tables, for the page's links (ticketing/portal/exports.py).
TICKETING_EXPORTS = [
    ("orders", "ticketing.view_sales"),
    ("attendees", "ticketing.view_sales"),
    ("checkins", "ticketing.view_checkin"),
]


def _download(body: bytes, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@event_page()
def exports(request: PortalRequest, event: Event) -> HttpResponse:
    allowed = {name for name, permission in TICKETING_EXPORTS if request.user.has_perm(permission, event)}
    return agenda_page(
        request,
        "io/exports.html",
        {"can_export_speakers": request.user.has_perm(EDIT, event), "ticketing_exports": allowed},
        tab="exports",
    )


@require_GET
@event_page()
def agenda_export_json(request: PortalRequest, event: Event) -> HttpResponse:
    body = json.dumps(agenda_json(event=event), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    return _download(body.encode(), content_type="application/json", filename=f"{event.slug}-agenda.json")


@require_GET
@event_page()
def agenda_export_ics(request: PortalRequest, event: Event) -> HttpResponse:
    body = agenda_calendar(event=event, sessions=agenda_sessions(event=event), name=event.name)
    return _download(body, content_type="text/calendar; charset=utf-8", filename=f"{event.slug}-agenda.ics")


@require_GET
@event_page()
def agenda_export_frab(request: PortalRequest, event: Event) -> HttpResponse:
    return _download(agenda_frab_xml(event=event), content_type="application/xml", filename="schedule.xml")


@require_GET
@event_page(EDIT)
def speakers_export(request: PortalRequest, event: Event, *, fmt: str) -> StreamingHttpResponse:
    return table_response(
        request,
        fmt=fmt,
        filename=f"{event.slug}-speakers",
        header=SPEAKER_COLUMNS,
        rows=speakers_rows(event=event),
        title="speakers",
    )
