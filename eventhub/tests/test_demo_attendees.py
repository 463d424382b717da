"""The demo (``seed_demo``, issue 9 item 8): it names the public event page and the app, and a
demo attendee signs in with the published password and finds their bookmarks and tickets, on
the API the app uses and on the web."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, monkeypatch) -> tuple[int, str]:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    monkeypatch.setenv("HOST", "127.0.0.1")
    monkeypatch.setenv("PORT", "8123")
    out = io.StringIO()
    call_command("seed_demo", "--allow-non-demo", stdout=out)
    text = out.getvalue()
    event_id = int(re.search(r"Demo event ready: .* \(id (\d+),", text).group(1))
    return event_id, text


def test_seed_demo_prints_the_public_page_and_the_app(demo):
    event_id, text = demo

    assert f"Public event page: http://127.0.0.1:8123/events/{event_id}/" in text
    assert f"In the attendee app: http://127.0.0.1:8123/app/#/e/{event_id}/agenda" in text


def test_demo_attendee_signs_in_and_has_bookmarks_and_tickets(demo):
    event_id, _ = demo
    client = Client()

    login = client.post(
        "/_allauth/app/v1/auth/login",
        {"email": "attendee1@example.com", "password": "eventhub-demo"},
        content_type="application/json",
    )
    token = login.json()["meta"]["session_token"]
    headers = {"X-Session-Token": token}
    bookmarks = client.get(f"/api/v1/events/{event_id}/me/bookmarks", headers=headers)
    tickets = client.get(f"/api/v1/events/{event_id}/tickets", headers=headers)

    assert login.status_code == 200
    assert bookmarks.status_code == 200
    assert len(bookmarks.json()["results"]) == 5
    assert tickets.status_code == 200
    assert len(tickets.json()["results"]) == 1  # attendee1 holds a Regular ticket


def test_demo_attendee_on_the_web_lands_on_their_events(demo):
    event_id, _ = demo
    client = Client()

    client.post("/accounts/login/", {"login": "attendee25@example.com", "password": "eventhub-demo"})
    home = client.get("/portal/", follow=True)

    assert home.redirect_chain[-1][0] == "/my/events/"
    assert f'href="/events/{event_id}/"'.encode() in home.content
