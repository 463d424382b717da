"""The portal in a real browser against a real daphne: log in through the login page, switch
organization and event, create (with a form error first) and edit an event, manage members over
htmx without reloads, and watch the participant number change live when someone joins through
the API. Screenshots land in var/screenshots/."""

import re

import httpx
import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from eventhub.testing.factories import PASSWORD, EventFactory, MemberFactory, OrganizationFactory, UserFactory
from eventhub.testing.live import session_token_for
from events.enums import MemberRole
from events.models import Event, OrganizationMember

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]


def _roles(organization) -> dict[str, str]:
    with scopes_disabled():
        return dict(OrganizationMember.objects.filter(organization=organization).values_list("user__email", "role"))


def _login_with_cookie(page: Page, server: str, user) -> None:
    """A portal session without the login form (the login page has its own test)."""
    page.context.add_cookies([{"name": "sessionid", "value": session_token_for(user), "url": server}])


@pytest.fixture
def acme(browser_passwords):
    owner = UserFactory(email="olivia@example.org")
    acme = OrganizationFactory(name="Acme Events", slug="acme")
    MemberFactory(organization=acme, user=owner, role=MemberRole.OWNER)
    EventFactory(organization=acme, name="Acme Conf", slug="acme-conf", venue_name="Acme Hall")
    beta = OrganizationFactory(name="Beta Club", slug="beta")
    MemberFactory(organization=beta, user=owner, role=MemberRole.ADMIN)
    EventFactory(organization=beta, name="Beta Meetup", slug="beta-meetup", venue_name="Beta Loft")
    UserFactory(email="newbie@example.org")
    return acme


