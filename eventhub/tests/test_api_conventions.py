"""API conventions (DESIGN §4): one JSON error shape on every API path, a valid OpenAPI schema
that documents every API route, and docs served without a CDN."""

import re

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from eventhub.testing.factories import UserFactory
from eventhub.testing.live import session_token_for

pytestmark = pytest.mark.django_db

NOT_FOUND = b'{"error":{"code":"not_found","detail":"Not found.","fields":{}}}'


def _client(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(user))
    return client


def _cookie_client(user) -> Client:
    """A portal browser: session cookie, CSRF enforced as in production."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


# --- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/api/v1/nothing-here", "/api/v1/events/not-a-number", "/api/v1/me/"])
def test_unknown_api_path_is_json_404_like_a_missing_object(path):
    client = _client(UserFactory())

    unknown = client.get(path)
    missing = client.get("/api/v1/events/987654321")

    assert (unknown.status_code, unknown["Content-Type"], unknown.content) == (404, "application/json", NOT_FOUND)
    assert (missing.status_code, missing.content) == (404, NOT_FOUND)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_unknown_api_path_unsafe_method_with_session_cookie_is_json_404(method):
    client = _cookie_client(UserFactory())

    response = getattr(client, method)("/api/v1/nothing-here")

    assert (response.status_code, response["Content-Type"], response.content) == (404, "application/json", NOT_FOUND)


def test_unknown_allauth_path_is_json_404():
    response = Client().post("/_allauth/app/v1/nothing-here")

    assert (response.status_code, response["Content-Type"], response.content) == (404, "application/json", NOT_FOUND)


def test_unknown_portal_path_is_html_404():
    response = Client().get("/portal/nothing/here/at/all")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"


def test_api_method_not_allowed_is_json_405():
    response = _client(UserFactory()).delete("/api/v1/me")

    assert response.status_code == 405
    assert response.json() == {
        "error": {"code": "method_not_allowed", "detail": 'Method "DELETE" not allowed.', "fields": {}}
    }
    assert response["Allow"] == "GET, PATCH, HEAD, OPTIONS"


def test_api_validation_error_is_json_400_with_fields():
    response = _client(UserFactory()).patch(
        "/api/v1/me", {"interests": "python", "bio": ["not", "text"]}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "detail": "The request has invalid fields.",
            "fields": {
                "bio": ["Not a valid string."],
                "interests": ['Expected a list of items but got type "str".'],
            },
        }
    }


def test_api_query_parameter_error_is_json_400_with_fields():
    user = UserFactory()

    response = _client(user).get(f"/api/v1/streams/user:{user.pk}/entries", {"since": "-1"})

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "detail": "The request has invalid fields.",
            "fields": {"since": ["Ensure this value is greater than or equal to 0."]},
        }
    }


def test_api_malformed_json_is_json_400():
    response = _client(UserFactory()).generic("PATCH", "/api/v1/me", "{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_api_unsupported_media_type_is_json_415():
    response = _client(UserFactory()).generic("PATCH", "/api/v1/me", "bio=x", content_type="text/plain")

    assert response.status_code == 415
    assert response.json() == {
        "error": {
            "code": "unsupported_media_type",
            "detail": 'Unsupported media type "text/plain" in request.',
            "fields": {},
        }
    }


def test_api_session_cookie_without_csrf_token_is_json_403_and_changes_nothing():
    user = UserFactory()

    response = _cookie_client(user).patch("/api/v1/me", {"bio": "changed"}, content_type="application/json")

    assert response.status_code == 403
    assert response.json() == {
        "error": {"code": "permission_denied", "detail": "CSRF Failed: CSRF cookie not set.", "fields": {}}
    }
    user.profile.refresh_from_db()
    assert user.profile.bio == ""


# --- schema and docs -------------------------------------------------------------------------


def _api_routes() -> set[str]:
    """The API routes from the URL resolver, in OpenAPI path syntax."""

    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                yield prefix + str(entry.pattern)

    routes = {route for route in walk(get_resolver().url_patterns) if route.startswith("api/v1/")}
    undocumented = {"api/v1/schema/", "api/v1/docs/", "api/v1/^.*$"}
    return {"/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) for route in routes - undocumented}


def test_openapi_schema_is_valid_and_documents_every_api_route(tmp_path):
    path = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))

    schema = yaml.safe_load(path.read_text())
    assert schema["openapi"] == "3.0.3"
    assert set(schema["paths"]) == _api_routes()


def test_openapi_schema_marks_anonymous_and_token_access():
    schema = _client().get("/api/v1/schema/", {"format": "json"}).json()

    event_detail = schema["paths"]["/api/v1/events/{event_id}"]["get"]
    me = schema["paths"]["/api/v1/me"]["get"]
    join = schema["paths"]["/api/v1/events/{event_id}/join"]["post"]
    assert event_detail["security"] == [{"sessionToken": []}, {"cookieAuth": []}, {}]
    assert me["security"] == [{"sessionToken": []}, {"cookieAuth": []}]
    assert schema["components"]["securitySchemes"]["sessionToken"] == {
        "type": "apiKey",
        "in": "header",
        "name": "X-Session-Token",
    }
    assert {"in": "header", "name": "Idempotency-Key"}.items() <= next(
        p for p in join["parameters"] if p["name"] == "Idempotency-Key"
    ).items()


def test_api_docs_page_uses_no_external_urls(plain_static_storage):
    response = Client().get("/api/v1/docs/")

    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert response.status_code == 200
    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []
    assert sorted(assets) == [
        "/static/drf_spectacular_sidecar/swagger-ui-dist/favicon-32x32.png",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-standalone-preset.js",
        "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui.css",
    ]
    assert [asset for asset in assets if finders.find(asset.removeprefix("/static/")) is None] == []
    assert '"/api/v1/schema/"' in html
