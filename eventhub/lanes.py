"""Two middleware stacks: the whole one, and a lean one for token-authenticated API reads.

A phone's ``GET /api/…`` with ``X-Session-Token`` and no ``Cookie`` uses none of what the
browser stack is for: no cookie session (the token names the session; DRF's token
authentication loads it), so no CSRF to check (CSRF is an attack through an ambient cookie, and
the request carries none; DRF's views are csrf-exempt and its ``SessionAuthentication``, which
enforces CSRF, finds no user without a cookie session), no messages, no htmx, no allauth
browser flows, no axes lockout page (axes guards the admin login), no portal error pages, no
static files. Those middlewares cost about 0.6 ms of CPU per request (bench/README.md, issue
12), a third of the stack floor; ``settings.API_TOKEN_READ_MIDDLEWARE`` names what such a
request does run (metrics, security headers, HTTPS redirect, JSON errors, CORS, the tenant scope,
private caching).

Anything else — a cookie on the request, a write (the full stack logs it with its request id,
which tasks carry on), a path outside ``/api/`` — takes the whole stack, unchanged. The choice
is made from the raw request (WSGI environ, ASGI scope) before Django builds a request, so it
costs nothing measurable.
"""

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.base import BaseHandler
from django.core.handlers.wsgi import WSGIHandler

_SAFE_METHODS = frozenset({"GET", "HEAD"})

# The whole stack's middlewares that token API reads skip, each with the reason (a test checks
# that every middleware of ``settings.MIDDLEWARE`` is either here or in the lean stack, so a new
# one cannot be skipped by accident).
NOT_FOR_TOKEN_READS = {
    "whitenoise.middleware.WhiteNoiseMiddleware": "static files are not under /api/",
    "django.contrib.sessions.middleware.SessionMiddleware": "no cookie session; DRF loads the token's",
    "accounts.middleware.UserLanguageMiddleware": "reads the user's language from the cookie session; none here",
    "django.middleware.csrf.CsrfViewMiddleware": "no cookie, nothing ambient to forge; and only GET/HEAD",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "DRF authenticates the token",
    "django_structlog.middlewares.RequestMiddleware": "nginx's JSON access log has the line and request id",
    "django.contrib.messages.middleware.MessageMiddleware": "no pages",
    "django.middleware.clickjacking.XFrameOptionsMiddleware": "JSON is not framed",
    "django_htmx.middleware.HtmxMiddleware": "no htmx",
    "allauth.account.middleware.AccountMiddleware": "allauth's browser flows are not under /api/",
    "eventhub.portal.DomainErrorMiddleware": "answers pages only, never /api/",
    "axes.middleware.AxesMiddleware": "guards the admin login",
}


def is_token_api_read(*, method: str, path: str, has_token: bool, has_cookie: bool) -> bool:
    return method in _SAFE_METHODS and path.startswith("/api/") and has_token and not has_cookie


def _build(handler_class: type[BaseHandler], middleware: list[str], **kwargs: Any) -> Any:
    """A Django handler whose chain is built from ``middleware`` (the settings are read once, at
    startup, in one thread)."""
    full = settings.MIDDLEWARE
    settings.MIDDLEWARE = middleware
    try:
        return handler_class(**kwargs)
    finally:
        settings.MIDDLEWARE = full


class LaneWSGIHandler:
    """The WSGI application: token API reads through the lean stack, the rest through the whole."""

    def __init__(self) -> None:
        self.full = WSGIHandler()
        self.lean = _build(WSGIHandler, list(settings.API_TOKEN_READ_MIDDLEWARE))

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        lean = is_token_api_read(
            method=environ.get("REQUEST_METHOD", ""),
            path=environ.get("PATH_INFO", ""),
            has_token=bool(environ.get("HTTP_X_SESSION_TOKEN")),
            has_cookie="HTTP_COOKIE" in environ,
        )
        return (self.lean if lean else self.full)(environ, start_response)


def _scope_headers(scope: Mapping[str, Any]) -> tuple[bool, bool]:
    token = cookie = False
    for name, value in scope.get("headers", ()):
        if name == b"x-session-token" and value:
            token = True
        elif name == b"cookie":
            cookie = True
    return token, cookie


class LaneASGIHandler:
    """The ASGI HTTP application, split the same way (daphne in the embedded profile)."""

    def __init__(self) -> None:
        self.full = ASGIHandler()
        self.lean = _build(ASGIHandler, list(settings.API_TOKEN_READ_MIDDLEWARE))

    async def __call__(self, scope: dict[str, Any], receive: Callable[..., Any], send: Callable[..., Any]) -> None:
        lean = False
        if scope["type"] == "http":
            has_token, has_cookie = _scope_headers(scope)
            lean = is_token_api_read(
                method=scope.get("method", ""), path=scope.get("path", ""), has_token=has_token, has_cookie=has_cookie
            )
        await (self.lean if lean else self.full)(scope, receive, send)
