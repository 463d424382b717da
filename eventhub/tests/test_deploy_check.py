"""Production settings come from the environment only, and ``manage.py check --deploy`` is clean
with them (DESIGN §5). The check also runs drf-spectacular's schema generation, so a schema
warning fails here too."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

from eventhub.testing.live import ROOT


def _check_deploy(tmp_path, **overrides: str) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SECURE_", "SESSION_", "CSRF_", "ALLOWED_HOSTS"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "eventhub.settings",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
            "DJANGO_DEBUG": "0",
            "ALLOWED_HOSTS": "events.example.com",
            "DATABASE_URL": os.environ["DATABASE_URL"],
            "REDIS_URL": settings.REDIS_URL,
            "EVENTHUB_VAR_DIR": str(tmp_path),
            "EMBEDDED_SCHEDULER": "0",
            **overrides,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_with_production_environment_reports_no_issues(tmp_path):
    result = _check_deploy(tmp_path)

    assert (result.returncode, result.stdout.strip()) == (0, "System check identified no issues (0 silenced)."), (
        result.stderr
    )


def test_check_deploy_with_debug_on_fails(tmp_path):
    """The negative control: the same command does fail on an insecure setting."""
    result = _check_deploy(tmp_path, DJANGO_DEBUG="1")

    assert result.returncode == 1
    assert "security.W018" in result.stderr
