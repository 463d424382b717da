"""Permission predicates for ticket sales (catalogue, orders, refunds, buying), asked by the
portal and the API. Call them inside the tenant scope; ``obj`` is the event."""

import rules

from events.enums import EventStatus, MemberRole
from events.rules import can_view_event, member_role

SALES_READERS = (MemberRole.OWNER, MemberRole.ADMIN, MemberRole.EDITOR, MemberRole.ANALYST, MemberRole.OPERATOR)
SALES_MANAGERS = (MemberRole.OWNER, MemberRole.ADMIN)


@rules.predicate
def can_read_sales(user, event) -> bool:
    return member_role(user, event) in SALES_READERS


@rules.predicate
def can_manage_sales(user, event) -> bool:
    """Catalogue, prices, vouchers and refunds: money matters are for owners and admins."""
    return member_role(user, event) in SALES_MANAGERS


@rules.predicate
def is_on_sale(user, event) -> bool:
    return event is not None and event.status in (EventStatus.PUBLISHED, EventStatus.LIVE)


rules.add_perm("ticketing.view_sales", can_read_sales)
rules.add_perm("ticketing.manage_catalogue", can_manage_sales)
rules.add_perm("ticketing.refund_order", can_manage_sales)
rules.add_perm("ticketing.buy", rules.is_authenticated & can_view_event & is_on_sale)
rules.add_perm("ticketing.manage_payments", can_manage_sales)  # obj: the organization
