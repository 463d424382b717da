"""Response headers every answer gets: a Content-Security-Policy by path, and a ``Server`` that
names no software.

The policies allow exactly what the pages use — our own scripts and styles from ``static/``
(htmx included), style attributes (the agenda grid places sessions with them, htmx adds its
indicator style), images from ``static/`` and ``data:``, and the WebSocket of the same host. No
inline scripts: inline event handlers became ``data-confirm`` (``static/js/portal.js``); the one
inline script left, the API docs' Swagger init, runs by the request's nonce
(``templates/drf_spectacular/swagger_ui.html``). API answers are data, never documents:
``default-src 'none'``.
"""

import secrets
from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse

SERVER = "EventHub"
API_DOCS = "/api/v1/docs/"

_PAGE = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
}
_DATA = {"default-src": "'none'", "frame-ancestors": "'none'"}
# The attendee app (/app/): stricter than the portal — no inline styles either (the app sets
# styles through CSSOM only), images of its own and drawn QR codes (data:), its manifest and
# service worker, and the API and the socket of this host. No foreign origin anywhere.
APP = "/app/"
_APP = {
    "default-src": "'none'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data: blob:",
    "font-src": "'self'",
    "manifest-src": "'self'",
    "worker-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}
# Swagger UI (served from drf-spectacular-sidecar): its SVG icons are data: URLs, "Try it out"
# fetches the API itself, and its init script is inline (allowed by nonce).
_API_DOCS = {**_PAGE, "connect-src": "'self'"}


def _policy(directives: dict[str, str]) -> str:
    return "; ".join(f"{name} {value}" for name, value in directives.items())


_DATA_POLICY = _policy(_DATA)


def _page_policy(request: HttpRequest, directives: dict[str, str] = _PAGE) -> str:
    # The live pages open /ws/v1/ on their own host; older browsers do not let 'self' cover
    # ws:/wss:, so the socket's origin is named.
    try:
        host = request.get_host()
    except DisallowedHost:  # the answer is the 400 already
        return _policy({**directives, "connect-src": "'self'"})
    scheme = "wss" if request.is_secure() else "ws"
    return _policy({**directives, "connect-src": f"'self' {scheme}://{host}"})


def content_security_policy(request: HttpRequest) -> str:
    path = request.path
    if path.startswith(API_DOCS):
        nonce = getattr(request, "csp_nonce", "")
        return _policy({**_API_DOCS, "script-src": f"'self' 'nonce-{nonce}'"})
    if path.startswith(APP):
        return _page_policy(request, _APP)
    if path.startswith(("/api/", "/_allauth/", "/calendar/", "/static/", "/media/")):
        return _DATA_POLICY
    return _page_policy(request)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(API_DOCS):
            request.csp_nonce = secrets.token_urlsafe(16)  # type: ignore[attr-defined]
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = content_security_policy(request)
        # daphne adds "Server: daphne" only to answers that carry no Server header.
        response["Server"] = SERVER
        return response
