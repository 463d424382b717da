"""Operations endpoints: liveness, readiness and the Prometheus scrape (docs/production.md).

``/healthz`` answers as long as the process serves requests and checks nothing else: a load
balancer or supervisor restarts a process that stops answering it. ``/readyz`` says whether this
process can do useful work — PostgreSQL answers, Redis answers (when configured), no migration is
left to apply — and answers 503 with the failed checks while not, so traffic goes elsewhere
until it recovers by itself. ``/metrics`` is for loopback clients or a bearer of ``METRICS_TOKEN``.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import threading
from functools import cache

import redis
from django.conf import settings
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from django_prometheus.exports import ExportToDjangoView

from eventhub.proxy import client_ip

logger = logging.getLogger(__name__)

CHECK_TIMEOUT_SECONDS = 2.0

# Once every migration was found applied, this process stops checking: migrations only ever get
# applied while it runs, never unapplied (a rollback ships as a new migration).
_migrations_applied = threading.Event()


@cache
def _redis() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL, socket_timeout=CHECK_TIMEOUT_SECONDS, socket_connect_timeout=CHECK_TIMEOUT_SECONDS
    )


def check_database() -> None:
    connection = connections["default"]
    pool = getattr(connection, "pool", None) if connection.vendor == "postgresql" else None
    if pool is not None:
        # From the pool, bounded: a plain cursor would wait the pool's whole timeout.
        pool.open()  # Django opens it lazily, on the first query; a no-op once open
        with pool.connection(timeout=CHECK_TIMEOUT_SECONDS) as raw:
            raw.execute("SELECT 1")
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def check_redis() -> None:
    _redis().ping()


def check_migrations() -> None:
    if _migrations_applied.is_set():
        return
    executor = MigrationExecutor(connections["default"])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        raise RuntimeError(f"{len(plan)} unapplied")
    _migrations_applied.set()


def readiness() -> dict[str, str]:
    """Each check's outcome: ``ok``, or why it failed (the exception's class and message)."""
    checks = {"database": check_database}
    if settings.REDIS_URL:
        checks["redis"] = check_redis
    checks["migrations"] = check_migrations
    results: dict[str, str] = {}
    for name, check in checks.items():
        if name == "migrations" and results["database"] != "ok":
            results[name] = "skipped"
            continue
        try:
            check()
        except Exception as exc:  # every failure is a "not ready", whatever it is
            results[name] = f"{type(exc).__name__}: {exc}".strip()[:200]
        else:
            results[name] = "ok"
    return results


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request: HttpRequest) -> HttpResponse:
    checks = readiness()
    failed = sorted(name for name, result in checks.items() if result != "ok")
    if failed:
        logger.warning("not ready: %s", ", ".join(f"{name} ({checks[name]})" for name in failed))
        return JsonResponse({"status": "unavailable", "failed": failed, "checks": checks}, status=503)
    return JsonResponse({"status": "ok", "checks": checks})


def _metrics_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer ") and hmac.compare_digest(header[7:].strip(), token):
        return True
    try:
        return ipaddress.ip_address(client_ip(request)).is_loopback
    except ValueError:
        return False


@csrf_exempt
@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not _metrics_allowed(request):
        return JsonResponse(
            {"error": {"code": "forbidden", "detail": "Metrics are served to loopback or with the metrics token."}},
            status=403,
        )
    return ExportToDjangoView(request)
