"""Private calendar feeds: a revocable bearer URL serving one user's personal agenda of one event
as iCalendar (``api/calendar.py``). The writes; the reads are ``selectors/calendar.py``."""

from django.db import transaction
from django.utils import timezone

from accounts.models import User

from ..models import CalendarFeed, Event
from ..selectors.calendar import calendar_feed_active


@transaction.atomic
def calendar_feed_get_or_create(*, user: User, event: Event) -> tuple[CalendarFeed, bool]:
    """The user's active feed for the event, created if there is none. The caller has checked that
    the user may see the event. Locking: the user's row, until commit, so that two concurrent
    requests cannot both create a feed."""
    User.objects.select_for_update().filter(pk=user.pk).values_list("pk").first()
    feed = calendar_feed_active(user=user, event=event)
    if feed is not None:
        return feed, False
    return CalendarFeed.objects.create(user=user, event=event), True


@transaction.atomic
def calendar_feed_revoke(*, user: User, event: Event) -> int:
    """Revoke the user's feeds for the event (their URLs answer 404 from now on); the number
    revoked. Revoking nothing is not an error, so a retried revoke answers the same."""
    return CalendarFeed.objects.filter(user=user, event=event, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
