"""The app's account screens end to end in a real browser at 390 px, through allauth headless
(app client) by code: a signup with mandatory e-mail verification confirmed with the code from
the e-mail, and a password reset with the code from the e-mail followed by a login with the new
password. The server mails through Django's console backend (the default outside production), so
the test reads each code from the server's own output. Then a demo attendee (``seed_demo``) logs
in and finds their bookmarks and their ticket. Screenshots: var/screenshots/app-4*-*.png."""

import io
import re
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django_scopes import scopes_disabled
from playwright.sync_api import Page, expect

from accounts.models import User
from eventhub.testing.factories import UserFactory
from eventhub.testing.live import daphne
from events.models import Bookmark

from .test_app_browser import PHONE, _decode_qr, _screen, _shot

pytestmark = [pytest.mark.browser, pytest.mark.live, pytest.mark.django_db(transaction=True)]

# A code on a line of its own (allauth's code e-mails), not the console backend's "-----" rule.
CODE = re.compile(r"^(?=[A-Z0-9-]*[A-Z0-9])[A-Z0-9-]{6,12}$", re.MULTILINE)


@pytest.fixture
def server(request, tmp_path, transactional_db, _collected_static):
    """daphne with the environment a test asks for through ``indirect`` parametrization."""
    with daphne(tmp_path, DJANGO_ALLOW_ASYNC_UNSAFE="", **getattr(request, "param", {})) as url:
        yield url


def _mailed_code(tmp_path: Path, to: str, *, seen: int = 0) -> str:
    """The code in the newest e-mail to ``to`` that the server printed (console backend)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        out = "".join(log.read_text(errors="replace") for log in tmp_path.glob("daphne-*.log"))
        mails = [m for m in out.split("\nSubject: ")[1:] if f"To: {to}" in m]
        if len(mails) > seen and (codes := CODE.findall(mails[-1])):
            return codes[-1]
        time.sleep(0.2)
    raise AssertionError(f"no code mailed to {to}:\n{out[-3000:]}")


@pytest.mark.parametrize("server", [{"ACCOUNT_EMAIL_VERIFICATION": "mandatory"}], indirect=True)
def test_signup_is_confirmed_with_the_code_from_the_email(page: Page, server, tmp_path, browser_passwords):
    # An address of its own per run: the server's rate limits (one code mail per address in
    # three minutes) count in the shared Redis, across runs.
    email = f"vic-{uuid.uuid4().hex[:8]}@example.org"
    page.set_viewport_size(PHONE)
    page.goto(f"{server}/app/#/signup")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill("a-long-enough-passphrase")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", name="Confirm your e-mail")).to_be_visible(timeout=30_000)
    assert not User.objects.get(email=email).emailaddress_set.get().verified
    _screen(page, "40-verify")
    page.get_by_label("Code").fill("WRONG1")
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Incorrect code.")).to_be_visible()

    page.get_by_label("Code").fill(_mailed_code(tmp_path, email))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", name="Welcome to EventHub")).to_be_visible(timeout=30_000)
    assert page.evaluate("localStorage.getItem('eventhub.sessionToken')")
    assert User.objects.get(email=email).emailaddress_set.get().verified
    _shot(page, "41-verified-welcome")


def test_password_reset_by_code_then_login_with_the_new_password(page: Page, server, tmp_path, browser_passwords):
    email = f"rita-{uuid.uuid4().hex[:8]}@example.org"  # as above: limits count across runs
    UserFactory(email=email)
    page.set_viewport_size(PHONE)
    page.goto(f"{server}/app/#/login")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Reset your password")).to_be_visible()
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.get_by_text("If the address has an account, a code is on its way.")).to_be_visible()
    _screen(page, "42-reset-code")

    page.get_by_label("Code").fill(_mailed_code(tmp_path, email))
    page.get_by_label("New password").fill("a-brand-new-passphrase")
    page.get_by_role("button", name="Set password").click()

    # allauth logs in after the reset only with ACCOUNT_LOGIN_ON_PASSWORD_RESET; either way the
    # new password is the one that works from now on.
    login = page.get_by_role("heading", name="Log in")
    events = page.get_by_role("heading", name="My events")
    expect(login.or_(events)).to_be_visible(timeout=30_000)
    if login.is_visible():
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill("a-brand-new-passphrase")
        page.get_by_role("button", name="Log in").click()
    expect(events).to_be_visible(timeout=30_000)
    assert User.objects.get(email=email).check_password("a-brand-new-passphrase")
    _shot(page, "43-reset-logged-in")


def test_demo_attendee_logs_in_and_sees_bookmarks_and_ticket(page: Page, server, browser_passwords, monkeypatch):
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    out = io.StringIO()
    call_command("seed_demo", "--allow-non-demo", stdout=out)  # the test database is no production
    found = re.search(r"Demo event ready: (.*) \(id (\d+),", out.getvalue())
    assert found, out.getvalue()
    name, event_id = found.group(1), int(found.group(2))
    with scopes_disabled():
        bookmarked = sorted(
            Bookmark.objects.filter(user__email="attendee1@example.com", session__event_id=event_id).values_list(
                "session__title", flat=True
            )
        )
    assert len(bookmarked) == 5

    page.set_viewport_size(PHONE)
    page.goto(f"{server}/app/")
    page.get_by_label("E-mail").fill("attendee1@example.com")
    page.get_by_label("Password").fill("eventhub-demo")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="My events")).to_be_visible(timeout=30_000)
    page.get_by_role("link", name=f"Open {name}").click()
    expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=30_000)

    page.goto(f"{server}/app/#/e/{event_id}/mine")
    expect(page.get_by_role("heading", name="My agenda")).to_be_visible()
    rows = page.locator("ul.sessions > li")
    expect(rows).to_have_count(5)
    for title in bookmarked:
        expect(rows.filter(has_text=title)).to_have_count(1)
    _screen(page, "44-demo-my-agenda")

    page.goto(f"{server}/app/#/e/{event_id}/tickets")
    expect(page.get_by_role("heading", name="My tickets")).to_be_visible()
    page.get_by_role("link", name="Show QR code of Regular").click()
    expect(page.locator("#qr")).to_be_visible()
    assert _decode_qr(page)
    _shot(page, "45-demo-ticket")
