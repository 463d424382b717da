"""Portal pages for the catalogue and orders (Django test client; the browser test covers the
main path in chromium)."""

from decimal import Decimal

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from eventhub.models import AuditLogEntry
from eventhub.testing.factories import MemberFactory
from events.enums import MemberRole
from ticketing.models import Quota, TicketType, Voucher

pytestmark = pytest.mark.django_db


def _portal(user) -> Client:
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _base(shop) -> str:
    return f"/portal/{shop.event.organization.slug}/events/{shop.event.slug}/tickets/"


TICKET_TYPE = {
    "name": "Student",
    "description": "",
    "price": "12.50",
    "currency": "EUR",
    "min_per_order": "1",
    "max_per_order": "4",
    "participant_kind": "attendee",
    "active": "on",
    "position": "3",
}


def test_ticket_type_create_saves_and_audits(shop, page_settings):
    response = _portal(shop.owner).post(_base(shop) + "types/new", TICKET_TYPE)

    assert response.status_code == 302
    with scopes_disabled():
        created = TicketType.objects.get(event=shop.event, name="Student")
        assert (created.price, created.currency, created.max_per_order) == (Decimal("12.50"), "EUR", 4)
        assert AuditLogEntry.objects.filter(action="ticket_type.created", object_id=str(created.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"name": "Regular"}, "name", "Another ticket type of this event has this name."),
        ({"currency": "DOL"}, "currency", "Select a valid choice. DOL is not one of the available choices."),
        ({"min_per_order": "5", "max_per_order": "2"}, None, "The maximum per order must be at least the minimum"),
        ({"price": "-1"}, "price", "greater than or equal to 0"),
    ],
)
def test_ticket_type_form_errors_change_nothing(shop, page_settings, change, field, message):
    with scopes_disabled():
        before = TicketType.objects.count()

    response = _portal(shop.owner).post(_base(shop) + "types/new", {**TICKET_TYPE, **change})

    assert response.status_code == 200
    assert message in response.content.decode()
    with scopes_disabled():
        assert TicketType.objects.count() == before


def test_quota_and_voucher_create(shop, page_settings):
    client = _portal(shop.owner)

    quota = client.post(_base(shop) + "quotas/new", {"name": "Balcony", "size": "20", "ticket_types": [shop.paid.pk]})
    voucher = client.post(
        _base(shop) + "vouchers/new",
        {"code": "EARLY", "discount_kind": "percent", "value": "20", "max_usages": "10", "ticket_type": shop.paid.pk},
    )

    assert (quota.status_code, voucher.status_code) == (302, 302)
    with scopes_disabled():
        assert list(Quota.objects.get(name="Balcony").ticket_types.all()) == [shop.paid]
        assert Voucher.objects.get(code="EARLY").ticket_type == shop.paid


def test_catalogue_pages_render_for_analyst_but_writes_are_404(shop, page_settings):
    analyst = MemberFactory(organization=shop.event.organization, role=MemberRole.ANALYST).user
    client = _portal(analyst)

    pages = [client.get(_base(shop) + path).status_code for path in ("", "types/", "quotas/", "vouchers/", "orders/")]
    write = client.post(_base(shop) + "types/new", TICKET_TYPE)

    assert pages == [200, 200, 200, 200, 200]
    assert write.status_code == 404
    with scopes_disabled():
        assert not TicketType.objects.filter(name="Student").exists()
