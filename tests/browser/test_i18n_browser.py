"""The attendee app in German in a real browser at 390 px (docs/decisions.md "Translations"):
a German browser gets the agenda in German (the catalogue /app/jsi18n.js, dates through Intl in
the page's language); an English browser whose user picks Deutsch in the profile reloads into
German and stays there. Screenshots: var/screenshots/i18n-*.png."""

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from accounts.models import Profile
from eventhub.testing.factories import UserFactory
from events.models import Participant

from .conftest import SCREENSHOTS
from .test_app_browser import PHONE, _axe, _signed_in, conf  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def _attendee(event):
    user = UserFactory(email="jonas@example.org")
    with scopes_disabled():
        Participant.objects.create(event=event, user=user, kind="attendee")
    return user


def _shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"i18n-{name}.png"), full_page=True)


def test_a_german_browser_gets_the_agenda_in_german(page: Page, server, conf):  # noqa: F811
    event = conf["event"]
    user = _attendee(event)
    german = page.context.browser.new_context(viewport=PHONE, locale="de-DE")  # Accept-Language: de-DE
    phone = german.new_page()
    try:
        _signed_in(phone, server, user, f"/e/{event.pk}/agenda")

        expect(phone.locator("html")).to_have_attribute("lang", "de")
        expect(phone.locator("#tabs")).to_contain_text("Mein Programm")
        expect(phone.locator("#tabs")).to_contain_text("Profil")
        expect(phone.get_by_label("Suche")).to_be_visible()
        expect(phone.locator("#track")).to_contain_text("Alle Tracks")
        expect(phone.locator("#list")).to_contain_text("Opening keynote")
        # the day buttons in German (Intl in the page's language): "Mi., 3. Dez." and the like
        day = phone.locator("#days button").first.inner_text()
        assert any(name in day for name in ("Mo.", "Di.", "Mi.", "Do.", "Fr.", "Sa.", "So.")), day
        assert "My agenda" not in phone.locator("body").inner_text()
        _axe(phone, "agenda (de)")
        _shot(phone, "agenda-de")
    finally:
        german.close()


def test_choosing_deutsch_in_the_profile_switches_the_app(page: Page, server, conf):  # noqa: F811
    event = conf["event"]
    user = _attendee(event)
    _signed_in(page, server, user, f"/e/{event.pk}/agenda")
    expect(page.locator("#tabs")).to_contain_text("My agenda")

    page.goto(f"{server}/app/#/profile")
    page.get_by_label("Language").select_option("de")
    page.get_by_role("button", name="Save", exact=True).click()

    # saved, the page loads again in German (the cookie the API set)
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("heading", name="Profil")).to_be_visible()
    expect(page.get_by_label("Sprache")).to_have_value("de")
    assert Profile.objects.get(user=user).language == "de"
    _shot(page, "profile-de")
    page.goto(f"{server}/app/#/e/{event.pk}/agenda")
    expect(page.locator("#tabs")).to_contain_text("Mein Programm")
