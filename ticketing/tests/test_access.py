"""The ``*_access`` selectors and the services' refusals speak domain errors only: another
event's object, one the user may not reach and a missing id are the same ``NotFound``; a
service never lets a ``DoesNotExist`` or a Django ``ValidationError`` out."""

from decimal import Decimal

import pytest
from django.db import transaction
from django_scopes import scopes_disabled

from eventhub import errors
from eventhub.testing.factories import EventFactory, MemberFactory, UserFactory
from events.enums import MemberRole

from ..enums import OrderStatus
from ..locking import locked_row
from ..models import Order, Ticket, TicketType
from ..selectors import checkin, sales
from ..services.catalogue import ticket_type_update
from ..services.waiting_list import waiting_list_join
from .checkin_helpers import paid_tickets, venue

pytestmark = pytest.mark.django_db


def test_order_access_refuses_other_events_orders_and_strangers_like_a_missing_code(shop):
    with scopes_disabled():
        other = EventFactory()
        foreign = Order.objects.create(event=other, email="x@example.org", status=OrderStatus.PAID)
        mine = Order.objects.create(event=shop.event, user=shop.buyer, email=shop.buyer.email)
        stranger = UserFactory()
        analyst = MemberFactory(organization=shop.event.organization, role=MemberRole.ANALYST).user

        assert (
            sales.order_access(user=shop.owner, event=shop.event, code=mine.code, permission="ticketing.view_sales")
            == mine
        )
        assert sales.order_access(user=shop.buyer, event=shop.event, code=mine.code, permission=None) == mine
        for user, code, permission in [
            (shop.owner, foreign.code, "ticketing.view_sales"),  # another event's order
            (shop.owner, "NOSUCHORDER", "ticketing.view_sales"),  # missing
            (stranger, mine.code, "ticketing.view_sales"),  # no role in the organization
            (analyst, mine.code, "ticketing.refund_order"),  # a role without this permission
            (stranger, mine.code, None),  # not the buyer
        ]:
            with pytest.raises(errors.NotFound) as refused:
                sales.order_access(user=user, event=shop.event, code=code, permission=permission)
            assert (refused.value.code, refused.value.detail) == ("not_found", "Not found.")


def test_ticket_access_for_a_holder_reaches_only_their_own_tickets():
    v = venue(gates=1, devices=0)
    holder, other = UserFactory(), UserFactory()
    (own,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1, user=holder)
    (theirs,) = paid_tickets(event=v.event, ticket_type=v.regular, count=1, user=other)
    with scopes_disabled():
        assert checkin.ticket_access(user=holder, event=v.event, ticket_id=own.pk, permission=None) == own
        with pytest.raises(errors.NotFound):
            checkin.ticket_access(user=holder, event=v.event, ticket_id=theirs.pk, permission=None)
        staff = checkin.ticket_access(
            user=v.operator, event=v.event, ticket_id=theirs.pk, permission="ticketing.manage_checkin"
        )
        assert staff == theirs
        with pytest.raises(errors.NotFound):
            checkin.gate_access(
                user=holder, event=v.event, gate_id=v.gates[0].pk, permission="ticketing.manage_checkin"
            )


def test_locked_row_of_a_row_gone_meanwhile_is_not_found():
    with scopes_disabled(), transaction.atomic(), pytest.raises(errors.NotFound):
        locked_row(Ticket.objects.all(), pk=987654321)


def test_catalogue_refusals_are_invalid_with_their_field(shop):
    with scopes_disabled():
        with pytest.raises(errors.Invalid) as taken:
            ticket_type_update(actor=shop.owner, ticket_type=shop.free, name="Regular")
        with pytest.raises(errors.Invalid) as negative:
            ticket_type_update(actor=shop.owner, ticket_type=shop.free, price=Decimal("-1"))
        with pytest.raises(errors.PermissionDenied):
            ticket_type_update(actor=shop.buyer, ticket_type=shop.free, name="Mine")
        assert TicketType.objects.get(pk=shop.free.pk).name == "Community"
    assert taken.value.fields == {"name": ["Another ticket type of this event has this name."]}
    assert list(negative.value.fields) == ["price"]


def test_waiting_list_join_while_tickets_are_left_is_a_conflict(shop):
    with scopes_disabled(), pytest.raises(errors.Conflict) as refused:
        waiting_list_join(ticket_type=shop.paid, user=shop.buyer, email=shop.buyer.email)
    assert (refused.value.code, refused.value.detail) == (
        "not_sold_out",
        "Tickets are still available: buy one instead.",
    )
