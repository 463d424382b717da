"""Import and invitations in a real browser against a real daphne: a CSV import whose bad row is
reported with its row number (nothing imported), a good import, and a re-import of the same file
that creates nothing; an invitation accepted by a person without an account, who signs up from
the link and lands in the organization. Screenshots: var/screenshots/portal-io-*.png."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from eventhub.models import OutboundEmail
from eventhub.testing.factories import EventFactory, MemberFactory, OrganizationFactory, UserFactory
from eventhub.testing.live import session_token_for
from events.enums import MemberRole
from events.models import OrganizationMember, Room, Session

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]

BERLIN = ZoneInfo("Europe/Berlin")
PASSWORD = "a-long-enough-Passw0rd"
ROOMS = b"external_id,name,capacity\nR1,Hall A,300\nR2,Hall B,120\n"
SESSIONS = (
    b"external_id,title,start,duration,room\n"
    b"T1,Opening keynote,2031-05-01 09:00,60,R1\n"
    b"T2,Clash,2031-05-01 09:30,30,R1\n"
    b"T3,Compilers,2031-05-01 10:30,45,R2\n"
)


@pytest.fixture
def acme(browser_passwords):
    owner = UserFactory(email="olivia@example.org")
    acme = OrganizationFactory(name="Acme Events", slug="acme")
    MemberFactory(organization=acme, user=owner, role=MemberRole.OWNER)
    EventFactory(
        organization=acme,
        name="Acme Conf",
        slug="acme-conf",
        timezone="Europe/Berlin",
        start=datetime(2031, 5, 1, 8, 0, tzinfo=BERLIN),
        end=datetime(2031, 5, 2, 18, 0, tzinfo=BERLIN),
    )
    return type("Acme", (), {"organization": acme, "owner": owner})


def _sign_in(page: Page, server: str, user) -> None:
    page.context.add_cookies([{"name": "sessionid", "value": session_token_for(user), "url": server}])


def _upload(page: Page, kind: str, name: str, content: bytes) -> None:
    page.get_by_label("What the file holds").select_option(kind)
    page.get_by_label("CSV or XLSX file").set_input_files({"name": name, "mimeType": "text/csv", "buffer": content})
    page.get_by_role("button", name="Preview").click()


def _counts() -> tuple[int, int]:
    with scopes_disabled():
        return Room.objects.count(), Session.objects.count()


def test_a_csv_import_reports_a_bad_row_and_a_reimport_creates_nothing(page: Page, server, acme, screenshot):
    _sign_in(page, server, acme.owner)
    page.goto(f"{server}/portal/acme/events/acme-conf/agenda/import")
    expect(page.get_by_role("heading", name="Import")).to_be_visible()
    screenshot("portal-io-01-import-form")

    _upload(page, "rooms", "rooms.csv", ROOMS)
    expect(page.locator("#import-summary")).to_contain_text("2 to create, 0 to update, 0 unchanged.")
    screenshot("portal-io-02-rooms-preview")
    assert _counts() == (0, 0)  # a preview saves nothing
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text("Imported rooms from rooms.csv: 2 created, 0 updated, 0 unchanged.")).to_be_visible()
    assert _counts() == (2, 0)

    _upload(page, "sessions", "sessions.csv", SESSIONS)
    bad = page.locator('#import-rows tr[data-row="3"]')
    expect(bad).to_contain_text("room: Hall A is already booked then: “Opening keynote” Thu 09:00.")
    expect(page.get_by_role("heading", name=re.compile("1 row needs fixing"))).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Import"))).to_have_count(0)
    screenshot("portal-io-03-bad-row")
    assert _counts() == (2, 0)

    fixed = SESSIONS.replace(b"T2,Clash,2031-05-01 09:30", b"T2,Clash,2031-05-01 11:30")
    _upload(page, "sessions", "sessions.csv", fixed)
    expect(page.locator("#import-summary")).to_contain_text("3 to create")
    page.get_by_role("button", name="Import 3 rows").click()
    expect(page.get_by_text("Imported sessions from sessions.csv: 3 created, 0 updated, 0 unchanged.")).to_be_visible()
    assert _counts() == (2, 3)

    _upload(page, "sessions", "sessions.csv", fixed)
    expect(page.locator("#import-summary")).to_contain_text("0 to create, 0 to update, 3 unchanged.")
    screenshot("portal-io-04-reimport-preview")
    page.get_by_role("button", name="Import 3 rows").click()
    expect(page.get_by_text("Imported sessions from sessions.csv: 0 created, 0 updated, 3 unchanged.")).to_be_visible()
    screenshot("portal-io-05-reimported")
    assert _counts() == (2, 3)

    page.goto(f"{server}/portal/acme/events/acme-conf/exports/")
    expect(page.get_by_role("heading", name="Exports")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="XLSX").first.click()
    expect(page.locator("#export-status")).to_have_text("Download started.")
    assert download.value.suggested_filename == "acme-conf-speakers.xlsx"
    screenshot("portal-io-06-exports")


def test_an_invitation_is_accepted_by_a_person_without_an_account(page: Page, server, acme, screenshot):
    _sign_in(page, server, acme.owner)
    page.goto(f"{server}/portal/acme/invitations/")
    page.get_by_label("E-mail address").fill("newcomer@example.org")
    page.get_by_label("Role").select_option("editor")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent to newcomer@example.org.")).to_be_visible()
    expect(page.locator("#invitations")).to_contain_text("newcomer@example.org")
    screenshot("portal-io-07-invitations")
    with scopes_disabled():
        body = OutboundEmail.objects.get(to="newcomer@example.org").body
    link = re.search(r"https?://\S+/invitations/\S+", body)
    assert link, body
    page.get_by_role("button", name="Sign out").click()

    page.goto(link.group(0))
    expect(page.get_by_role("heading", name="Join Acme Events")).to_be_visible()
    screenshot("portal-io-08-invitation")
    page.get_by_role("link", name="Create an account").click()
    expect(page.locator("input[name=email]")).to_have_value("newcomer@example.org")
    page.locator("input[name=password1]").fill(PASSWORD)
    page.locator("input[name=password2]").fill(PASSWORD)
    screenshot("portal-io-09-signup")
    page.get_by_role("button", name=re.compile("Sign Up", re.IGNORECASE)).click()
    expect(page.get_by_role("button", name="Accept invitation")).to_be_visible()
    page.get_by_role("button", name="Accept invitation").click()

    expect(page).to_have_url(f"{server}/portal/acme/")
    expect(page.get_by_role("heading", name="Acme Events")).to_be_visible()
    screenshot("portal-io-10-landed")
    with scopes_disabled():
        assert (
            OrganizationMember.objects.get(organization=acme.organization, user__email="newcomer@example.org").role
            == "editor"
        )
