"""The schema says what the API does (issue 11): every operation documents the errors every
operation can answer, parameters carry the bounds their validation enforces, and what the
schema calls invalid is refused (a bad ``page_size`` was silently ignored)."""

import re

import pytest
from django.test import Client
from rest_framework.test import APIClient

from eventhub.testing.factories import UserFactory
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
    """A 405 wherever the path names no object (404 first where it names a missing one), JSON
    always — never a 2xx or an echo."""
    token = session_token_for(UserFactory())
    client = Client()
    paths = sorted({re.sub(r"\{\w+\}", "1", path) for _, path, _ in _operations(schema)}) + ["/_allauth/app/v1/config"]

    answers = {path: client.generic("TRACE", path, HTTP_X_SESSION_TOKEN=token) for path in paths}

    without_ids = {path for path in paths if "/1" not in path}
    assert {path: (r.status_code, r["Content-Type"]) for path, r in answers.items() if path in without_ids} == {
        path: (405, "application/json") for path in without_ids
    }
    assert {(r.status_code, r["Content-Type"]) for r in answers.values()} == {
        (405, "application/json"),
        (404, "application/json"),
    }
    assert len(without_ids) >= 5
