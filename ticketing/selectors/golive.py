"""Ticketing's part of the go-live checklist (``eventhub.checklist``; registered in
``TicketingConfig.ready``): can attendees get a ticket — and pay for it — and get in?"""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from eventhub.checklist import Check
from events.models import Event

from ..models import CheckInConfig, Gate, ScannerDevice, TicketType
from .payments import payment_methods


def ticketing_checks(event: Event) -> list[Check]:
    prices = list(TicketType.objects.filter(event=event).values_list("price", flat=True))
    paid = sum(1 for price in prices if price > 0)
    gates = Gate.objects.filter(event=event).count()
    devices = ScannerDevice.objects.filter(event=event, revoked_at__isnull=True).count()
    # The organization's own Stripe keys, the environment's, or a manual method (bank transfer,
    # at the door): any of them lets a paid order be taken.
    payable = bool(payment_methods(organization_id=event.organization_id))
    checks = [
        Check(
            key="tickets.types",
            area="tickets",
            title=_("Ticket types on offer"),
            done=bool(prices),
            detail=ngettext("%(count)d ticket type.", "%(count)d ticket types.", len(prices)) % {"count": len(prices)}
            if prices
            else _("Attendees cannot register or buy until there is a ticket type."),
            fix_route="ticketing:ticket-type-create",
            fix_label=_("Add a ticket type"),
        ),
    ]
    if paid:
        checks.append(
            Check(
                key="tickets.payments",
                area="tickets",
                title=_("A payment method for paid tickets"),
                done=payable,
                detail=_("Payments are set up.")
                if payable
                else ngettext(
                    "%(count)d paid ticket type cannot be sold: no payment method is configured.",
                    "%(count)d paid ticket types cannot be sold: no payment method is configured.",
                    paid,
                )
                % {"count": paid},
                fix_route="ticketing:ticket-types",
                fix_label=_("Review ticket types"),
            )
        )
    checks += [
        Check(
            key="checkin.gates",
            area="checkin",
            title=_("A gate for check-in"),
            done=gates > 0,
            detail=ngettext("%(count)d gate.", "%(count)d gates.", gates) % {"count": gates}
            if gates
            else _("Add at least one entrance so staff can check tickets in."),
            fix_route="ticketing:checkin-gates",
            fix_label=_("Add a gate"),
        ),
        Check(
            key="checkin.devices",
            area="checkin",
            title=_("A scanner for the door"),
            done=devices > 0,
            detail=ngettext("%(count)d scanner paired.", "%(count)d scanners paired.", devices) % {"count": devices}
            if devices
            else _("Pair a phone as a scanner, or check people in by name from the portal."),
            fix_route="ticketing:checkin-devices",
            fix_label=_("Pair a scanner"),
            blocking=False,
        ),
        Check(
            key="checkin.settings",
            area="checkin",
            title=_("Check-in settings"),
            done=CheckInConfig.objects.filter(event=event, capacity__isnull=False).exists(),
            detail=_("Set the venue capacity to get occupancy alerts."),
            fix_route="ticketing:checkin-settings",
            fix_label=_("Open check-in settings"),
            blocking=False,
        ),
    ]
    return checks
