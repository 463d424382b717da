"""`make run` from a fresh clone with no environment serves the API schema, the login page and
the admin login (scripts/smoke-run does the work; this puts it in CI)."""

import os
import subprocess

import pytest

from eventhub.testing.live import ROOT, free_port


@pytest.mark.live
def test_make_run_from_a_fresh_clone_serves_schema_login_and_admin():
    # A port from this xdist worker's block (scripts/smoke-run would take any free one).
    env = {**os.environ, "SMOKE_PORT": str(free_port())}
    result = subprocess.run(
        [str(ROOT / "scripts" / "smoke-run")], capture_output=True, text=True, timeout=1500, check=False, env=env
    )

    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "smoke-run: ok  GET /api/v1/schema/ -> 200" in result.stderr
    assert "smoke-run: ok  GET /accounts/login/ -> 200" in result.stderr
    assert "smoke-run: ok  GET /admin/login/ -> 200" in result.stderr
    assert result.stderr.rstrip().endswith("smoke-run: PASSED")
