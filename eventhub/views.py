"""Error pages: JSON on API paths (never an HTML error page there), templates elsewhere."""

from django.http import HttpRequest, HttpResponse
from django.views import defaults

from eventhub.api.errors import json_404, json_500

_JSON_PREFIXES = ("/api/", "/_allauth/")


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(_JSON_PREFIXES):
        return json_404(request, exception)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith(_JSON_PREFIXES):
        return json_500(request)
    return defaults.server_error(request)
