import os

import pytest
from django.db import connection
from django.test import override_settings

from eventhub.testing import factories
from eventhub.testing.live import session_token_for


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (`make test`), tests that start servers or browsers go first: they are
    the long ones (the fresh-clone smoke run alone takes about a minute), and a long test left
    for the end keeps one core busy while the other idles. Every worker sorts its collection the
    same way (xdist requires identical collections); a single-process run keeps file order."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=lambda item: item.get_closest_marker("live") is None)


@pytest.fixture(scope="session", autouse=True)
def _whitenoise_without_startup_scan():
    """WhiteNoise's middleware walks every file under STATIC_ROOT when it is created, and Django's
    test client builds its middleware chain afresh for every client: ~0.1 s per test client once
    `collectstatic` has run. In autorefresh mode WhiteNoise finds a file when it is asked for
    instead (same answers; only this test process, never the servers tests start)."""
    with override_settings(WHITENOISE_AUTOREFRESH=True):
        yield


@pytest.fixture
def user_factory():
    return factories.UserFactory


@pytest.fixture
def token_for():
    return session_token_for


@pytest.fixture(scope="session", autouse=True)
def _end_stray_test_database_sessions(django_db_setup, django_db_blocker):
    """Connections opened in executor threads by async tests are never closed by Django; end
    them so the test database can be dropped at the end of the run."""
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture
def page_settings(settings):
    """For tests that render pages with Django's test client: plain static storage (the manifest
    storage needs `collectstatic` first; these tests only need the URLs) and a per-test cache
    (allauth and axes count login attempts in the cache; Redis would carry them from one test,
    and run, to the next)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
