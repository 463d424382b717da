"""Django's PostgreSQL backend with one retry of a connection's first query on a dead connection.

The pool's health check (``CONN_HEALTH_CHECKS``: psycopg_pool runs an empty query on every
``getconn``) already hands out no connection that died while it idled; this covers the instant
between that check and the first query. A request takes its connection from the pool when it
first touches the database and gives it back when it ends (``CONN_MAX_AGE = 0``), so "the first
query of a connection" is "a request's first query", nearly always an authentication read in
autocommit. Only that one is retried, and only outside a transaction: after a write or inside
``atomic()`` a retry could repeat or half-apply work, so a later failure stays an error."""

from collections.abc import Callable
from typing import Any

import structlog
from django.db import OperationalError
from django.db.backends.postgresql import base as postgresql

log = structlog.get_logger(__name__)

Execute = Callable[[str, Any, bool, dict[str, Any]], Any]


class DatabaseWrapper(postgresql.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.first_query_pending = False
        # Index 0 is the outermost wrapper; `connection.execute_wrapper()` blocks push and pop
        # after it.
        self.execute_wrappers.insert(0, self._retry_first_query)

    def connect(self) -> None:
        super().connect()
        self.first_query_pending = True

    def _dead(self) -> bool:
        return self.connection is None or bool(self.connection.closed)

    def _retry_first_query(self, execute: Execute, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        first, self.first_query_pending = self.first_query_pending, False
        try:
            return execute(sql, params, many, context)
        except OperationalError as error:
            cursor = context["cursor"]
            if not first or self.in_atomic_block or getattr(cursor.cursor, "name", None) or not self._dead():
                raise
            log.warning("database_connection_dead_retrying", error=str(error).strip())
        self.close()  # a broken connection given back is discarded by the pool
        pool = getattr(self, "pool", None)  # django-stubs does not know Django 5.1's pool
        if pool is not None:
            # One dead connection means the server restarted or ended many: drop every idle one
            # that died too, so the retry does not take another.
            pool.check()
        self.ensure_connection()
        self.first_query_pending = False
        cursor.cursor = self.create_cursor()
        return execute(sql, params, many, context)
