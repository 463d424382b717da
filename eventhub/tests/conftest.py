import pytest


@pytest.fixture
def plain_static_storage(settings):
    """Serve ``{% static %}`` without the manifest that ``collectstatic`` writes, so page tests
    do not depend on a prior ``collectstatic`` run (``make test`` does one; a bare pytest run
    does not)."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
