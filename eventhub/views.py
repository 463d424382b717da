"""Error pages: JSON on API paths (never an HTML error page there), templates elsewhere."""

from django.http import HttpRequest, HttpResponse
from django.views import csrf, defaults

from eventhub.api.errors import JSON_PREFIXES, json_400, json_403, json_404, json_500


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """A malformed request (``SuspiciousOperation``): a foreign ``Host``, a body over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (413), too many fields."""
    if request.path.startswith(JSON_PREFIXES):
        return json_400(request, exception)
    return defaults.bad_request(request, exception)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    if request.path.startswith(JSON_PREFIXES):
        return json_403(request, exception)
    return defaults.permission_denied(request, exception)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: allauth's browser endpoints are under ``/_allauth/``."""
    if request.path.startswith(JSON_PREFIXES):
        return json_403(request, None, detail=f"CSRF Failed: {reason}" if reason else None)
    return csrf.csrf_failure(request, reason)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(JSON_PREFIXES):
        return json_404(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(JSON_PREFIXES):
        return json_500(request)
    return defaults.server_error(request)
