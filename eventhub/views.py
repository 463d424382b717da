"""Error pages: JSON on API paths (never an HTML error page there), branded templates elsewhere
(``templates/404.html``, ``403.html``, ``500.html``) — also with ``DEBUG`` on for everyone but
staff (``eventhub.portal.DomainErrorMiddleware``)."""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.template import loader
from django.templatetags.static import static
from django.views import csrf, defaults

from eventhub.api.errors import JSON_PREFIXES, json_400, json_403, json_404, json_500

# A portal address of an event: an attendee who follows it is pointed to the event's public side.
_EVENT_PATH = re.compile(r"^/portal/(?P<organization>[-\w]+)/events/(?P<event>[-\w]+)/")


# Finds the public page of the event a portal address names (``events`` registers it from its
# ``AppConfig.ready``: this plumbing imports no app); ``None`` for a draft or private event.
PublicPageFinder = Callable[[str, str], str | None]
_public_page_finders: list[PublicPageFinder] = []


def register_public_page_finder(finder: PublicPageFinder) -> None:
    """``finder(organization_slug, event_slug)`` -> the event's public URL, or ``None``."""
    if finder not in _public_page_finders:
        _public_page_finders.append(finder)


def _error_context(request: HttpRequest) -> dict[str, object]:
    match = _EVENT_PATH.match(request.path)
    public_url = None
    if match:
        for finder in _public_page_finders:
            public_url = finder(match["organization"], match["event"])
            if public_url:
                break
    return {"event_path": bool(match), "public_url": public_url}


def branded_not_found(request: HttpRequest) -> HttpResponse:
    return HttpResponse(loader.render_to_string("404.html", _error_context(request), request), status=404)


def branded_forbidden(request: HttpRequest) -> HttpResponse:
    return HttpResponse(loader.render_to_string("403.html", _error_context(request), request), status=403)


def branded_server_error(request: HttpRequest) -> HttpResponse:
    # No request context: the page must render when the database is what failed.
    return HttpResponse(loader.render_to_string("500.html"), status=500)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A malformed request (``SuspiciousOperation``): a foreign ``Host``, a body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413), too many fields."""
    if request.path.startswith(JSON_PREFIXES):
        return json_400(request, exception)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(JSON_PREFIXES):
        return json_403(request, exception)
    return branded_forbidden(request)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: allauth's browser endpoints are under ``/_allauth/``."""
    if request.path.startswith(JSON_PREFIXES):
        return json_403(request, None, detail=f"CSRF Failed: {reason}" if reason else None)
    return csrf.csrf_failure(request, reason)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(JSON_PREFIXES):
        return json_404(request, exception)
    return branded_not_found(request)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(JSON_PREFIXES):
        return json_500(request)
    return branded_server_error(request)


def favicon(request: HttpRequest) -> HttpResponse:
    """``/favicon.ico``, which browsers ask for on their own: the static icon the pages link."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
