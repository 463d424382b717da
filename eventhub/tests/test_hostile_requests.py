"""Hostile and broken requests (issue 11): deeply nested JSON, malformed bodies, oversized bodies,
foreign Host headers, cookie form posts with an Idempotency-Key — a clean JSON 4xx under
``/api/`` and ``/_allauth/``, never a 500 or an HTML page — and the headers every answer gets."""

import logging
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework import parsers

from eventhub.api.parsers import JSONParser
from eventhub.testing.factories import PASSWORD, EventFactory, ParticipantFactory, UserFactory
from eventhub.testing.live import session_token_for

pytestmark = pytest.mark.django_db

DEEP = "[" * 100000 + "]" * 100000
TOO_DEEP = '{"email": ' + "[" * 33 + "]" * 33 + "}"


def _address() -> str:
    n = uuid.uuid4().int
    return f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250 + 1}"


def _client() -> Client:
    # Fresh address: allauth counts per address in the shared Redis cache.
    return Client(REMOTE_ADDR=_address())


def _api_views():
    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern) and getattr(entry.callback, "cls", None) is not None:
                yield prefix + str(entry.pattern), entry.callback.cls

    return [(route, view) for route, view in walk(get_resolver().url_patterns) if route.startswith("api/")]


# --- deeply nested JSON -----------------------------------------------------------------------


def test_every_api_view_parses_json_with_the_bounded_parser():
    unbounded = [
        (route, parser.__name__)
        for route, view in _api_views()
        for parser in view.parser_classes
        if issubclass(parser, parsers.JSONParser) and not issubclass(parser, JSONParser)
    ]

    assert len(_api_views()) > 30
    assert unbounded == []


@pytest.mark.parametrize("body", [DEEP, TOO_DEEP], ids=["100000-deep", "33-deep"])
def test_deeply_nested_json_to_the_api_is_json_400(body):
    participant = ParticipantFactory()
    token, event = session_token_for(participant.user), participant.event
    client = Client()

    answers = [
        client.patch("/api/v1/me", body, content_type="application/json", HTTP_X_SESSION_TOKEN=token),
        client.post(
            f"/api/v1/events/{event.pk}/orders", body, content_type="application/json", HTTP_X_SESSION_TOKEN=token
        ),
    ]

    assert [(a.status_code, a["Content-Type"], a.json()["error"]["code"]) for a in answers] == [
        (400, "application/json", "invalid")
    ] * 2
    assert answers[0].json()["error"]["detail"] == "JSON parse error - JSON nested more than 32 levels deep."


@pytest.mark.parametrize(
    "path",
    [
        "/_allauth/app/v1/auth/login",
        "/_allauth/app/v1/auth/signup",
        "/_allauth/app/v1/auth/password/request",
        "/_allauth/browser/v1/auth/login",
    ],
)
@pytest.mark.parametrize("body", [DEEP, TOO_DEEP], ids=["100000-deep", "33-deep"])
def test_deeply_nested_json_to_allauth_is_json_400(path, body):
    response = _client().post(path, body, content_type="application/json")

    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert response.json() == {
        "status": 400,
        "errors": [{"message": "The body is not valid JSON: JSON nested more than 32 levels deep.", "code": "invalid"}],
    }


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "{not json",
            "The body is not valid JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)",
        ),
        ("[1, 2]", "The body must be a JSON object."),
        (
            b"\xff\xfe",
            "The body is not valid JSON: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte",
        ),
    ],
)
def test_malformed_json_to_allauth_is_json_400(body, message):
    response = _client().post("/_allauth/app/v1/auth/login", body, content_type="application/json")

    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert response.json() == {"status": 400, "errors": [{"message": message, "code": "invalid"}]}


def test_well_formed_allauth_login_still_works():
    user = UserFactory()

    response = _client().post(
        "/_allauth/app/v1/auth/login", {"email": user.email, "password": PASSWORD}, content_type="application/json"
    )

    assert response.status_code == 200


# --- HTML error pages on API paths ------------------------------------------------------------


def test_body_over_the_upload_limit_is_json_413(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    token = session_token_for(UserFactory())
    body = '{"bio": "' + "a" * 2000 + '"}'

    api = Client().patch("/api/v1/me", body, content_type="application/json", HTTP_X_SESSION_TOKEN=token)
    allauth = _client().post("/_allauth/app/v1/auth/login", body, content_type="application/json")

    expected = {"error": {"code": "payload_too_large", "detail": "The body exceeds 1000 bytes.", "fields": {}}}
    assert [(r.status_code, r["Content-Type"], r.json()) for r in (api, allauth)] == [
        (413, "application/json", expected)
    ] * 2


@pytest.mark.parametrize("path", ["/api/v1/me", "/_allauth/app/v1/config"])
def test_foreign_host_on_api_paths_is_json_400_logged_as_one_warning(path, caplog):
    with caplog.at_level(logging.INFO, logger="django.security"):
        response = Client().get(path, HTTP_HOST="evil.example.com")

    records = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert (response.status_code, response["Content-Type"]) == (400, "application/json")
    assert response.json() == {"error": {"code": "invalid", "detail": "Bad request.", "fields": {}}}
    assert [(r.levelname, r.exc_info) for r in records] == [("WARNING", None)]


def test_foreign_host_on_a_portal_page_is_still_an_html_400(plain_static_storage):
    response = Client().get("/portal/", HTTP_HOST="evil.example.com")

    assert (response.status_code, response["Content-Type"]) == (400, "text/html; charset=utf-8")


def test_csrf_failure_on_allauth_browser_endpoint_is_json_403():
    client = Client(enforce_csrf_checks=True, REMOTE_ADDR=_address())

    response = client.post(
        "/_allauth/browser/v1/auth/login", {"email": "a@example.org"}, content_type="application/json"
    )

    assert (response.status_code, response["Content-Type"]) == (403, "application/json")
    assert response.json() == {
        "error": {"code": "permission_denied", "detail": "CSRF Failed: CSRF cookie not set.", "fields": {}}
    }


# --- Idempotency-Key with a cookie session and a form body -----------------------------------


def test_cookie_session_form_post_with_idempotency_key_runs_and_replays():
    user = UserFactory()
    event = EventFactory(open_registration=True)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    secret = "a" * 32
    client.cookies["csrftoken"] = secret

    first, again = (
        client.post(f"/api/v1/events/{event.pk}/join", {"csrfmiddlewaretoken": secret}, HTTP_IDEMPOTENCY_KEY="k-1")
        for _ in range(2)
    )

    assert (first.status_code, again.status_code) == (201, 201)
    assert again["Idempotent-Replayed"] == "true"
    assert again.content == first.content
