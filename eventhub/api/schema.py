"""OpenAPI postprocessing (``SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]``): every operation
documents the errors every operation can answer — 400 (malformed body or query, a foreign
``Host``), 401 (a missing or expired token; anonymous operations too, when a bad token is sent)
and 404 (a missing object, or one of another tenant) — in the one error shape
(``eventhub.api.errors.error_body``), so a client generated from the schema knows them and a
schema checker does not take them for undocumented answers."""

from typing import Any

from django.http import HttpResponseRedirect
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response

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


def document_errors(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, description in _ERRORS.items():
                responses.setdefault(status, {"content": error, "description": description})
    return result


class SchemaView(SpectacularAPIView):
    """The OpenAPI document. A browser opening it (it asks for HTML, names no ``format``) is sent
    to the rendered docs instead of downloading a YAML file; clients and the docs page itself
    (which ask for JSON or YAML) get the document."""

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        accept = request.headers.get("Accept", "")
        if "format" not in request.query_params and "text/html" in accept:
            return HttpResponseRedirect(reverse("api:docs"))  # type: ignore[return-value]
        return super().get(request, *args, **kwargs)
