"""The ticketing downloads (linked from the event's exports page, ``events/portal/exports.py``):
orders and attendees/tickets for readers of sales (``ticketing.view_sales``: they hold buyers'
personal data), check-ins for readers of check-in (``ticketing.view_checkin``); CSV or XLSX,
streamed in bounded memory (``eventhub/exports.py``)."""

from django.http import StreamingHttpResponse
from django.views.decorators.http import require_GET

from eventhub.exports import table_response
from events.models import Event
from events.portal.access import PortalRequest, event_page

from ..selectors.exports import Table, checkins_table, orders_table, tickets_table


def _respond(request: PortalRequest, event: Event, table: Table, fmt: str) -> StreamingHttpResponse:
    return table_response(
        request, fmt=fmt, filename=f"{event.slug}-{table.name}", header=table.header, rows=table.rows, title=table.name
    )


@require_GET
@event_page("ticketing.view_sales")
def orders_export(request: PortalRequest, event: Event, *, fmt: str) -> StreamingHttpResponse:
    return _respond(request, event, orders_table(event=event), fmt)


@require_GET
@event_page("ticketing.view_sales")
def attendees_export(request: PortalRequest, event: Event, *, fmt: str) -> StreamingHttpResponse:
    return _respond(request, event, tickets_table(event=event), fmt)


@require_GET
@event_page("ticketing.view_checkin")
def checkins_export(request: PortalRequest, event: Event, *, fmt: str) -> StreamingHttpResponse:
    return _respond(request, event, checkins_table(event=event), fmt)
