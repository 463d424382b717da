"""English and German (docs/decisions.md "Translations"): the language follows the user's own
setting, else the language switcher's cookie, else the browser's Accept-Language — on public
pages, allauth's pages and the API."""

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import Profile
from eventhub.testing.factories import UserFactory
from events.tests.agenda_world import build_world, client_for

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}


def _speaks(user, language: str) -> None:
    Profile.objects.update_or_create(user=user, defaults={"language": language})


def test_public_event_page_in_german_for_a_german_browser():
    world = build_world(name="PyCon Berlin", venue_name="bcc")

    response = Client().get(f"/events/{world.event.pk}/", **GERMAN)
    html = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Language"] == "de"
    assert '<html lang="de">' in html
    assert ">Programm</h2>" in html
    assert "Ort</span> bcc" in html
    assert "In der App öffnen" in html
    assert "Di, 10. Jun 2031, 09:00" in html  # the event's zone, German order and names
    assert "(Ortszeit Europe/Berlin)" in html
    assert "Dienstag, 10. Juni 2031" in html  # the day heading
    assert ">Schedule<" not in html
    # still cacheable by shared caches: the language came from the header, which it varies on
    assert "Accept-Language" in response["Vary"]
    assert "Cookie" not in response["Vary"]


def test_public_event_page_stays_english_for_an_english_browser():
    world = build_world(name="PyCon Berlin")

    html = Client().get(f"/events/{world.event.pk}/", HTTP_ACCEPT_LANGUAGE="en-GB,en").content.decode()

    assert '<html lang="en">' in html
    assert "Tue 10 Jun 2031, 09:00" in html
    assert ">Schedule</h2>" in html


def test_the_language_switcher_sets_the_cookie_and_the_page_follows_it():
    world = build_world(name="PyCon Berlin")
    client = Client()
    page = f"/events/{world.event.pk}/"

    switched = client.post("/i18n/setlang/", {"language": "de", "next": page}, HTTP_ACCEPT_LANGUAGE="en")
    response = client.get(page, HTTP_ACCEPT_LANGUAGE="en")

    assert switched.status_code == 302
    assert switched["Location"] == page
    assert switched.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert ">Programm</h2>" in response.content.decode()
    assert "Cookie" in response["Vary"]  # the language came from a cookie: caches must know


def test_login_page_in_german_for_a_german_browser():
    html = Client().get("/accounts/login/", **GERMAN).content.decode()

    assert '<html lang="de">' in html
    assert "Portal für Veranstalter" in html  # ours
    assert "Passwort vergessen?" in html  # allauth's own German catalogue
    assert "Forgot your password?" not in html


def test_a_signed_in_users_setting_outranks_the_browser():
    german = UserFactory()
    _speaks(german, "de")
    english = UserFactory()
    _speaks(english, "en")
    undecided = UserFactory()
    clients = {}
    for user in (german, english, undecided):
        clients[user] = Client()
        clients[user].force_login(user)

    assert "Meine Veranstaltungen" in clients[german].get("/my/events/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My events" in clients[english].get("/my/events/", **GERMAN).content.decode()
    assert "Meine Veranstaltungen" in clients[undecided].get("/my/events/", **GERMAN).content.decode()
    assert "My events" in clients[undecided].get("/my/events/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_signing_in_through_the_login_form_applies_the_setting():
    user = UserFactory(password="a long passphrase 1")
    _speaks(user, "de")
    client = Client()

    before = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    signed_in = client.post(
        "/accounts/login/", {"login": user.email, "password": "a long passphrase 1"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    after = client.get("/my/events/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Portal für Veranstalter" not in before
    assert signed_in.status_code == 302
    assert "Meine Veranstaltungen" in after


def test_switching_language_while_signed_in_saves_the_setting():
    user = UserFactory()
    _speaks(user, "en")
    client = Client()
    client.force_login(user)

    client.post("/i18n/setlang/", {"language": "de", "next": "/my/events/"})

    assert Profile.objects.get(user=user).language == "de"
    assert "Meine Veranstaltungen" in client.get("/my/events/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_me_reads_and_sets_the_language_with_its_choices_validated():
    user = UserFactory()
    api = client_for(user)

    assert api.get("/api/v1/me").json()["language"] == ""
    chosen = api.patch("/api/v1/me", {"language": "de"}, format="json")
    refused = api.patch("/api/v1/me", {"language": "fr"}, format="json")
    cleared = api.patch("/api/v1/me", {"language": ""}, format="json")

    assert chosen.status_code == 200
    assert chosen.json()["language"] == "de"
    # the app's catalogue (/app/jsi18n.js, a plain script) goes by the cookie
    assert chosen.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert refused.status_code == 400
    assert set(refused.json()["error"]["fields"]) == {"language"}
    assert cleared.json()["language"] == ""
    assert cleared.cookies[settings.LANGUAGE_COOKIE_NAME].value == ""  # deleted: the browser decides
    assert Profile.objects.get(user=user).language == ""


def test_api_errors_speak_the_clients_language():
    api = client_for(UserFactory())

    refused = api.patch("/api/v1/me", {"interests": ["!!!"]}, format="json", **GERMAN)

    assert refused.status_code == 400
    assert refused.json()["error"]["fields"]["interests"] == ["'!!!' ist als Interesse nicht verwendbar."]


def test_the_apps_catalogue_is_german_for_a_german_browser():
    german = Client().get("/app/jsi18n.js", **GERMAN).content.decode()
    english = Client().get("/app/jsi18n.js", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Mein Programm" in german
    assert "Mein Programm" not in english
