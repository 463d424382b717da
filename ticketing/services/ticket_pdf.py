"""PDF tickets (fpdf2): one A4 page per valid ticket of an order, with the event, the attendee,
the ticket type, the order code and the ticket's signed QR code — the same payload the app
shows and the scanners check. Text uses the PDF core font (Latin-1); other characters print
as "?" (the QR code carries the ticket, not the name)."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from ..models import Order, Ticket
from .tickets import ticket_payload, ticket_qr_png


def _latin1(text: str) -> str:
    return text.encode("latin-1", "replace").decode("latin-1")


def order_tickets_pdf(*, order: Order) -> bytes:
    """The order's valid (not revoked) tickets as one PDF; a page saying so when it has none."""
    event = order.event
    tickets = list(
        Ticket.objects.filter(order_position__order=order, revoked=False)
        .select_related("order_position__ticket_type")
        .order_by("order_position__position", "pk")
    )
    pdf = FPDF(format="A4")
    pdf.set_title(_latin1(_("Tickets of order %(code)s") % {"code": order.code}))
    pdf.set_subject(_latin1(f"{event.name} {order.code}"))
    pdf.set_author("EventHub")
    pdf.set_creation_date(timezone.now())
    if not tickets:
        pdf.add_page()
        pdf.set_font("Helvetica", size=14)
        pdf.multi_cell(0, 8, _latin1(_("Order %(code)s has no valid tickets.") % {"code": order.code}))
    start = timezone.localtime(event.start, event.tz)
    for ticket in tickets:
        position = ticket.order_position
        pdf.add_page()
        pdf.set_font("Helvetica", style="B", size=22)
        pdf.multi_cell(0, 11, _latin1(event.name), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 7, _latin1(f"{start:%d %b %Y, %H:%M} ({event.timezone})"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.set_font("Helvetica", style="B", size=16)
        pdf.multi_cell(0, 9, _latin1(ticket.attendee_name), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=12)
        pdf.multi_cell(0, 7, _latin1(position.ticket_type.name), new_x="LMARGIN", new_y="NEXT")
        pdf.multi_cell(
            0,
            7,
            _latin1(_("Order %(code)s · ticket #%(id)s") % {"code": order.code, "id": ticket.pk}),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        qr = io.BytesIO(ticket_qr_png(payload=ticket_payload(ticket=ticket), box_size=10))
        pdf.image(qr, x=55, y=pdf.get_y() + 10, w=100, h=100)
        pdf.set_xy(pdf.l_margin, pdf.get_y() + 118)
        pdf.set_font("Helvetica", size=10)
        pdf.multi_cell(
            0,
            6,
            _latin1(_("Show this code at the entrance. It admits once; a reissued ticket replaces it.")),
            align="C",
        )
    return bytes(pdf.output())