def test_login_and_switch_organization_and_event(page: Page, server, acme, screenshot):
    page.goto(f"{server}/accounts/signup/")
    expect(page.get_by_role("heading", name="Sign up")).to_be_visible()
    screenshot("01-signup")
    page.goto(f"{server}/accounts/password/reset/")
    expect(page.get_by_role("heading", name="Password Reset")).to_be_visible()
    screenshot("02-password-reset")

    page.goto(f"{server}/portal/")
    expect(page).to_have_url(f"{server}/accounts/login/?next=/portal/")
    page.get_by_label("Email").fill("olivia@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The email address and/or password you specified are not correct.")).to_be_visible()
    screenshot("03-login-error")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{server}/portal/")
    expect(page.get_by_role("heading", name="Your organizations")).to_be_visible()
    screenshot("04-home")

    page.get_by_test_id("switcher").click()
    screenshot("05-switcher-open")
    page.locator(".switcher-menu").get_by_role("link", name="Beta Club").click()
    expect(page).to_have_url(f"{server}/portal/beta/")
    expect(page.get_by_role("heading", name="Beta Club")).to_be_visible()
    expect(page.get_by_test_id("switcher")).to_contain_text("Beta Club")

    page.get_by_test_id("switcher").click()
    page.locator(".switcher-menu").get_by_role("link", name="Acme Conf").click()
    expect(page).to_have_url(f"{server}/portal/acme/events/acme-conf/")
    expect(page.get_by_test_id("switcher")).to_contain_text("Acme Events › Acme Conf")
    expect(page.get_by_role("heading", name="Acme Conf")).to_be_visible()
    screenshot("06-event")

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    screenshot("07-signed-out")
    page.goto(f"{server}/portal/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_create_and_edit_event(page: Page, server, acme, screenshot):
    _login_with_cookie(page, server, UserFactory._meta.model.objects.get(email="olivia@example.org"))
    page.goto(f"{server}/portal/acme/")
    screenshot("10-organization")
    page.get_by_role("link", name="New event").click()
    expect(page.get_by_role("heading", name="New event")).to_be_visible()

    page.get_by_label("Name", exact=True).fill("Winter Summit")
    page.get_by_label("Slug").fill("winter-summit")
    page.get_by_label("Time zone").fill("America/New_York")
    page.get_by_label("Start", exact=True).fill("2026-12-10T18:00")
    page.get_by_label("End", exact=True).fill("2026-12-10T09:00")
    page.get_by_label("Venue name").fill("Pier 17")
    page.get_by_role("button", name="Create event").click()

    expect(page.get_by_text("The event must end after it starts.")).to_be_visible()
    screenshot("11-event-form-error")
    with scopes_disabled():
        assert not Event.objects.filter(slug="winter-summit").exists()

    page.get_by_label("End", exact=True).fill("2026-12-11T17:30")
    page.get_by_role("button", name="Create event").click()

    expect(page).to_have_url(f"{server}/portal/acme/events/winter-summit/")
    expect(page.get_by_text("Event “Winter Summit” created.")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Thursday, 10 December 2026, 18:00")
    screenshot("12-event-created")

    page.get_by_role("link", name="Edit event").click()
    expect(page.get_by_label("Start", exact=True)).to_have_value("2026-12-10T18:00")
    page.get_by_label("Name", exact=True).fill("Winter Summit 2026")
    page.get_by_label("Start", exact=True).fill("2026-12-10T19:00")
    screenshot("13-event-edit")
    page.get_by_role("button", name="Save event").click()

    expect(page.get_by_role("heading", name="Winter Summit 2026")).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("Thursday, 10 December 2026, 19:00")
    with scopes_disabled():
        event = Event.objects.get(slug="winter-summit")
    assert event.name == "Winter Summit 2026"
    assert event.start.isoformat() == "2026-12-11T00:00:00+00:00"  # 19:00 in New York

    page.goto(f"{server}/portal/acme/audit/")
    expect(page.locator("#audit-log")).to_contain_text("event.updated")
    expect(page.locator("#audit-log")).to_contain_text("event.created")
    screenshot("14-audit-log")


def test_members_add_change_role_and_remove(page: Page, server, acme, screenshot, no_reload):
    _login_with_cookie(page, server, UserFactory._meta.model.objects.get(email="olivia@example.org"))
    page.goto(f"{server}/portal/acme/members/")

    page.get_by_label("Email").fill("newbie@example.org")
    page.get_by_label("Role", exact=True).select_option("editor")
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_text("newbie@example.org added.")).to_be_visible()
    newbie_row = page.locator("tr[data-email='newbie@example.org']")
    expect(newbie_row).to_be_visible()
    assert _roles(acme) == {"olivia@example.org": "owner", "newbie@example.org": "editor"}
    screenshot("20-members")

    no_reload.set()
    newbie_row.get_by_label("Role of newbie@example.org").select_option("operator")
    expect(newbie_row.get_by_role("status")).to_have_text("Saved")
    no_reload.assert_same()
    assert _roles(acme)["newbie@example.org"] == "operator"

    owner_row = page.locator("tr[data-email='olivia@example.org']")
    owner_row.get_by_label("Role of olivia@example.org").select_option("admin")
    expect(owner_row.get_by_role("alert")).to_have_text("An organization needs at least one owner.")
    expect(owner_row.get_by_label("Role of olivia@example.org")).to_have_value("owner")
    no_reload.assert_same()
    assert _roles(acme)["olivia@example.org"] == "owner"
    screenshot("21-members-last-owner-error")

    page.once("dialog", lambda dialog: dialog.accept())
    newbie_row.get_by_role("button", name="Remove").click()
    expect(newbie_row).to_have_count(0)
    no_reload.assert_same()
    assert _roles(acme) == {"olivia@example.org": "owner"}
    screenshot("22-members-removed")


def test_participant_number_updates_live(page: Page, server, acme, screenshot, no_reload):
    _login_with_cookie(page, server, UserFactory._meta.model.objects.get(email="olivia@example.org"))
    with scopes_disabled():
        event = Event.objects.get(slug="acme-conf")
    page.goto(f"{server}/portal/acme/events/acme-conf/")
    count = page.locator("#participant-count")
    expect(count).to_have_text("0")
    expect(page.locator("[data-live-status]")).to_have_text("live")
    no_reload.set()

    joined = []
    for email in ("ann@example.org", "bob@example.org"):
        token = session_token_for(UserFactory(email=email))
        response = httpx.post(f"{server}/api/v1/events/{event.pk}/join", headers={"X-Session-Token": token})
        joined.append(response.status_code)
        expect(count).to_have_text(str(len(joined)))

    assert joined == [201, 201]
    expect(page.locator("[data-kind-count='attendee']")).to_have_text("2")
    no_reload.assert_same()
    screenshot("30-event-live-count")


@pytest.mark.parametrize(
    ("path", "heading"),
    [
        ("/accounts/email/", "Email Addresses"),
        ("/accounts/password/change/", "Change Password"),
        ("/accounts/2fa/", "Two-Factor Authentication"),
        ("/accounts/logout/", "Sign out"),
        ("/portal/acme/events/no-such-event/", "Page not found"),
    ],
)
def test_account_and_error_pages_render_in_the_layout(page: Page, server, acme, screenshot, path, heading):
    _login_with_cookie(page, server, UserFactory._meta.model.objects.get(email="olivia@example.org"))

    page.goto(f"{server}{path}")

    expect(page.locator("main h1")).to_have_text(heading)
    expect(page.locator("header.topbar")).to_be_visible()
    screenshot("40-page-" + path.strip("/").replace("/", "-"))
