"""Browser tests: Playwright drives Debian's chromium (never `playwright install`) against a real
daphne on the test database. Tests here are marked ``browser`` and ``live``; they need
``transaction=True`` so the server process sees the data they create."""

import asyncio
import fcntl
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import Page, expect, sync_playwright

from eventhub.testing.live import ROOT, daphne

# The suite runs on both cores beside live servers; a page that answers in 6 s on a loaded
# machine is slow, not wrong. What each expectation asserts is unchanged.
expect.set_options(timeout=15_000)

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
def _collected_static(tmp_path_factory, worker_id):
    """daphne serves static files from the collected manifest (DEBUG is off, as in production).

    Once per run: xdist workers share ``var/static``, and collectstatic deletes and rewrites the
    manifest, so a server another worker starts meanwhile could read none. The first worker
    collects under a lock in the run's shared temporary folder; the others wait for it."""
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    with (shared / "collectstatic.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = shared / "collectstatic.done"
        if not done.exists():
            subprocess.run(
                [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                cwd=ROOT,
                check=True,
                env={**os.environ, "DJANGO_DEBUG": "0"},
            )
            done.touch()


@pytest.fixture
def server(tmp_path, transactional_db, _collected_static):
    # DJANGO_ALLOW_ASYNC_UNSAFE="" keeps Django's async-safety check on in the server even
    # when the test process has it switched off (see `page`).
    with daphne(tmp_path, DJANGO_ALLOW_ASYNC_UNSAFE="") as url:
        yield url


@pytest.fixture
def page(server, monkeypatch) -> Iterator[Page]:
    """A chromium page, one browser per test, started after the server and the database.

    Playwright's sync API marks its event loop as running in this thread between calls, so
    Django takes the test's plain ORM calls for calls from async code: the check is off while
    the browser runs, and the loop mark is cleared when it stops, before the database is flushed
    and before any later (non-browser) test runs."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`).")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="en-US")
            context.set_default_timeout(15_000)
            page = context.new_page()
            # Every page runs under its Content-Security-Policy (eventhub/headers.py): whatever
            # the policy blocks (an inline handler, an eval in a library) fails the test.
            blocked: list[str] = []
            page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
            yield page
            assert blocked == []
        finally:
            browser.close()
    finally:
        # While the loop is marked running, Django keeps this test's database connections in
        # "async" storage apart from the thread's own; close them now (the mark is still set
        # after the last sync call), or they would outlive the test and block dropping the
        # test database.
        connections.close_all()
        playwright.stop()
        asyncio.events._set_running_loop(None)


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
