"""allauth headless for the mobile app (``/_allauth/app/v1/``): the session token, rate limits,
password reset. The full signup → API → WebSocket flow against a live server is in
``eventhub/tests/test_mobile_flow.py``."""

import re
import uuid

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import Profile, User
from eventhub.testing.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

AUTH = "/_allauth/app/v1/auth"


def _client() -> APIClient:
    """A client from its own IP address: allauth's rate limits count per IP in the shared Redis
    cache, which outlives a test (and a test run), so every test starts from a fresh address."""
    address = uuid.uuid4().int
    return APIClient(REMOTE_ADDR=f"10.{address % 250}.{address // 250 % 250}.{address // 62500 % 250 + 1}")


def _email() -> str:
    return f"{uuid.uuid4().hex[:12]}@example.org"


def test_signup_returns_session_token_that_authenticates_the_api():
    client = _client()
    email = _email()

    signup = client.post(f"{AUTH}/signup", {"email": email, "password": PASSWORD}, format="json")
    token = signup.json()["meta"]["session_token"]
    me = client.get("/api/v1/me", HTTP_X_SESSION_TOKEN=token)

    user = User.objects.get(email=email)
    assert signup.status_code == 200
    assert signup.json()["data"]["user"]["id"] == user.pk
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["email"]) == (user.pk, email)
    assert Profile.objects.filter(user=user).count() == 1


def test_signup_with_weak_password_is_400_and_creates_no_user():
    email = _email()

    response = _client().post(f"{AUTH}/signup", {"email": email, "password": "123"}, format="json")

    assert response.status_code == 400
    assert {error["param"] for error in response.json()["errors"]} == {"password"}
    assert not User.objects.filter(email=email).exists()


def test_login_and_logout_with_session_token():
    user = UserFactory(email=_email())
    client = _client()

    login = client.post(f"{AUTH}/login", {"email": user.email, "password": PASSWORD}, format="json")
    token = login.json()["meta"]["session_token"]
    logout = client.delete(f"{AUTH}/session", HTTP_X_SESSION_TOKEN=token)
    me = client.get("/api/v1/me", HTTP_X_SESSION_TOKEN=token)

    assert login.status_code == 200
    assert login.json()["data"]["user"]["id"] == user.pk
    assert logout.status_code == 401  # allauth: 401 = "not authenticated (any more)"
    assert logout.json()["meta"]["is_authenticated"] is False
    assert me.status_code == 401


def test_login_with_wrong_password_is_400():
    user = UserFactory(email=_email())

    response = _client().post(f"{AUTH}/login", {"email": user.email, "password": "wrong"}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "status": 400,
        "errors": [
            {
                "message": "The email address and/or password you specified are not correct.",
                "code": "email_password_mismatch",
                "param": "password",
            }
        ],
    }


def test_login_repeated_failures_are_refused_then_answer_429(settings):
    """settings.ACCOUNT_RATE_LIMITS: after 5 failures for one account allauth refuses to check the
    password (400 too_many_login_attempts), and past the per-address limit (600 a minute in
    production, for a venue behind one NAT address; 30 here) the login endpoint answers 429."""
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "30/m/ip"}
    user = UserFactory(email=_email())
    client = _client()

    codes = []
    for _ in range(31):
        response = client.post(f"{AUTH}/login", {"email": user.email, "password": "wrong"}, format="json")
        body = response.json()
        codes.append((response.status_code, body["errors"][0]["code"] if "errors" in body else None))

    assert codes == ([(400, "email_password_mismatch")] * 5 + [(400, "too_many_login_attempts")] * 25 + [(429, None)])
    assert client.post(f"{AUTH}/login", {"email": user.email, "password": PASSWORD}, format="json").status_code == 429


def test_login_failures_for_many_accounts_from_one_address_answer_json():
    client = _client()

    responses = [
        client.post(f"{AUTH}/login", {"email": _email(), "password": "wrong"}, format="json") for _ in range(10)
    ]

    assert [r["Content-Type"] for r in responses] == ["application/json"] * 10


def test_password_reset_request_starts_code_flow_without_revealing_accounts():
    """ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED: the documented answer is 401 with a pending
    ``password_reset_by_code`` flow, for known and unknown addresses alike."""
    user = UserFactory(email=_email())
    stranger = _email()
    client = _client()

    known = client.post(f"{AUTH}/password/request", {"email": user.email}, format="json")
    unknown = client.post(f"{AUTH}/password/request", {"email": stranger}, format="json")

    for response in (known, unknown):
        body = response.json()
        assert response.status_code == 401
        assert body["data"]["flows"] == [
            {"id": "login"},
            {"id": "signup"},
            {"id": "password_reset_by_code", "is_pending": True},
        ]
        assert body["meta"]["is_authenticated"] is False
        assert body["meta"]["session_token"]
    assert [message.to for message in mail.outbox] == [[user.email], [stranger]]
    assert re.search(r"^[A-Z0-9-]{6,}$", mail.outbox[0].body, re.MULTILINE)


def test_password_reset_request_with_invalid_email_is_400():
    response = _client().post(f"{AUTH}/password/request", {"email": "not-an-address"}, format="json")

    assert response.status_code == 400
    assert [error["param"] for error in response.json()["errors"]] == ["email"]
    assert mail.outbox == []


def test_session_token_authenticates_allauth_endpoints_too():
    """The token a login returns works on allauth's own endpoints (session, e-mail addresses),
    not only on the API — django-structlog's request middleware once pinned the anonymous user
    before allauth could read the token."""
    user = UserFactory(email=_email())
    client = _client()
    token = client.post(f"{AUTH}/login", {"email": user.email, "password": PASSWORD}, format="json").json()["meta"][
        "session_token"
    ]

    session = client.get(f"{AUTH}/session", HTTP_X_SESSION_TOKEN=token)
    emails = client.get("/_allauth/app/v1/account/email", HTTP_X_SESSION_TOKEN=token)

    assert (session.status_code, session.json()["data"]["user"]["id"]) == (200, user.pk)
    assert emails.status_code == 200
