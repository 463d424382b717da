import json
from collections.abc import Callable
from http import HTTPStatus

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control, patch_vary_headers

from eventhub import jsonbody
from eventhub.api.errors import JSON_PREFIXES, code_for_status, error_body

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
_KEPT_HEADERS = {"allow", "retry-after", "www-authenticate", "vary", "cache-control"}


class PrivateApiResponsesMiddleware:
    """API answers depend on who asks (session token or cookie): shared caches must neither
    store them nor serve one user's answer to another. Phones still revalidate with ETags."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(JSON_PREFIXES):
            patch_vary_headers(response, ("X-Session-Token", "Cookie"))
            patch_cache_control(response, private=True, no_cache=True)
        return response


class AnonymousUntilAuthenticatedMiddleware:
    """The lean stack of token API reads (``eventhub.lanes``) has no cookie session and so no
    ``AuthenticationMiddleware``: the request starts anonymous, and DRF's token authentication
    puts the token's user in its place."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.user = AnonymousUser()
        return self.get_response(request)


def _allauth_invalid_body(detail: str) -> JsonResponse:
    # The shape of allauth's own input errors, which its clients parse.
    return JsonResponse({"status": 400, "errors": [{"message": detail, "code": "invalid"}]}, status=400)


def _refuse_unparseable_allauth_body(request: HttpRequest) -> JsonResponse | None:
    """allauth's headless views parse JSON bodies themselves: malformed JSON was an empty
    ``text/html`` 400, and a deeply nested one a ``RecursionError`` (a 500). Check first."""
    if request.method in {"GET", "HEAD", "OPTIONS"} or request.content_type in _FORM_TYPES:
        return None
    body = request.body  # over DATA_UPLOAD_MAX_MEMORY_SIZE: RequestDataTooBig → handler400 (413)
    if not body:
        return None
    try:
        data = jsonbody.loads(body.decode("utf8"))
    except (UnicodeDecodeError, ValueError) as error:
        return _allauth_invalid_body(f"The body is not valid JSON: {error}")
    if not isinstance(data, dict):
        return _allauth_invalid_body("The body must be a JSON object.")
    return None


class JsonOnlyMiddleware:
    """Under ``/api/`` and ``/_allauth/`` every answer is JSON. Our error handlers
    (``eventhub.views``) answer JSON there; this catches the rest — allauth's bodies it cannot
    parse (checked before allauth sees them) and any other library's HTML error page (the CSRF
    failure page, a bare ``HttpResponseBadRequest``), rewritten to our error shape with the same
    status and headers."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(JSON_PREFIXES):
            return self.get_response(request)
        if request.method in _NEVER_ALLOWED:
            return _method_not_allowed(request)
        if request.path.startswith("/_allauth/"):
            refused = _refuse_unparseable_allauth_body(request)
            if refused is not None:
                return refused
        response = self.get_response(request)
        if response.status_code >= 400 and not _is_json(response):
            return _as_json(response)
        return response


# TRACE echoes a request back (cookies and tokens included) and CONNECT opens a tunnel: no API
# operation has either, so they are a 405 before authentication — a 401 for a method the path
# does not have told a scanner nothing true.
_NEVER_ALLOWED = ("TRACE", "TRACK", "CONNECT")


def _method_not_allowed(request: HttpRequest) -> JsonResponse:
    try:
        view = resolve(request.path_info).func
    except Resolver404:
        allowed: list[str] = []
    else:
        view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
        names = getattr(view_class, "http_method_names", [])
        allowed = [name.upper() for name in names if view_class is not None and hasattr(view_class, name)]
    response = JsonResponse(
        error_body(code="method_not_allowed", detail=f'Method "{request.method}" not allowed.'), status=405
    )
    response["Allow"] = ", ".join(allowed)
    return response


def _is_json(response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    return content_type == "application/json" or content_type.endswith("+json")


def _as_json(response: HttpResponse) -> HttpResponse:
    status = response.status_code
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body = error_body(code=code_for_status(status), detail=f"{phrase}.")
    replacement = HttpResponse(json.dumps(body, separators=(",", ":")), status=status, content_type="application/json")
    for name, value in response.items():
        if name.lower() in _KEPT_HEADERS:
            replacement[name] = value
    replacement.cookies = response.cookies
    return replacement
