"""OpenAPI postprocessing (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``): every operation
documents the errors every operation can answer — 400 (malformed body or query, a foreign
``Host``), 401 (a missing or expired token; anonymous operations too, when a bad token is sent)
and 404 (a missing object, or one of another tenant) — in the one error shape
(``eventhub.api.errors.error_body``), so a client generated from the schema knows them and a
schema checker does not take them for undocumented answers. Writes add 403 (CSRF, roles),
operations with a body 413 and 415, those with an ``Idempotency-Key`` 409 and 422, and a view
names its own (a sold-out 409, a rate limit's 429) in ``error_statuses`` (:class:`AutoSchema`)."""

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string"},
                "detail": {"type": "string"},
                "fields": {"type": "object", "additionalProperties": True},
            },
            "required": ["code", "detail", "fields"],
        }
    },
    "required": ["error"],
}
_ERRORS = {
    "400": "The request is malformed or has invalid fields (`error.fields` says which).",
    "401": "Not authenticated: no session token, or an expired one.",
    "404": "Not found: the object does not exist or is not yours to see.",
}


_UNSAFE = ("post", "put", "patch", "delete")
_UNSAFE_ERRORS = {
    "403": "Forbidden: a cookie session without its CSRF token, or a role that may not do this.",
}
_BODY_ERRORS = {
    "413": "The body is larger than the server accepts.",
    "415": "The body is in a media type this operation does not read.",
}
_IDEMPOTENCY_ERRORS = {
    "409": "A request with this Idempotency-Key is still being processed (`request_in_progress`).",
    "422": "This Idempotency-Key was used for a different request (`idempotency_key_reused`).",
}


class AutoSchema(SpectacularAutoSchema):
    """drf-spectacular's schema, plus the errors a view says it answers: ``error_statuses`` on a
    view class maps a status to its description, ``write_error_statuses`` likewise for its
    unsafe methods only (the rate-limit mixin's 429).
    The error body is the ``Error`` component that :func:`document_errors` adds."""

    def get_operation(self, *args: Any, **kwargs: Any) -> dict[str, Any] | None:
        operation = super().get_operation(*args, **kwargs)
        if operation is None:
            return None
        declared: dict[int, str] = {}
        unsafe = self.method.lower() in _UNSAFE
        for klass in reversed(type(self.view).__mro__):
            declared.update(getattr(klass, "error_statuses", None) or {})
            if unsafe:
                declared.update(getattr(klass, "write_error_statuses", None) or {})
        responses = operation.setdefault("responses", {})
        for status, description in declared.items():
            responses.setdefault(str(status), {"content": _ERROR_CONTENT, "description": description})
        return operation


_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            statuses = dict(_ERRORS)
            if method in _UNSAFE:
                statuses.update(_UNSAFE_ERRORS)
            if "requestBody" in operation:
                statuses.update(_BODY_ERRORS)
            if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
                statuses.update(_IDEMPOTENCY_ERRORS)
            for status, description in statuses.items():
                responses.setdefault(status, {"content": error, "description": description})
            operation["responses"] = dict(sorted(responses.items()))
    return result
