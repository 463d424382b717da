"""Organizer pages for orders: the filtered list, one order with its timeline, and the order
actions — refund, cancel (with or without refund), mark a manual payment as paid, resend the
confirmation, change an attendee, extend a reservation — and the PDF tickets. Orders are looked
up within the page's event (``order_access``), so another tenant's code is a 404."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.forms import Form
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventhub import errors
from eventhub.portal import apply_service_errors, attempt
from events.models import Event
from events.portal.access import PortalRequest, event_page

from ..enums import MANUAL_PROVIDERS, OrderStatus
from ..models import Order
from ..selectors import orders as order_selectors
from ..selectors import payments as payment_selectors
from ..selectors import sales as selectors
from ..services import order_admin, payments
from ..services.ticket_pdf import order_tickets_pdf
from .forms import AttendeeForm, CancelOrderForm, ExtendReservationForm, OrderFilterForm, RefundForm
from .sales import REFUND, VIEW, _context, _url_kwargs


@event_page(VIEW)
def orders(request: PortalRequest, event: Event) -> HttpResponse:
    form = OrderFilterForm(request.GET or None, event=event)
    data = form.cleaned_data if form.is_valid() else {}
    filters = order_selectors.OrderFilters(
        query=data.get("q") or "",
        status=data.get("status") or "",
        ticket_type_id=data["ticket_type"].pk if data.get("ticket_type") else None,
        provider=data.get("payment") or "",
        created_from=data.get("created_from"),
        created_to=data.get("created_to"),
    )
    page = Paginator(order_selectors.order_list(event=event, filters=filters), 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ticketing/orders.html",
        _context(request, "orders", form=form, page=page, filtered=any(data.values()), querystring=query.urlencode()),
    )


def _order_page(request: PortalRequest, event: Event, order_code: str, **forms: Form) -> HttpResponse:
    order = selectors.order_access(user=request.user, event=event, code=order_code, permission=VIEW)
    payments_ = list(order.payments.all())
    refundable = {p.pk: selectors.refundable_amount(payment=p) for p in payments_}
    paid = [p for p in payments_ if refundable[p.pk] > 0]
    can_refund = request.user.has_perm(REFUND, event)
    is_paid = order.status in (OrderStatus.PAID, OrderStatus.PARTIALLY_REFUNDED)
    manual = next((p for p in payments_ if p.provider in MANUAL_PROVIDERS), None)
    pending = order.status in (OrderStatus.PENDING, OrderStatus.EXPIRED)
    refund_form = forms.get("refund_form") or RefundForm(initial={"amount": refundable[paid[-1].pk] if paid else None})
    extend_form = forms.get("extend_form") or ExtendReservationForm(event=event)
    return render(
        request,
        "ticketing/order.html",
        _context(
            request,
            "orders",
            order=order,
            payments=[(p, refundable[p.pk]) for p in payments_],
            refund_form=refund_form if paid and is_paid and can_refund else None,
            cancel_form=forms.get("cancel_form") or CancelOrderForm(initial={"refund": bool(paid)}, prefix="cancel"),
            can_cancel=can_refund and order.status not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED),
            can_mark_paid=can_refund and pending and manual is not None,
            extend_form=extend_form if can_refund and pending else None,
            can_resend=can_refund and is_paid,
            attendee_forms=[
                (
                    p,
                    forms.get(f"attendee_form_{p.pk}")
                    or AttendeeForm(
                        initial={"attendee_name": p.attendee_name, "attendee_email": p.attendee_email},
                        prefix=f"p{p.pk}",
                    ),
                )
                for p in order.positions.all()
            ]
            if can_refund
            else [],
            instructions=payment_selectors.payment_instructions(order=order, provider=manual.provider)
            if manual
            else "",
            has_tickets=any(getattr(p, "ticket", None) is not None for p in order.positions.all()),
            timeline=order_selectors.order_timeline(order=order),
        ),
    )


def _back(event: Event, order: Order) -> HttpResponse:
    return redirect("ticketing:order", order_code=order.code, **_url_kwargs(event))


def _managed(request: PortalRequest, event: Event, order_code: str) -> Order:
    return selectors.order_access(user=request.user, event=event, code=order_code, permission=REFUND)


@event_page(VIEW)
def order_detail(request: PortalRequest, event: Event, order_code: str) -> HttpResponse:
    return _order_page(request, event, order_code)


@require_POST
@event_page(REFUND)
def order_refund(request: PortalRequest, event: Event, order_code: str) -> HttpResponse:
    order = _managed(request, event, order_code)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            payments.refund_create(
                actor=request.user, order=order, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"]
            )
        except (errors.Invalid, errors.Conflict, errors.Unavailable) as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Refunded %(amount)s %(currency)s.")
                % {"amount": form.cleaned_data["amount"], "currency": order.currency},
            )
            return _back(event, order)
    return _order_page(request, event, order_code, refund_form=form)


@require_POST
@event_page(REFUND)
def order_cancel(request: PortalRequest, event: Event, order_code: str) -> HttpResponse:
    order = _managed(request, event, order_code)
    form = CancelOrderForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            order_admin.order_cancel(
                actor=request.user, order=order, refund=form.cleaned_data["refund"], reason=form.cleaned_data["reason"]
            )
        except (errors.Invalid, errors.Conflict, errors.Unavailable) as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Order %(code)s cancelled.") % {"code": order.code})
            return _back(event, order)
    return _order_page(request, event, order_code, cancel_form=form)


def _action(
    request: PortalRequest, event: Event, order_code: str, call: Callable[[Order], Any], done: str
) -> HttpResponse:
    order = _managed(request, event, order_code)
    _, refusal = attempt(lambda: call(order))
    if refusal:
        messages.error(request, refusal)
    else:
        messages.success(request, done)
    return _back(event, order)


@require_POST
@event_page(REFUND)
def order_mark_paid(request: PortalRequest, event: Event, order_code: str) -> HttpResponse:
    return _action(
        request,
        event,
        order_code,
        lambda order: order_admin.order_mark_paid(actor=request.user, order=order),
        _("Marked as paid: the tickets are issued."),
    )


@require_POST
@event_page(REFUND)
def order_resend(request: PortalRequest, event: Event, order_code: str) -> HttpResponse:
    return _action(
        request,
        event,
        order_code,
        lambda order: order_admin.order_resend_confirmation(actor=request.user, order=order),
        _("The confirmation is on its way again."),
    )


@require_POST
@event_page(REFUND)
def order_extend(request: PortalRequest, event: Event, order_code: str) -> HttpResponse:
    order = _managed(request, event, order_code)
    form = ExtendReservationForm(request.POST, event=event)
    if form.is_valid():
        try:
            order_admin.order_extend(actor=request.user, order=order, until=form.cleaned_data["until"])
        except (errors.Invalid, errors.Conflict) as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Reservation extended."))
            return _back(event, order)
    return _order_page(request, event, order_code, extend_form=form)


@require_POST
@event_page(REFUND)
def position_edit(request: PortalRequest, event: Event, order_code: str, position_id: int) -> HttpResponse:
    order = _managed(request, event, order_code)
    if not any(p.pk == position_id for p in order.positions.all()):  # another order's: as missing
        raise Http404
    form = AttendeeForm(request.POST, prefix=f"p{position_id}")
    if form.is_valid():
        try:
            order_admin.position_update(actor=request.user, order=order, position_id=position_id, **form.cleaned_data)
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Attendee saved."))
            return _back(event, order)
    return _order_page(request, event, order_code, **{f"attendee_form_{position_id}": form})


@event_page(REFUND)
def order_pdf(request: PortalRequest, event: Event, order_code: str) -> HttpResponse:
    """The order's tickets as a PDF, for owners and admins (the QR codes admit: not for every
    reader of the sales figures)."""
    order = _managed(request, event, order_code)
    response = HttpResponse(order_tickets_pdf(order=order), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="tickets-{order.code}.pdf"'
    response["Cache-Control"] = "private, no-store"  # the QR codes admit
    return response
