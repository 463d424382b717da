"""The OpenAPI document's view; apart from ``schema`` because DRF imports that module (the
``DEFAULT_SCHEMA_CLASS``) while drf-spectacular's views are still loading."""

from typing import Any

from django.http import HttpResponseRedirect
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView
from rest_framework.request import Request
from rest_framework.response import Response


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
