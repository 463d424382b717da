"""Public event pages. Each is the same for every visitor — no session, no CSRF token, no
user — so shared caches may keep it for a minute (``Cache-Control: public``) and revalidate it
with the ETag Django's ConditionalGetMiddleware computes. A draft, a private event and a
missing id are the same 404."""

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe

from eventhub.pagesections import event_sections

from ..models import Event
from ..selectors import public as selectors
from ..selectors.organizations import memberships_for_user
from . import links

PUBLIC_MAX_AGE = 60
_JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}

public_page = cache_control(public=True, max_age=PUBLIC_MAX_AGE)


def _json_ld(data: dict[str, Any]) -> SafeString:
    """schema.org data for search engines, escaped so no value can close the script element."""
    text = json.dumps(data, ensure_ascii=False).translate(_JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))  # noqa: S308 (escaped above)


def _meta(request: HttpRequest, event: Event, *, title: str, description: str) -> dict[str, Any]:
    return {
        "title": title,
        "description": Truncator(" ".join(description.split())).chars(200),
        "canonical": request.build_absolute_uri(),
        "indexable": selectors.public_listing_indexable(event=event),
    }


def _event_json_ld(request: HttpRequest, event: Event) -> SafeString:
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": event.name,
        "startDate": event.start.astimezone(event.tz).isoformat(),
        "endDate": event.end.astimezone(event.tz).isoformat(),
        "url": request.build_absolute_uri(reverse("public:event", kwargs={"event_id": event.pk})),
        "organizer": {"@type": "Organization", "name": event.organization.name},
        "eventStatus": "https://schema.org/EventScheduled",
    }
    if event.description:
        data["description"] = Truncator(event.description).chars(500)
    if event.venue_name or event.venue_address:
        data["location"] = {"@type": "Place", "name": event.venue_name, "address": event.venue_address}
    return _json_ld(data)


def _sections(event: Event) -> list[dict[str, Any]]:
    rendered = []
    for section in event_sections():
        context = section.context(event)
        if context is not None:
            rendered.append({"template": section.template, "context": context})
    return rendered


@require_safe
@public_page
def event_page(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.public_event_access(event_id=event_id)
    context = {
        "event": event,
        "meta": _meta(request, event, title=event.name, description=event.description or event.venue_name),
        "json_ld": _event_json_ld(request, event),
        "days": selectors.public_schedule(event=event),
        "speakers": list(selectors.public_speakers(event=event)),
        "sections": _sections(event),
        "app_url": links.app_event_url(event.pk),
    }
    return render(request, "public/event.html", {**context, "cacheable": True})


@require_safe
@public_page
def session_page(request: HttpRequest, event_id: int, session_id: int) -> HttpResponse:
    event = selectors.public_event_access(event_id=event_id)
    session = selectors.public_session_access(event=event, session_id=session_id)
    context = {
        "event": event,
        "session": session,
        "meta": _meta(request, event, title=f"{session.title} · {event.name}", description=session.abstract),
        "app_url": links.app_session_url(event.pk, session.session_id),
    }
    return render(request, "public/session.html", {**context, "cacheable": True})


@require_safe
@public_page
def speaker_page(request: HttpRequest, event_id: int, speaker_id: int) -> HttpResponse:
    event = selectors.public_event_access(event_id=event_id)
    speaker = selectors.public_speaker_access(event=event, speaker_id=speaker_id)
    context = {
        "event": event,
        "speaker": speaker,
        "sessions": list(selectors.public_speaker_sessions(speaker=speaker)),
        "meta": _meta(request, event, title=f"{speaker.name} · {event.name}", description=speaker.bio),
        "app_url": links.app_speaker_url(event.pk, speaker.pk),
    }
    return render(request, "public/speaker.html", {**context, "cacheable": True})


@require_safe
@login_required
def my_events(request: HttpRequest) -> HttpResponse:
    """The attendee's home: their events, each with its public page and its place in the app.
    Organization members land in the portal instead; the link to create one stays here."""
    user: Any = request.user
    events = selectors.attendee_events(user=user)
    context = {
        "entries": [{"event": event, "app_url": links.app_event_url(event.pk)} for event in events],
        "is_member": bool(memberships_for_user(user=user)),
        "app_url": links.APP_ROOT,
    }
    return render(request, "public/my_events.html", context)
