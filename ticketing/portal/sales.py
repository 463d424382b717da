"""Organizer pages for ticketing: catalogue (ticket types, quotas, vouchers), the sales
overview, order search and order detail with refunds. Every page resolves its event through
``event_page``; objects are looked up within that event, so another tenant's id is a 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Model
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from eventhub import errors
from eventhub.portal import apply_service_errors
from events.models import Event
from events.portal.access import event_page

from ..selectors import sales as selectors
from ..services import catalogue, payments
from .forms import OrderSearchForm, QuotaForm, RefundForm, TicketTypeForm, VoucherForm

VIEW = "ticketing.view_sales"
MANAGE = "ticketing.manage_catalogue"
REFUND = "ticketing.refund_order"


def _context(request: HttpRequest, tab: str, **extra) -> dict:
    event = request.event  # type: ignore[attr-defined]
    return {
        "tab": tab,
        "can_manage": request.user.has_perm(MANAGE, event),
        "can_refund": request.user.has_perm(REFUND, event),
        **extra,
    }


def _url_kwargs(event: Event) -> dict[str, str]:
    return {"organization": event.organization.slug, "event": event.slug}


@event_page(VIEW)
def sales(request: HttpRequest, event: Event) -> HttpResponse:
    overview = selectors.sales_overview(event=event)
    return render(request, "ticketing/sales.html", _context(request, "sales", overview=overview))


@event_page(VIEW)
def ticket_types(request: HttpRequest, event: Event) -> HttpResponse:
    types = list(selectors.ticket_types_of_event(event=event))
    availability = selectors.ticket_type_availability(ticket_types=types)
    rows = [(t, availability[t.pk]) for t in types]
    return render(request, "ticketing/ticket_types.html", _context(request, "types", rows=rows))


@event_page(VIEW)
def quotas(request: HttpRequest, event: Event) -> HttpResponse:
    overview = selectors.sales_overview(event=event)
    return render(request, "ticketing/quotas.html", _context(request, "quotas", overview=overview))


@event_page(VIEW)
def vouchers(request: HttpRequest, event: Event) -> HttpResponse:
    return render(
        request,
        "ticketing/vouchers.html",
        _context(request, "vouchers", vouchers=selectors.vouchers_of_event(event=event)),
    )


def _edit(
    request: HttpRequest,
    event: Event,
    *,
    form_class: type[ModelForm],
    instance: Model | None,
    create,
    update,
    tab: str,
    noun: str,
    list_url: str,
    extra_fields: tuple[str, ...] = (),
) -> HttpResponse:
    form = form_class(request.POST or None, instance=instance, event=event)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        values.update({name: list(form.cleaned_data[name]) for name in extra_fields})
        try:
            if instance is None:
                obj = create(actor=request.user, event=event, **values)
            else:
                obj = update(request.user, instance, values)
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"{noun} “{obj}” saved.")
            return redirect(list_url, **_url_kwargs(event))
    return render(
        request,
        "ticketing/edit.html",
        _context(request, tab, form=form, editing=instance is not None, noun=noun, list_url=list_url),
    )


@event_page(MANAGE)
def ticket_type_create(request: HttpRequest, event: Event) -> HttpResponse:
    return _edit(
        request,
        event,
        form_class=TicketTypeForm,
        instance=None,
        create=catalogue.ticket_type_create,
        update=None,
        tab="types",
        noun="Ticket type",
        list_url="ticketing:ticket-types",
    )


@event_page(MANAGE)
def ticket_type_edit(request: HttpRequest, event: Event, ticket_type_id: int) -> HttpResponse:
    ticket_type = selectors.ticket_type_access(
        user=request.user, event=event, ticket_type_id=ticket_type_id, permission=MANAGE
    )
    return _edit(
        request,
        event,
        form_class=TicketTypeForm,
        instance=ticket_type,
        create=None,
        update=lambda actor, obj, values: catalogue.ticket_type_update(actor=actor, ticket_type=obj, **values),
        tab="types",
        noun="Ticket type",
        list_url="ticketing:ticket-types",
    )


@event_page(MANAGE)
def quota_create(request: HttpRequest, event: Event) -> HttpResponse:
    return _edit(
        request,
        event,
        form_class=QuotaForm,
        instance=None,
        create=catalogue.quota_create,
        update=None,
        tab="quotas",
        noun="Quota",
        list_url="ticketing:quotas",
        extra_fields=("ticket_types",),
    )


@event_page(MANAGE)
def quota_edit(request: HttpRequest, event: Event, quota_id: int) -> HttpResponse:
    quota = selectors.quota_access(user=request.user, event=event, quota_id=quota_id, permission=MANAGE)
    return _edit(
        request,
        event,
        form_class=QuotaForm,
        instance=quota,
        create=None,
        update=lambda actor, obj, values: catalogue.quota_update(actor=actor, quota=obj, **values),
        tab="quotas",
        noun="Quota",
        list_url="ticketing:quotas",
        extra_fields=("ticket_types",),
    )


@event_page(MANAGE)
def voucher_create(request: HttpRequest, event: Event) -> HttpResponse:
    return _edit(
        request,
        event,
        form_class=VoucherForm,
        instance=None,
        create=catalogue.voucher_create,
        update=None,
        tab="vouchers",
        noun="Voucher",
        list_url="ticketing:vouchers",
    )


@event_page(MANAGE)
def voucher_edit(request: HttpRequest, event: Event, voucher_id: int) -> HttpResponse:
    voucher = selectors.voucher_access(user=request.user, event=event, voucher_id=voucher_id, permission=MANAGE)
    return _edit(
        request,
        event,
        form_class=VoucherForm,
        instance=voucher,
        create=None,
        update=lambda actor, obj, values: catalogue.voucher_update(actor=actor, voucher=obj, **values),
        tab="vouchers",
        noun="Voucher",
        list_url="ticketing:vouchers",
    )


@event_page(VIEW)
def orders(request: HttpRequest, event: Event) -> HttpResponse:
    form = OrderSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(selectors.order_search(event=event, query=query), 50).get_page(request.GET.get("page"))
    return render(request, "ticketing/orders.html", _context(request, "orders", form=form, page=page, query=query))


def _order_page(request: HttpRequest, event: Event, order_code: str, refund_form: RefundForm | None = None):
    order = selectors.order_access(user=request.user, event=event, code=order_code, permission=VIEW)
    payments_ = list(order.payments.all())
    refundable = {p.pk: selectors.refundable_amount(payment=p) for p in payments_}
    stripe_paid = [p for p in payments_ if p.provider == "stripe" and refundable[p.pk] > 0 and p.succeeded_at]
    form = refund_form or RefundForm(initial={"amount": refundable[stripe_paid[-1].pk] if stripe_paid else None})
    return render(
        request,
        "ticketing/order.html",
        _context(
            request,
            "orders",
            order=order,
            payments=[(p, refundable[p.pk]) for p in payments_],
            refund_form=form if stripe_paid and order.status in ("paid", "partially_refunded") else None,
        ),
    )


@event_page(VIEW)
def order_detail(request: HttpRequest, event: Event, order_code: str) -> HttpResponse:
    return _order_page(request, event, order_code)


@require_POST
@event_page(REFUND)
def order_refund(request: HttpRequest, event: Event, order_code: str) -> HttpResponse:
    order = selectors.order_access(user=request.user, event=event, code=order_code, permission=REFUND)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            payments.refund_create(
                actor=request.user, order=order, amount=form.cleaned_data["amount"], reason=form.cleaned_data["reason"]
            )
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, f"Refunded {form.cleaned_data['amount']} {order.currency}.")
            return redirect("ticketing:order", order_code=order.code, **_url_kwargs(event))
    return _order_page(request, event, order_code, refund_form=form)
