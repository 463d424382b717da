"""Organizer pages for ticketing: catalogue (ticket types, quotas, vouchers), the sales
overview, order search and order detail with refunds. Every page resolves its event through
``event_page``; objects are looked up within that event, so another tenant's id is a 404."""

from typing import Any

from django.db.models import Model
from django.forms import Form
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from eventhub.portal import ServiceFormView
from events.models import Event
from events.portal.access import PortalRequest, event_page
from events.portal.organizations import golive_warnings

from ..selectors import payments as payment_selectors
from ..selectors import sales as selectors
from ..services import catalogue
from .forms import QuotaForm, TicketTypeForm, VoucherForm

VIEW = "ticketing.view_sales"
MANAGE = "ticketing.manage_catalogue"
REFUND = "ticketing.refund_order"
PAYMENTS = "ticketing.manage_payments"


def _context(request: PortalRequest, tab: str, **extra) -> dict:
    """What every Tickets tab shows: the tab bar, and the warning that paid ticket types
    cannot be sold while the organization has no payment method."""
    event = request.event
    return {
        "tab": tab,
        "can_manage": request.user.has_perm(MANAGE, event),
        "can_refund": request.user.has_perm(REFUND, event),
        "can_configure_payments": request.user.has_perm(PAYMENTS, request.organization),
        "payments_missing": payment_selectors.payments_missing(event=event),
        **extra,
    }


def _url_kwargs(event: Event) -> dict[str, Any]:  # Any: redirect() also takes keyword flags
    return {"organization": event.organization.slug, "event": event.slug}


@event_page(VIEW)
def sales(request: PortalRequest, event: Event) -> HttpResponse:
    overview = selectors.sales_overview(event=event)
    warnings = golive_warnings(event, areas=("tickets", "checkin"))
    return render(request, "ticketing/sales.html", _context(request, "sales", overview=overview, golive=warnings))


@event_page(VIEW)
def ticket_types(request: PortalRequest, event: Event) -> HttpResponse:
    types = list(selectors.ticket_types_of_event(event=event))
    availability = selectors.ticket_type_availability(ticket_types=types)
    rows = [(t, availability[t.pk]) for t in types]
    return render(request, "ticketing/ticket_types.html", _context(request, "types", rows=rows))


@event_page(VIEW)
def quotas(request: PortalRequest, event: Event) -> HttpResponse:
    overview = selectors.sales_overview(event=event)
    return render(request, "ticketing/quotas.html", _context(request, "quotas", overview=overview))


@event_page(VIEW)
def vouchers(request: PortalRequest, event: Event) -> HttpResponse:
    return render(
        request,
        "ticketing/vouchers.html",
        _context(request, "vouchers", vouchers=selectors.vouchers_of_event(event=event)),
    )


class CatalogueFormView(ServiceFormView):
    """Create (no id in the URL) or edit one catalogue object through its services."""

    request: PortalRequest
    template_name = "ticketing/edit.html"
    noun: str
    tab: str
    list_url: str
    id_kwarg: str
    extra_fields: tuple[str, ...] = ()

    def setup(self, event: Event, **kwargs: int) -> None:
        self.event = event
        object_id = kwargs.get(self.id_kwarg)
        self.instance = None if object_id is None else self.get_instance(object_id)

    def get_instance(self, object_id: int) -> Model:
        raise NotImplementedError

    def create(self, **values: Any) -> Model:
        raise NotImplementedError

    def update(self, instance: Any, **values: Any) -> Model:
        raise NotImplementedError

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"instance": self.instance, "event": self.event}

    def save(self, form: Any) -> Model:
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        values.update({name: list(form.cleaned_data[name]) for name in self.extra_fields})
        if self.instance is None:
            return self.create(actor=self.request.user, event=self.event, **values)
        return self.update(self.instance, actor=self.request.user, **values)

    def success_message(self, result: Model) -> str:
        return _("%(noun)s “%(name)s” saved.") % {"noun": self.noun, "name": result}

    def success_url(self, result: Model) -> str:
        return reverse(self.list_url, kwargs=_url_kwargs(self.event))

    def get_context(self, form: Form) -> dict[str, Any]:
        editing = self.instance is not None
        return _context(self.request, self.tab, form=form, editing=editing, noun=self.noun, list_url=self.list_url)


class TicketTypeFormView(CatalogueFormView):
    form_class = TicketTypeForm
    noun, tab, list_url, id_kwarg = "Ticket type", "types", "ticketing:ticket-types", "ticket_type_id"

    def get_instance(self, object_id: int) -> Model:
        return selectors.ticket_type_access(
            user=self.request.user, event=self.event, ticket_type_id=object_id, permission=MANAGE
        )

    def create(self, **values: Any) -> Model:
        return catalogue.ticket_type_create(**values)

    def update(self, instance: Any, **values: Any) -> Model:
        return catalogue.ticket_type_update(ticket_type=instance, **values)


class QuotaFormView(CatalogueFormView):
    form_class = QuotaForm
    noun, tab, list_url, id_kwarg = "Quota", "quotas", "ticketing:quotas", "quota_id"
    extra_fields = ("ticket_types",)

    def get_instance(self, object_id: int) -> Model:
        return selectors.quota_access(user=self.request.user, event=self.event, quota_id=object_id, permission=MANAGE)

    def create(self, **values: Any) -> Model:
        return catalogue.quota_create(**values)

    def update(self, instance: Any, **values: Any) -> Model:
        return catalogue.quota_update(quota=instance, **values)


class VoucherFormView(CatalogueFormView):
    form_class = VoucherForm
    noun, tab, list_url, id_kwarg = "Voucher", "vouchers", "ticketing:vouchers", "voucher_id"

    def get_instance(self, object_id: int) -> Model:
        return selectors.voucher_access(
            user=self.request.user, event=self.event, voucher_id=object_id, permission=MANAGE
        )

    def create(self, **values: Any) -> Model:
        return catalogue.voucher_create(**values)

    def update(self, instance: Any, **values: Any) -> Model:
        return catalogue.voucher_update(voucher=instance, **values)


# One view per model serves its "new" and its "edit" URL (the edit URL carries the id).
ticket_type_form = event_page(MANAGE)(TicketTypeFormView.as_view())
quota_form = event_page(MANAGE)(QuotaFormView.as_view())
voucher_form = event_page(MANAGE)(VoucherFormView.as_view())
