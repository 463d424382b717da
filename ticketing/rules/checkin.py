"""Permission predicates for tickets and check-in (gates, scanner devices, scans, the live
dashboard). Call them inside the tenant scope; ``obj`` is the event."""

import rules

from events.enums import MemberRole
from events.rules import member_role

CHECKIN_OPERATORS = (MemberRole.OWNER, MemberRole.ADMIN, MemberRole.OPERATOR)
CHECKIN_READERS = (*CHECKIN_OPERATORS, MemberRole.ANALYST)


@rules.predicate
def can_operate_checkin(user, event) -> bool:
    """Gates, scanner devices, manual check-in, revoking tickets: operators and above."""
    return member_role(user, event) in CHECKIN_OPERATORS


@rules.predicate
def can_read_checkin(user, event) -> bool:
    return member_role(user, event) in CHECKIN_READERS


rules.add_perm("ticketing.view_checkin", can_read_checkin)
rules.add_perm("ticketing.manage_checkin", can_operate_checkin)
rules.add_perm("ticketing.scan", can_operate_checkin)
