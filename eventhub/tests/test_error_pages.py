"""Bug 14 of issue 10: the demo (``make run`` has ``DEBUG`` on) must show branded error pages,
not Django's debug pages with the URLconf or a traceback — except to staff — and point an
attendee to the attendee app; a favicon; the schema URL shown, not downloaded; "Sign in"
spelled one way."""

import pytest
from django.test import Client

from eventhub.testing.factories import EventFactory, MemberFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _portal_settings(page_settings):
    pass


@pytest.fixture
def debug(settings):
    settings.DEBUG = True
    return settings


@pytest.mark.parametrize("path", ["/no-such-page/", "/portal/no-such-org/", "/portal/acme/events/conf/"])
def test_attendee_gets_the_branded_404_with_debug_on(client, debug, path):
    EventFactory(organization__slug="acme", slug="conf")
    client.force_login(UserFactory())  # an attendee: no member of the organization

    response = client.get(path)

    html = response.content.decode()
    assert response.status_code == 404
    assert 'data-testid="error-page"' in html
    assert "URLconf" not in html
    assert 'data-testid="attendee-hint"' in html


def test_portal_event_404_tells_an_attendee_where_the_event_is(client, debug):
    EventFactory(organization__slug="acme", slug="conf")
    client.force_login(UserFactory())

    html = client.get("/portal/acme/events/conf/agenda/").content.decode()

    assert "Attending this event?" in html


def test_portal_address_of_a_public_event_links_its_public_page(client, debug):
    event = EventFactory(organization__slug="acme", slug="conf", status="published", visibility="public")
    client.force_login(UserFactory())

    resolved = client.get("/portal/acme/events/conf/agenda/").content.decode()
    unresolved = client.get("/portal/acme/events/conf/no-such-tab/").content.decode()

    assert f'href="/events/{event.pk}/"' in resolved
    assert f'href="/events/{event.pk}/"' in unresolved


def test_portal_address_of_a_draft_event_does_not_confirm_it(client, debug):
    event = EventFactory(organization__slug="acme", slug="conf", status="draft")
    client.force_login(UserFactory())

    html = client.get("/portal/acme/events/conf/agenda/").content.decode()

    assert f"/events/{event.pk}/" not in html
    assert 'href="/app/"' in html


def test_staff_still_get_the_debug_404(client, debug):
    client.force_login(UserFactory(is_staff=True))

    response = client.get("/no-such-page/")

    assert (response.status_code, "URLconf" in response.content.decode()) == (404, True)


def test_branded_404_without_debug(client):
    response = client.get("/no-such-page/")

    assert (response.status_code, 'data-testid="error-page"' in response.content.decode()) == (404, True)


def test_page_error_with_debug_is_the_branded_500(debug):
    debug.ROOT_URLCONF = "eventhub.tests.error_urls"
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory())

    response = client.get("/portal-boom/")

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in html
    assert "Traceback" not in html
    assert "a bug in a page" not in html


def test_page_error_with_debug_shows_staff_the_traceback(debug):
    debug.ROOT_URLCONF = "eventhub.tests.error_urls"
    client = Client(raise_request_exception=False)
    client.force_login(UserFactory(is_staff=True))

    response = client.get("/portal-boom/")

    assert (response.status_code, "a bug in a page" in response.content.decode()) == (500, True)


def test_api_paths_keep_their_json_404_with_debug_on(client, debug):
    response = client.get("/api/v1/no-such-thing")

    assert (response.status_code, response["Content-Type"]) == (404, "application/json")


def test_pages_link_a_favicon_and_favicon_ico_leads_to_it(client):
    user = MemberFactory().user
    client.force_login(user)

    html = client.get("/portal/").content.decode()
    favicon = client.get("/favicon.ico")

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in html
    assert (favicon.status_code, favicon["Location"]) == (301, "/static/favicon.svg")


def test_schema_url_opened_in_a_browser_shows_the_docs(client):
    browser = client.get("/api/v1/schema/", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    tool = client.get("/api/v1/schema/")
    docs_fetch = client.get("/api/v1/schema/", headers={"Accept": "application/json,*/*"})

    assert (browser.status_code, browser["Location"]) == (302, "/api/v1/docs/")
    assert (tool.status_code, tool["Content-Type"].split(";")[0]) == (200, "application/vnd.oai.openapi")
    assert docs_fetch.status_code == 200


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/signup/"])
def test_sign_in_is_spelled_in_sentence_case(client, path):
    html = client.get(path).content.decode()

    assert "Sign In" not in html
    assert "Sign Up" not in html
    assert "Sign in" in html
