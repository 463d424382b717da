"""One JSON error shape for every API path: {"error": {"code", "detail", "fields"}} (DESIGN §4)."""

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django_scopes import ScopeError
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from eventhub import errors

# Paths that answer JSON only: the API and allauth's headless endpoints.
JSON_PREFIXES = ("/api/", "/_allauth/")

_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    412: "precondition_failed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    429: "throttled",
}


def code_for_status(status: int) -> str:
    """The error code of an answer that carries nothing but its status."""
    return _CODES.get(status, "error")


# The one place a domain error gets its HTTP status: by class, and by code where a client needs a
# status of its own for one case.
_STATUS_BY_ERROR_CLASS: tuple[tuple[type[errors.DomainError], int], ...] = (
    (errors.Invalid, status.HTTP_400_BAD_REQUEST),
    (errors.NotFound, status.HTTP_404_NOT_FOUND),
    (errors.PermissionDenied, status.HTTP_403_FORBIDDEN),
    (errors.Conflict, status.HTTP_409_CONFLICT),
    (errors.Gone, status.HTTP_410_GONE),
    (errors.RateLimited, status.HTTP_429_TOO_MANY_REQUESTS),
    (errors.Unavailable, status.HTTP_503_SERVICE_UNAVAILABLE),
)
_STATUS_BY_CODE: dict[str, int] = {
    "idempotency_key_reused": status.HTTP_422_UNPROCESSABLE_ENTITY,
}


def status_for(error: errors.DomainError) -> int:
    if error.code in _STATUS_BY_CODE:
        return _STATUS_BY_CODE[error.code]
    for error_class, status_code in _STATUS_BY_ERROR_CLASS:
        if isinstance(error, error_class):
            return status_code
    return status.HTTP_400_BAD_REQUEST


def domain_error_response(error: errors.DomainError) -> Response:
    headers = {}
    if isinstance(error, errors.RateLimited) and error.retry_after is not None:
        headers["Retry-After"] = str(error.retry_after)
    # Field errors read as a serializer's do: a general detail, the messages on their fields.
    detail = "The request has invalid fields." if isinstance(error, errors.Invalid) and error.fields else error.detail
    body = error_body(code=error.code, detail=detail, fields=error.fields)
    return Response(body, status=status_for(error), headers=headers)


def error_body(*, code: str, detail: str, fields: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "detail": detail, "fields": fields or {}}}


def _flatten(detail: Any) -> Any:
    if isinstance(detail, list):
        return [str(item) if not isinstance(item, (dict, list)) else _flatten(item) for item in detail]
    if isinstance(detail, dict):
        return {key: _flatten(value) for key, value in detail.items()}
    return [str(detail)]


def _django_validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    return {"non_field_errors": exc.messages}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ScopeError):
        raise exc  # a programming error: never disguise a missing tenant scope as a 404
    if isinstance(exc, errors.DomainError):
        return domain_error_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        # Model validators reached from a serializer speak Django's ValidationError (services
        # never do): a 400 with its fields, never a 500.
        exc = exceptions.ValidationError(detail=_django_validation_detail(exc))
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        fields = _flatten(detail) if isinstance(detail, dict) else {"non_field_errors": _flatten(detail)}
        body = error_body(code="invalid", detail="The request has invalid fields.", fields=fields)
    else:
        message = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
        code = code_for_status(response.status_code)
        body = error_body(code=code, detail=str(message))
    response.data = body
    return response


def _json(body: dict[str, Any], status: int) -> JsonResponse:
    # DRF's compact rendering, so an unknown path and a missing object answer the same bytes.
    return JsonResponse(body, status=status, json_dumps_params={"separators": (",", ":"), "ensure_ascii": False})


# It changes nothing; without the exemption an unsafe request to an unknown API path would get
# the CSRF middleware's HTML 403 instead of this JSON 404.
@csrf_exempt
def json_404(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    return _json(error_body(code="not_found", detail="Not found."), status=404)


def json_500(request: HttpRequest) -> JsonResponse:
    return _json(error_body(code="server_error", detail="Internal server error."), status=500)


def json_400(request: HttpRequest, exception: Exception | None = None) -> JsonResponse:
    """A ``SuspiciousOperation`` on an API path: a body over the upload limit is a 413, anything
    else (a foreign ``Host``, too many fields) a 400."""
    if isinstance(exception, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return _json(error_body(code="payload_too_large", detail=f"The body exceeds {limit} bytes."), status=413)
    return _json(error_body(code="invalid", detail="Bad request."), status=400)


def json_403(request: HttpRequest, exception: Exception | None = None, *, detail: str | None = None) -> JsonResponse:
    detail = detail or "You do not have permission to perform this action."
    return _json(error_body(code="permission_denied", detail=detail), status=403)
