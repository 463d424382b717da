"""The organization's payment set-up page: Stripe keys (write-only, stored encrypted), test or
live mode, the connection test, and the manual methods. Owners and admins only; for others the
page is a 404 like a missing organization."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from eventhub import errors
from eventhub.portal import apply_service_errors, attempt
from events.models import Organization
from events.portal.access import OrganizationRequest, organization_page

from ..selectors import payments as selectors
from ..services import payment_setup
from .forms import PaymentSettingsForm

PAYMENTS = "ticketing.manage_payments"


@organization_page(PAYMENTS)
def payment_settings(request: OrganizationRequest, organization: Organization) -> HttpResponse:
    config, account = selectors.organization_payment_overview(organization=organization)
    form = PaymentSettingsForm(request.POST or None, instance=config)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            payment_setup.payment_settings_update(actor=request.user, organization=organization, **data)
        except errors.Invalid as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Payment settings saved."))
            return redirect("ticketing:payment-settings", organization=organization.slug)
    return render(
        request,
        "ticketing/payment_settings.html",
        {"form": form, "config": config, "account": account, "organization": organization},
    )


@require_POST
@organization_page(PAYMENTS)
def stripe_test(request: OrganizationRequest, organization: Organization) -> HttpResponse:
    mode, refusal = attempt(lambda: payment_setup.stripe_connection_test(actor=request.user, organization=organization))
    if refusal:
        messages.error(request, _("Connection test failed: %(reason)s") % {"reason": refusal})
    else:
        messages.success(request, _("Stripe answered: the key works (%(mode)s).") % {"mode": mode})
    return redirect("ticketing:payment-settings", organization=organization.slug)
