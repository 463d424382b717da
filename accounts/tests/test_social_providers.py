"""Google, Facebook and LinkedIn sign-in are wired in and switched on by their credentials."""

import json
import subprocess
import sys

import pytest
from django.test import Client

from eventhub.testing.live import ROOT, process_env

pytestmark = pytest.mark.django_db

CREDENTIALS = {
    "GOOGLE_CLIENT_ID": "google-id",
    "GOOGLE_CLIENT_SECRET": "google-secret",
    "FACEBOOK_CLIENT_ID": "facebook-id",
    "FACEBOOK_CLIENT_SECRET": "facebook-secret",
    "LINKEDIN_CLIENT_ID": "linkedin-id",
    "LINKEDIN_CLIENT_SECRET": "linkedin-secret",
}


def _headless_providers(**env: str) -> list[dict]:
    """The providers allauth headless announces to the phone app, in a fresh process."""
    script = (
        "import django, json; django.setup(); from django.test import Client; "
        "print(json.dumps(Client().get('/_allauth/app/v1/config').json()['data']['socialaccount']['providers']))"
    )
    environment = process_env(DJANGO_SETTINGS_MODULE="eventhub.settings", **env)
    for name in CREDENTIALS:
        if name not in env:
            environment.pop(name, None)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_providers_are_announced_when_credentials_are_set():
    providers = _headless_providers(**CREDENTIALS)
    assert sorted((p["id"], p["name"]) for p in providers) == [
        ("facebook", "Facebook"),
        ("google", "Google"),
        ("linkedin", "LinkedIn"),
    ]


def test_no_provider_without_credentials():
    assert _headless_providers() == []


def test_only_the_configured_provider_is_announced():
    providers = _headless_providers(GOOGLE_CLIENT_ID="google-id", GOOGLE_CLIENT_SECRET="google-secret")
    assert [p["id"] for p in providers] == ["google"]


def test_portal_login_page_renders_without_providers():
    assert Client().get("/accounts/login/").status_code == 200
