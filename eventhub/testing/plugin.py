"""pytest plugin loaded before Django is configured: the suite runs on PostgreSQL and Redis
(DESIGN §5), never on the embedded SQLite default.

Under pytest-xdist (``make test`` runs ``-n auto``) every worker is its own world: pytest-django
gives each its own test database (``test_<name>_gw<N>``), and this plugin gives each its own
Redis database (cache, channel layer, Celery broker and results), its own Pub/Sub channel prefix
(Pub/Sub ignores Redis database numbers) and, through ``eventhub.testing.live.free_port``, its own
block of TCP ports. ``PYTEST_XDIST_WORKER`` is set by xdist before this plugin is imported."""

import os
from urllib.parse import urlsplit, urlunsplit

REDIS_DATABASES = 16  # redis-server's default `databases`

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/eventhub")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("STREAM_HEARTBEAT_SECONDS", "1")
os.environ.setdefault("EMBEDDED_SCHEDULER", "0")
# The test process itself runs without psycopg's pool, so no pooled connection outlives a test
# and blocks dropping the test database; the servers it starts use the pool (live.process_env).
os.environ.setdefault("DATABASE_POOL", "0")


def worker_index() -> int:
    """0 outside xdist and on gw0; N on gwN."""
    return int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw"))


def _worker_redis_url(url: str, index: int) -> str:
    """The worker's own Redis database: the configured one plus the worker's index, so two
    workers never share cache keys (allauth's login-attempt counters), Celery queues (a worker
    started by one test would run another's tasks on the wrong database) or channel-layer
    groups."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    return urlunsplit(parts._replace(path=f"/{(base + index) % REDIS_DATABASES}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker:
    os.environ["REDIS_URL"] = _worker_redis_url(os.environ["REDIS_URL"], worker_index())
# Pub/Sub is global to a Redis server: runs on different databases, and the workers of one run,
# must not hear each other. (xdist workers inherit the controller's environment, so a worker
# extends the prefix the controller set.)
_database = urlsplit(os.environ["DATABASE_URL"]).path.strip("/")
os.environ.setdefault("STREAM_CHANNEL_PREFIX", f"eventhub:test_{_database}:stream:")
if _worker:
    os.environ["STREAM_CHANNEL_PREFIX"] += f"{_worker}:"
