"""pytest plugin loaded before Django is configured: the suite runs on PostgreSQL and Redis
(DESIGN §5), never on the embedded SQLite default."""

import os
from urllib.parse import urlsplit

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/eventhub")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("STREAM_HEARTBEAT_SECONDS", "1")
os.environ.setdefault("EMBEDDED_SCHEDULER", "0")
# The test process itself runs without psycopg's pool, so no pooled connection outlives a test
# and blocks dropping the test database; the servers it starts use the pool (live.process_env).
os.environ.setdefault("DATABASE_POOL", "0")
# Pub/Sub is global to a Redis server: runs on different databases must not hear each other.
_database = urlsplit(os.environ["DATABASE_URL"]).path.strip("/")
os.environ.setdefault("STREAM_CHANNEL_PREFIX", f"eventhub:test_{_database}:stream:")
