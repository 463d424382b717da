"""Operations plumbing: health and readiness, the metrics endpoint and module, the client
address behind proxies, JSON logs, the per-installation channel prefix, optional Sentry."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest
import structlog
from django.db.migrations.executor import MigrationExecutor
from django.test import RequestFactory
from prometheus_client import REGISTRY

from eventhub import health, metrics
from eventhub.logs import logging_config
from eventhub.proxy import client_ip
from eventhub.realtime.frames import entry_frame
from eventhub.realtime.services import stream_append, stream_append_many
from eventhub.realtime.streams import event_staff_stream, event_stream
from eventhub.testing.factories import EventFactory
from eventhub.testing.live import ROOT, free_port


@pytest.fixture
def fresh_readiness(monkeypatch):
    monkeypatch.setattr(health, "_migrations_applied", health.threading.Event())
    health._redis.cache_clear()
    yield
    health._redis.cache_clear()


def test_healthz_answers_without_touching_the_database(client):
    response = client.get("/healthz")  # no django_db mark: a query would raise

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_checks_database_redis_and_migrations(client, fresh_readiness):
    response = client.get("/readyz")

    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok", "migrations": "ok"}}


@pytest.mark.django_db
def test_readyz_is_503_naming_redis_when_redis_does_not_answer(client, settings, fresh_readiness):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"

    response = client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failed"] == ["redis"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["redis"].startswith("ConnectionError")


@pytest.mark.django_db
def test_readyz_skips_redis_when_none_is_configured(client, settings, fresh_readiness):
    settings.REDIS_URL = ""

    assert client.get("/readyz").json()["checks"] == {"database": "ok", "migrations": "ok"}


@pytest.mark.django_db
def test_readyz_is_503_naming_the_database_and_skips_migrations_when_it_fails(client, monkeypatch, fresh_readiness):
    def unreachable():
        raise OSError("connection refused")

    monkeypatch.setattr(health, "check_database", unreachable)

    body = client.get("/readyz").json()

    assert body["failed"] == ["database", "migrations"]
    assert body["checks"]["database"] == "OSError: connection refused"
    assert body["checks"]["migrations"] == "skipped"


@pytest.mark.django_db
def test_readyz_is_503_while_migrations_are_unapplied_then_stops_checking_once_they_are(
    client, monkeypatch, fresh_readiness
):
    plans = [["0001_pending"], []]
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: plans.pop(0))

    first = client.get("/readyz")
    second = client.get("/readyz")
    third = client.get("/readyz")  # a third plan would raise IndexError: the check is cached

    assert first.status_code == 503
    assert first.json()["checks"]["migrations"] == "RuntimeError: 1 unapplied"
    assert second.status_code == third.status_code == 200


def test_probes_and_the_scrape_skip_the_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200
    assert client.get("/portal/").status_code == 301


def test_health_endpoints_refuse_writes(client):
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


def test_metrics_serve_loopback_clients(client):
    metrics.count_scan("ok")

    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert 'eventhub_scans_total{result="ok"}' in text
    assert "django_http_requests_total_by_method_total" in text


def test_metrics_refuse_other_clients_without_the_token(client, settings):
    settings.METRICS_TOKEN = ""

    response = client.get("/metrics", REMOTE_ADDR="203.0.113.5")

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"


def test_metrics_serve_anyone_with_the_bearer_token(client, settings):
    settings.METRICS_TOKEN = "scrape-secret"

    good = client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer scrape-secret")
    bad = client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer guess")

    assert good.status_code == 200
    assert bad.status_code == 403


def test_metrics_behind_the_proxy_judge_the_forwarded_client_not_the_proxy(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.METRICS_TOKEN = ""

    remote = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    local = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="127.0.0.1")

    assert remote.status_code == 403
    assert local.status_code == 200


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "198.51.100.1", "10.0.0.9"),  # no proxy trusted: the header is ignored
        (1, "198.51.100.1", "198.51.100.1"),
        (1, "6.6.6.6, 198.51.100.1", "198.51.100.1"),  # what the client prepended is not believed
        (2, "6.6.6.6, 198.51.100.1, 10.0.0.2", "198.51.100.1"),
        (2, "198.51.100.1", "10.0.0.9"),  # fewer entries than proxies: not through them
        (1, "", "10.0.0.9"),
    ],
)
def test_client_ip_counts_trusted_proxies_from_the_right(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


def test_stream_kind_labels_carry_no_ids():
    assert metrics.stream_kind_label("event:12") == "event"
    assert metrics.stream_kind_label("event:12:staff") == "event:staff"
    assert metrics.stream_kind_label("user:7") == "user"


def _sample(metric, name: str, **labels: str) -> float:
    for family in metric.collect():
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return 0.0


def test_fanout_counts_deliveries_and_observes_lag_from_the_frames_at():
    at = datetime(2031, 5, 1, 9, 0, tzinfo=UTC)
    frame = entry_frame(stream="event:3:staff", seq=1, type="t", data={"at": "not this one"}, created_at=at)
    deliveries = _sample(metrics.HUB_DELIVERIES, "eventhub_hub_deliveries_total", kind="event:staff")
    lag_sum = _sample(metrics.STREAM_LAG, "eventhub_stream_lag_seconds_sum", kind="event:staff")

    metrics.count_fanout("event:3:staff", sockets=40, frame=frame, now=at + timedelta(milliseconds=250))

    assert _sample(metrics.HUB_DELIVERIES, "eventhub_hub_deliveries_total", kind="event:staff") == deliveries + 40
    assert _sample(metrics.STREAM_LAG, "eventhub_stream_lag_seconds_sum", kind="event:staff") == pytest.approx(
        lag_sum + 0.25
    )


@pytest.mark.django_db
def test_stream_appends_are_counted_by_kind_when_they_commit(django_capture_on_commit_callbacks):
    event = EventFactory()

    def appended(kind: str) -> float:
        return REGISTRY.get_sample_value("eventhub_stream_appends_total", {"kind": kind}) or 0.0

    before = {kind: appended(kind) for kind in ("event", "event:staff", "user")}
    with django_capture_on_commit_callbacks(execute=True):
        stream_append(stream=event_stream(event.pk), type="test.tick", data={})
        stream_append_many(
            entries=[(event_staff_stream(event.pk), "test.tick", {}), (event_staff_stream(event.pk), "test.tick", {})]
        )
    with django_capture_on_commit_callbacks(execute=False):  # rolled back: never committed
        stream_append(stream=event_stream(event.pk), type="test.tick", data={})

    assert {kind: appended(kind) - count for kind, count in before.items()} == {"event": 1, "event:staff": 2, "user": 0}


def test_json_logs_carry_the_request_id_in_our_events_and_standard_library_records(capsys):
    config = logging_config(json=True, level="INFO")  # our events: straight to (captured) stderr
    stream = io.StringIO()
    formatter = logging.config.DictConfigurator(config).configure_custom(dict(config["formatters"]["main"]))
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger("eventhub.tests.json")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with structlog.contextvars.bound_contextvars(request_id="abc123"):
            logger.warning("broadcast of %s failed", "event:1")
            structlog.get_logger("eventhub.tests.json").warning("scan_refused", gate=2)
            structlog.get_logger("eventhub.tests.json").debug("below the level")
    finally:
        logger.removeHandler(handler)
        logging_config(json=False, level="INFO")  # the suite's plain configuration again

    (record,) = (json.loads(line) for line in stream.getvalue().splitlines())
    assert record["event"] == "broadcast of event:1 failed"
    assert record["request_id"] == "abc123"
    assert record["level"] == "warning"
    assert record["logger"] == "eventhub.tests.json"
    (event,) = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    assert event["event"] == "scan_refused"
    assert event["gate"] == 2
    assert event["request_id"] == "abc123"
    assert event["level"] == "warning"


def _settings_in_a_fresh_process(code: str, **env: str) -> str:
    environment = {
        key: value for key, value in os.environ.items() if key not in {"STREAM_CHANNEL_PREFIX", "SENTRY_DSN"}
    }
    environment.update(env)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    return result.stdout.strip().splitlines()[-1]


PREFIX = "from django.conf import settings; print(settings.STREAMS['CHANNEL_PREFIX'])"


def test_the_default_stream_channel_prefix_is_unique_per_installation():
    one = _settings_in_a_fresh_process(
        PREFIX, DATABASE_URL="postgres://postgres@db-a:5432/eventhub", DJANGO_SECRET_KEY="k" * 50
    )
    same = _settings_in_a_fresh_process(
        PREFIX, DATABASE_URL="postgres://postgres@db-b:6432/eventhub", DJANGO_SECRET_KEY="k" * 50
    )
    other_database = _settings_in_a_fresh_process(
        PREFIX, DATABASE_URL="postgres://postgres@db-a:5432/eventhub2", DJANGO_SECRET_KEY="k" * 50
    )
    other_key = _settings_in_a_fresh_process(
        PREFIX, DATABASE_URL="postgres://postgres@db-a:5432/eventhub", DJANGO_SECRET_KEY="j" * 50
    )

    assert one.startswith("eventhub:")
    assert one.endswith(":stream:")
    assert one == same  # every host of one installation agrees, whatever address it uses for the database
    assert len({one, other_database, other_key}) == 3


SENTRY = (
    "import sys, django; django.setup(); "
    "active = 'sentry_sdk' in sys.modules and sys.modules['sentry_sdk'].get_client().is_active(); "
    "print(json.dumps(['sentry_sdk' in sys.modules, active]) if (json := __import__('json')) else '')"
)


def test_error_reporting_is_off_and_sentry_not_even_imported_without_a_dsn():
    assert json.loads(_settings_in_a_fresh_process(SENTRY)) == [False, False]


def test_error_reporting_starts_when_a_dsn_is_set():
    pytest.importorskip("sentry_sdk")

    result = _settings_in_a_fresh_process(SENTRY, SENTRY_DSN="http://public@127.0.0.1:9/1")

    assert json.loads(result) == [True, True]
