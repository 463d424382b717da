"""The schema says what the API does (issue 11): every operation documents the errors every
operation can answer, parameters carry the bounds their validation enforces, and what the
schema calls invalid is refused (a bad ``page_size`` was silently ignored)."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from eventhub.testing.factories import EventFactory, UserFactory
from eventhub.testing.live import session_token_for

pytestmark = pytest.mark.django_db

ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return APIClient().get("/api/v1/schema/", {"format": "json"}).json()


def _operations(schema):
    return [(method.upper(), path, op) for path, ops in schema["paths"].items() for method, op in ops.items()]


def test_every_operation_documents_400_401_and_404_in_the_error_shape(schema):
    undocumented = [
        (method, path, status)
        for method, path, op in _operations(schema)
        for status in ("400", "401", "404")
        if op["responses"].get(status, {}).get("content") != ERROR_REF
    ]

    assert len(_operations(schema)) > 40
    assert undocumented == []
    assert schema["components"]["schemas"]["Error"]["required"] == ["error"]


def test_query_parameters_carry_the_bounds_their_validation_enforces(schema):
    entries = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/streams/{stream}/entries"]["get"]["parameters"]}
    page_sizes = {
        (method, path): next(p["schema"] for p in op["parameters"] if p["name"] == "page_size")
        for method, path, op in _operations(schema)
        if any(p["name"] == "page_size" for p in op.get("parameters", []))
    }

    assert entries["since"] == {"type": "integer", "minimum": 0}
    assert entries["limit"] == {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}
    assert len(page_sizes) > 5
    assert {(key, s["type"], s["minimum"]) for key, s in page_sizes.items()} == {
        (key, "integer", 1) for key in page_sizes
    }


@pytest.mark.parametrize("value", ["null", "", "0", "-1", "abc", "201", "2.5", "\uff12"])
def test_page_size_outside_the_schema_is_400(value):
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(UserFactory()))

    response = client.get("/api/v1/me/events", {"page_size": value})

    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "detail": "The request has invalid fields.",
            "fields": {"page_size": ["A whole number from 1 to 200."]},
        }
    }


def test_page_size_inside_the_schema_pages():
    client = APIClient()
    client.credentials(HTTP_X_SESSION_TOKEN=session_token_for(UserFactory()))

    assert [client.get("/api/v1/me/events", {"page_size": n}).status_code for n in ("1", "200")] == [200, 200]


def test_trace_is_never_served(schema):
    """A JSON 405 on every API path, before authentication or object lookup (a 404 for a
    missing id, a 401 without a token said more than the truth) — never a 2xx or an echo."""
    token = session_token_for(UserFactory())
    client = Client()
    paths = sorted({re.sub(r"\{\w+\}", "1", path) for _, path, _ in _operations(schema)}) + ["/_allauth/app/v1/config"]

    answers = {path: client.generic("TRACE", path, HTTP_X_SESSION_TOKEN=token) for path in paths}
    anonymous = client.generic("TRACE", "/api/v1/events/1")

    assert {path: (r.status_code, r["Content-Type"]) for path, r in answers.items()} == {
        path: (405, "application/json") for path in paths
    }
    assert (anonymous.status_code, anonymous["Allow"]) == (405, "GET, OPTIONS")
    assert len(paths) >= 30


def test_operations_document_the_errors_their_views_answer(schema):
    """What schemathesis found undocumented: a rate limit's 429 on writes that count, a sold-out
    or not-sold-out 409, the payment provider's 503, a revoked ticket's 410; plus what the
    plumbing answers for any write (403), body (413, 415) and Idempotency-Key (409, 422)."""
    paths = schema["paths"]

    def statuses(path, method):
        return sorted(paths[path][method]["responses"])

    assert statuses("/api/v1/events/{event_id}/orders", "post") == [
        "201", "400", "401", "403", "404", "409", "413", "415", "422", "429", "503"
    ]  # fmt: skip
    assert statuses("/api/v1/events/{event_id}/ticket-types/{ticket_type_id}/waiting-list", "post") == [
        "201", "400", "401", "403", "404", "409", "422", "429"
    ]  # fmt: skip
    assert statuses("/api/v1/events/{event_id}/scanner/scan", "post") == [
        "200", "400", "401", "403", "404", "413", "415", "429"
    ]  # fmt: skip
    assert statuses("/api/v1/events/{event_id}/scanner/config", "get") == ["200", "400", "401", "404"]
    assert "410" in statuses("/api/v1/events/{event_id}/tickets/{ticket_id}/qr.png", "get")
    assert paths["/api/v1/events/{event_id}/orders"]["post"]["responses"]["429"]["content"] == ERROR_REF


def test_empty_agenda_filters_are_documented_and_taken_as_no_filter(schema):
    operation = schema["paths"]["/api/v1/events/{event_id}/sessions"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    event = EventFactory()
    client = APIClient()

    unfiltered = client.get(f"/api/v1/events/{event.pk}/sessions")
    empty = client.get(f"/api/v1/events/{event.pk}/sessions", {"tag": "", "q": "", "room": "", "day": ""})

    assert parameters["tag"] == {"type": "string", "maxLength": 60}
    assert parameters["q"] == {"type": "string", "maxLength": 200}
    assert parameters["tz"]["maxLength"] == 64
    assert (empty.status_code, empty.json()) == (200, unfiltered.json())
