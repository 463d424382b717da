"""Signup does not tell whether an address has an account (issue 11): in production (the
default there is mandatory verification by code) a signup with a taken address answers exactly
like one with a new address, as allauth documents for ACCOUNT_PREVENT_ENUMERATION."""

import os
import secrets
import uuid

import httpx
import pytest

from accounts.models import User
from eventhub.testing.factories import UserFactory
from eventhub.testing.live import daphne

pytestmark = [pytest.mark.live, pytest.mark.django_db(transaction=True)]

AUTH = "/_allauth/app/v1/auth"
PASSWORD = "a-long-Signup-passw0rd"


@pytest.fixture
def production_server(tmp_path):
    env = {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
        "DJANGO_DEBUG": "0",
        "TRUST_X_FORWARDED_PROTO": "1",  # the test speaks http as if behind the TLS proxy
        "EVENTHUB_VAR_DIR": str(tmp_path),
    }
    assert "ACCOUNT_EMAIL_VERIFICATION" not in os.environ
    with daphne(tmp_path, **env) as url:
        yield url


def _signup(http: httpx.Client, email: str) -> tuple[int, dict]:
    response = http.post(f"{AUTH}/signup", json={"email": email, "password": PASSWORD})
    body = response.json()
    body.get("meta", {}).pop("session_token", None)  # a fresh token either way
    return response.status_code, body


def test_signup_with_a_taken_address_answers_like_a_new_one_in_production(production_server):
    taken = UserFactory(email=f"{uuid.uuid4().hex[:12]}@example.org").email
    fresh = f"{uuid.uuid4().hex[:12]}@example.org"
    http = httpx.Client(base_url=production_server, headers={"X-Forwarded-Proto": "https"}, timeout=20)

    with_taken, with_fresh = _signup(http, taken), _signup(http, fresh)

    assert with_taken == with_fresh
    assert with_taken[0] == 401
    assert {"id": "verify_email", "is_pending": True} in with_taken[1]["data"]["flows"]
    assert User.objects.filter(email__iexact=taken).count() == 1
    assert User.objects.filter(email=fresh).count() == 1
