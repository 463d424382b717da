"""Killed database connections are not a burst of 500s (issue 11, Medium 12): after PostgreSQL
ends every backend of a live server (``pg_terminate_backend``, as a restart or failover does),
the next requests are answered. The pool's health check keeps a dead connection from being
handed out; ``eventhub.db`` retries a request's first query once if one still slips through.
With both off (``DATABASE_HEALTH_CHECKS=0``, the negative control) the same kill is a 500."""

import time
import uuid

import httpx
import pytest
from django.db import connection

from eventhub.testing import live
from eventhub.testing.factories import UserFactory
from eventhub.testing.live import daphne, session_token_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.live]


def _terminate(application_name: str) -> int:
    """End every backend the server holds; returns how many there were."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = %s",
            [application_name],
        )
        return cursor.fetchone()[0]


def _statuses_after_kill(tmp_path, **env: str) -> tuple[int, list[int]]:
    name = f"eh-dbkill-{uuid.uuid4().hex[:8]}"
    token = session_token_for(UserFactory())
    server_env = {
        "DATABASE_URL": f"{live.test_database_url()}?application_name={name}",
        "DATABASE_POOL_MIN": "3",
        **env,
    }
    with daphne(tmp_path, **server_env) as base_url, httpx.Client(base_url=base_url, timeout=30) as client:
        headers = {"X-Session-Token": token}
        warm = [client.get("/api/v1/me/events", headers=headers).status_code for _ in range(3)]
        assert warm == [200, 200, 200]
        killed = _terminate(name)
        time.sleep(0.5)  # the backends are gone; the pool does not know yet
        statuses = [client.get("/api/v1/me/events", headers=headers).status_code for _ in range(6)]
    return killed, statuses


def test_requests_after_every_backend_is_terminated_succeed(tmp_path):
    killed, statuses = _statuses_after_kill(tmp_path)

    assert killed >= 1
    assert statuses == [200] * 6


def test_the_first_query_retry_alone_also_answers_them(tmp_path):
    """The pool's check off, the retry on: every request takes a dead pooled connection first."""
    killed, statuses = _statuses_after_kill(tmp_path, DATABASE_POOL_CHECK="0")

    assert killed >= 1
    assert statuses == [200] * 6


def test_without_health_checks_the_same_kill_is_a_500(tmp_path):
    """Negative control: the kill above does reach the server's pooled connections."""
    killed, statuses = _statuses_after_kill(tmp_path, DATABASE_HEALTH_CHECKS="0")

    assert killed >= 1
    assert 500 in statuses
