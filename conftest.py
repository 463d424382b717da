import pytest

from eventhub.testing import factories
from eventhub.testing.live import session_token_for


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    from django.db import connection

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
