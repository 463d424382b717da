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
