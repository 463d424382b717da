"""Browser tests: Playwright drives Debian's chromium (never `playwright install`) against a real
daphne on the test database. Tests here are marked ``browser`` and ``live``; they need
``transaction=True`` so the server process sees the data they create."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from eventhub.testing.live import ROOT, daphne

# Playwright's sync API keeps an event loop in the main thread; Django then refuses ORM calls
# from the test body ("you cannot call this from an async context") although they are sync.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = ROOT / "var" / "screenshots"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`).")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 860}, "locale": "en-US"}


@pytest.fixture(scope="session")
def _collected_static():
    """daphne serves static files from the collected manifest (DEBUG is off, as in production)."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "DJANGO_DEBUG": "0"},
    )


@pytest.fixture
def server(tmp_path, transactional_db, _collected_static):
    with daphne(tmp_path) as url:
        yield url


@pytest.fixture
def browser_passwords(settings):
    """Users who log in through the real login page need a hash that daphne's default
    hashers verify (the suite's fast MD5 hasher is not among them)."""
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]


@pytest.fixture
def screenshot(page):
    """``screenshot("name")`` saves ``var/screenshots/name.png`` (full page)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def no_reload(page):
    """Mark the current document; ``assert_same()`` then proves no navigation happened."""

    class Marker:
        def set(self) -> None:
            page.evaluate("window.__noReload = 'marked'")

        def assert_same(self) -> None:
            assert page.evaluate("window.__noReload || null") == "marked", "the page was reloaded"

    return Marker()
