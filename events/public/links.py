"""Where the public pages link into the attendee app (``/app/``, a PWA with hash routes; its
routes are ``static/app/screens/index.js``: ``#/e/<event>/agenda``, ``…/sessions/<id>``,
``…/speakers/<id>``, ``…/tickets``)."""

from django.urls import reverse

from ..selectors.public import public_page_of_portal_event

APP_ROOT = "/app/"


def app_event_url(event_id: int) -> str:
    return f"{APP_ROOT}#/e/{event_id}/agenda"


def app_session_url(event_id: int, session_id: int) -> str:
    return f"{APP_ROOT}#/e/{event_id}/sessions/{session_id}"


def app_speaker_url(event_id: int, speaker_id: int) -> str:
    return f"{APP_ROOT}#/e/{event_id}/speakers/{speaker_id}"


def public_page_for_portal_address(organization_slug: str, event_slug: str) -> str | None:
    """For the error pages (``eventhub.views.register_public_page_finder``): the public page of
    the event a portal address names, when anyone may see it."""
    event = public_page_of_portal_event(organization_slug=organization_slug, event_slug=event_slug)
    return reverse("public:event", kwargs={"event_id": event.pk}) if event is not None else None
