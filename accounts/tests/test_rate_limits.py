"""Login limits (issue 11, High 1 and 2): the per-account lockout is keyed by the login alone —
not by the Host header, not by the server process — and the per-address limits count the client
behind the trusted proxies, generously enough for a venue behind one NAT address."""

import logging
import uuid

import httpx
import pytest
from django.contrib.auth.hashers import make_password
from rest_framework.test import APIClient

from accounts.models import User
from eventhub.testing.factories import PASSWORD, UserFactory
from eventhub.testing.live import daphne

pytestmark = pytest.mark.django_db

AUTH = "/_allauth/app/v1/auth"


def _address() -> str:
    """A fresh address per test: allauth's per-address counts live in the shared Redis cache,
    which outlives a test (and a run)."""
    n = uuid.uuid4().int
    return f"10.{n % 250}.{n // 250 % 250}.{n // 62500 % 250 + 1}"


def _email() -> str:
    return f"{uuid.uuid4().hex[:12]}@example.org"


def _login(client: APIClient, email: str, password: str, **extra: str) -> tuple[int, str | None]:
    response = client.post(f"{AUTH}/login", {"email": email, "password": password}, format="json", **extra)
    body = response.json()
    return response.status_code, body["errors"][0]["code"] if "errors" in body else None


def test_locked_account_stays_locked_under_another_host_header():
    user = UserFactory(email=_email())
    client = APIClient(REMOTE_ADDR=_address())
    failures = [_login(client, user.email, "wrong") for _ in range(5)]

    other_host = _login(client, user.email, PASSWORD, HTTP_HOST="127.0.0.1:4444")
    other_name = _login(APIClient(REMOTE_ADDR=_address()), user.email, PASSWORD, HTTP_HOST="localhost")

    assert failures == [(400, "email_password_mismatch")] * 5
    assert other_host == (400, "too_many_login_attempts")
    assert other_name == (400, "too_many_login_attempts")


def test_locked_account_stays_locked_for_another_spelling_of_the_login():
    user = UserFactory(email=_email())
    client = APIClient(REMOTE_ADDR=_address())
    for _ in range(5):
        _login(client, user.email, "wrong")

    assert _login(client, f"  {user.email.upper()} ", PASSWORD) == (400, "too_many_login_attempts")


def test_500_logins_of_different_accounts_from_one_address_in_a_minute_succeed():
    """A venue: every attendee's phone behind one NAT address."""
    password = make_password(PASSWORD)
    users = User.objects.bulk_create(User(email=_email(), password=password) for _ in range(500))
    client = APIClient(REMOTE_ADDR=_address())

    statuses = [
        client.post(f"{AUTH}/login", {"email": u.email, "password": PASSWORD}, format="json").status_code for u in users
    ]

    assert statuses == [200] * 500


@pytest.fixture
def tight_login_limit(settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "login": "2/m/ip"}


def test_per_address_login_limit_counts_the_client_behind_a_trusted_proxy(settings, tight_login_limit):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = APIClient(REMOTE_ADDR=_address())
    first, second = _address(), _address()

    from_first = [_login(proxy, _email(), "wrong", HTTP_X_FORWARDED_FOR=first)[0] for _ in range(3)]
    from_second = _login(proxy, _email(), "wrong", HTTP_X_FORWARDED_FOR=second)[0]
    # A client cannot choose its address: entries left of the proxy's own are the client's words.
    forged = _login(proxy, _email(), "wrong", HTTP_X_FORWARDED_FOR=f"{_address()}, {first}")[0]

    assert from_first == [400, 400, 429]
    assert from_second == 400
    assert forged == 429


def test_forwarded_for_is_ignored_without_trusted_proxies(tight_login_limit):
    client = APIClient(REMOTE_ADDR=_address())

    statuses = [_login(client, _email(), "wrong", HTTP_X_FORWARDED_FOR=_address())[0] for _ in range(3)]

    assert statuses == [400, 400, 429]


@pytest.mark.live
@pytest.mark.django_db(transaction=True)
def test_sixth_wrong_password_fails_whatever_the_server_process(tmp_path, settings):
    # The servers check passwords with Django's default hashers (the test process uses MD5).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = UserFactory(email=_email())
    with daphne(tmp_path) as first, daphne(tmp_path) as second:
        clients = [httpx.Client(base_url=url, timeout=20) for url in (first, second)]

        def login(client: httpx.Client, password: str, **headers: str) -> tuple[int, str | None]:
            response = client.post(f"{AUTH}/login", json={"email": user.email, "password": password}, headers=headers)
            body = response.json()
            return response.status_code, body["errors"][0]["code"] if "errors" in body else None

        failures = [login(clients[n % 2], "wrong") for n in range(5)]
        sixth = [login(client, "wrong") for client in clients]
        right = [login(client, PASSWORD, Host=host) for client in clients for host in ("127.0.0.1:4444", "localhost")]

    assert failures == [(400, "email_password_mismatch")] * 5
    assert sixth == [(400, "too_many_login_attempts")] * 2
    assert right == [(400, "too_many_login_attempts")] * 4


def test_login_during_a_redis_outage_succeeds_uncounted_with_a_warning(settings, caplog):
    # The configured cache backend, pointed at a port where no Redis listens.
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": "redis://127.0.0.1:9/0"}}
    user = UserFactory(email=_email())

    with caplog.at_level(logging.WARNING, logger="eventhub.cache"):
        status = _login(APIClient(REMOTE_ADDR=_address()), user.email, PASSWORD)

    assert status == (200, None)
    assert [r.getMessage().split(" (")[0] for r in caplog.records if r.name == "eventhub.cache"] == [
        "rate limits are not counted: the cache is unavailable"
    ]
