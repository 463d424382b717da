"""Private calendar feeds (reads): a user's active feed, and the feed a bearer token names."""

from accounts.models import User
from eventhub import errors

from ..models import CalendarFeed, Event
from ..tenancy import event_id_for_link_token, event_scope


def calendar_feed_active(*, user: User, event: Event) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, event=event, revoked_at__isnull=True).order_by("-id").first()


def calendar_feed_access(*, user: User, event: Event) -> CalendarFeed:
    """The user's active feed for the event (``errors.NotFound`` if they have none)."""
    feed = calendar_feed_active(user=user, event=event)
    if feed is None:
        raise errors.NotFound()
    return feed


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The unrevoked feed a token names, with its user and event, or None. Runs outside a tenant
    scope (the URL names only the token) and enters the feed's event scope itself."""
    event_id = event_id_for_link_token(CalendarFeed, token)
    if event_id is None:
        return None
    with event_scope(event_id):
        return (
            CalendarFeed.objects.filter(token=token, revoked_at__isnull=True)
            .select_related("user", "event", "event__organization")
            .first()
        )
