"""The web shop's pages. The cart is the session's (``shop.cart.<event_id>``: ticket type id ->
quantity), so a visitor can fill it before signing in; the checkout needs an account, places
the order with ``order_create`` (free orders are confirmed at once) and sends a paid order to
the Stripe Checkout Session of ``checkout_session_for_order``, which returns the buyer to the
order page. The limits of the API's order creation (``ticketing/ratelimits.py``) count here too.
These pages carry a CSRF token and the visitor's cart: never cached by shared caches."""

import logging
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from eventhub import errors
from eventhub.portal import apply_service_errors
from events.models import Event
from events.selectors.organizations import event_access
from events.selectors.public import public_event_access

from .. import ratelimits
from ..enums import MANUAL_PROVIDERS, OrderStatus
from ..models import Order, Payment
from ..selectors import payments as payment_selectors
from ..selectors import sales as selectors
from ..services.orders import PositionInput, order_create
from ..services.payments import checkout_session_for_order
from .forms import CartForm, CheckoutForm
from .sections import ticket_offers

logger = logging.getLogger(__name__)

APP_TICKETS = "/app/#/e/{event_id}/tickets"


def _cart_key(event_id: int) -> str:
    return f"shop.cart.{event_id}"


def _cart(request: HttpRequest, event: Event, offers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The cart's lines that are still on sale, one per ticket, in the shop's order."""
    stored = request.session.get(_cart_key(event.pk)) or {}
    lines: list[dict[str, Any]] = []
    for offer in offers:
        ticket_type = offer["ticket_type"]
        count = stored.get(str(ticket_type.pk), 0)
        for _n in range(count if isinstance(count, int) else 0):
            lines.append({"index": len(lines), "ticket_type": ticket_type})
    return lines


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def tickets(request: HttpRequest, event_id: int) -> HttpResponse:
    """The shop: the ticket types on sale with their prices and what is left; choosing
    quantities fills the cart."""
    event = public_event_access(event_id=event_id)
    offers = ticket_offers(event=event)
    form = CartForm(request.POST if request.method == "POST" else None, offers=offers)
    if request.method == "POST" and form.is_valid():
        request.session[_cart_key(event.pk)] = {str(pk): count for pk, count in form.quantities().items()}
        return redirect("shop:checkout", event_id=event.pk)
    rows = [{**offer, "field": form[f"quantity_{offer['ticket_type'].pk}"]} for offer in offers]
    return render(request, "ticketing/public/shop.html", {"event": event, "form": form, "rows": rows})


def _initial(request: HttpRequest, lines: list[dict[str, Any]]) -> dict[str, str]:
    user: Any = request.user
    initial = {"email": user.email}
    if lines:  # the first ticket is usually the buyer's own
        initial.update({"name_0": user.get_full_name(), "email_0": user.email})
    return initial


def _place_order(request: HttpRequest, event: Event, form: CheckoutForm) -> Order | None:
    """The order, or None with the refusal shown on the form."""
    data = form.cleaned_data
    positions = [
        PositionInput(
            ticket_type_id=line["ticket_type"].pk,
            attendee_name=data[f"name_{line['index']}"],
            attendee_email=data[f"email_{line['index']}"],
        )
        for line in form.lines
    ]
    voucher = data.get("voucher", "")
    try:
        ratelimits.consume(request, "order")
        if voucher.strip():
            ratelimits.check(request, "voucher_failed")
        user: Any = request.user
        return order_create(event=event, user=user, email=data["email"], positions=positions, voucher_code=voucher)
    except errors.Invalid as error:
        if error.code == "invalid_voucher":
            ratelimits.count_failure(request, "voucher_failed")
        apply_service_errors(form, error)
    except (errors.Conflict, errors.RateLimited, errors.Unavailable) as error:
        form.add_error(None, error.detail)
    return None


def _order_url(request: HttpRequest, order: Order, **query: str) -> str:
    url = request.build_absolute_uri(
        reverse("shop:order", kwargs={"event_id": order.event_id, "order_code": order.code})
    )
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _pay(request: HttpRequest, order: Order) -> HttpResponse:
    """Off to Stripe's checkout page; back to the order page if Stripe cannot be reached. An
    order paid by a manual method (bank transfer, at the door) goes to its order page with the
    instructions (the account and the order code as reference)."""
    manual = Payment.objects.filter(order=order, provider__in=MANUAL_PROVIDERS).first()
    if manual is not None:
        messages.info(request, payment_selectors.payment_instructions(order=order, provider=manual.provider))
        return redirect("shop:order", event_id=order.event_id, order_code=order.code)
    try:
        _, url = checkout_session_for_order(
            order=order,
            success_url=_order_url(request, order, result="paid"),
            cancel_url=_order_url(request, order, result="cancelled"),
        )
    except errors.DomainError as error:
        logger.warning("Checkout Session for order %s failed: %s", order.code, error.__cause__ or error)
        messages.error(request, _("The payment provider is not reachable right now; try again in a moment."))
        return redirect("shop:order", event_id=order.event_id, order_code=order.code)
    return HttpResponseRedirect(url)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def checkout(request: HttpRequest, event_id: int) -> HttpResponse:
    """Who each ticket in the cart is for, then the order: free tickets are confirmed at once,
    paid ones go on to Stripe's checkout."""
    event = public_event_access(event_id=event_id)
    lines = _cart(request, event, ticket_offers(event=event))
    form = CheckoutForm(
        request.POST if request.method == "POST" else None, lines=lines, initial=_initial(request, lines)
    )
    if request.method == "POST" and lines and form.is_valid():
        order = _place_order(request, event, form)
        if order is not None:
            request.session.pop(_cart_key(event.pk), None)
            if order.status == OrderStatus.PAID:
                messages.success(request, _("Your tickets are confirmed."))
                return redirect("shop:order", event_id=event.pk, order_code=order.code)
            return _pay(request, order)
    total = sum((line["ticket_type"].price for line in lines), start=0)
    context = {
        "event": event,
        "form": form,
        "lines": form.bound_lines(),
        "total": total,
        "currency": lines[0]["ticket_type"].currency if lines else "",
    }
    return render(request, "ticketing/public/checkout.html", context)


def _buyer_order(request: HttpRequest, event_id: int, order_code: str) -> Order:
    event = event_access(user=request.user, event_id=event_id, permission="events.view_event")
    return selectors.order_access(user=request.user, event=event, code=order_code, permission=None)


@never_cache
@login_required
@require_http_methods(["GET", "HEAD"])
def order(request: HttpRequest, event_id: int, order_code: str) -> HttpResponse:
    """The buyer's order: its status, and its tickets once paid (with the way to the app, where
    the QR codes are). Back from Stripe, a payment the webhook has not confirmed yet shows as
    being confirmed, and the page refreshes itself (no JavaScript needed)."""
    placed = _buyer_order(request, event_id, order_code)
    context = {
        "event": placed.event,
        "order": placed,
        "positions": list(placed.positions.all()),
        "confirming": placed.status == OrderStatus.PENDING and request.GET.get("result") == "paid",
        "cancelled_payment": placed.status == OrderStatus.PENDING and request.GET.get("result") == "cancelled",
        "pending": placed.status == OrderStatus.PENDING,
        "app_url": APP_TICKETS.format(event_id=placed.event_id),
    }
    return render(request, "ticketing/public/order.html", context)


@login_required
@require_POST
def order_pay(request: HttpRequest, event_id: int, order_code: str) -> HttpResponse:
    """Pay a pending order (again): a new Checkout Session."""
    placed = _buyer_order(request, event_id, order_code)
    if placed.status != OrderStatus.PENDING:
        return redirect("shop:order", event_id=placed.event_id, order_code=placed.code)
    return _pay(request, placed)
