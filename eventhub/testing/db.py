"""Database helpers for large parametrized tests: data built once per module, and a ledger of the
rows a block of code wrote.

**Data once per module** (``module_transaction``): pytest-django's ``db`` fixture runs each test
inside ``atomic`` blocks that it rolls back afterwards (``django.test.TestCase``'s per-test
atomics; pytest-django 4.x deliberately skips ``TestCase.setUpClass`` so that a test can be wrapped
in a higher-scoped transaction). A module-scoped fixture that opens an outer ``atomic`` first and
builds its data inside it makes every test's block a savepoint of that transaction: each test sees
the module's data, its own changes are rolled back to the savepoint after it, and the module's
data is rolled back when the module ends. Nothing is ever committed, so no other test, module or
xdist worker sees the data. Use it only in modules whose tests are all plain ``db`` tests (a
``transactional_db`` test would flush tables under the open transaction)::

    @pytest.fixture(scope="module")
    def _world(django_db_setup, django_db_blocker):
        with module_transaction(django_db_blocker):
            yield build_the_world()

    @pytest.fixture
    def world(db, _world):  # module fixtures are set up before function ones: outer block first
        return _world

**Writes ledger** (``table_writes``): PostgreSQL counts the rows each table had inserted,
updated or deleted in the current transaction (``pg_stat_xact_user_tables``), whatever statement
did it (a CTE, a trigger, ``ON CONFLICT DO UPDATE``); the difference before and after a block is
what the block wrote on this connection, including writes rolled back to a savepoint since.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from pytest_django import DjangoDbBlocker

_COUNTS = "SELECT relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_xact_user_tables"


@contextmanager
def module_transaction(django_db_blocker: DjangoDbBlocker) -> Iterator[None]:
    """An outer transaction for a module's shared data, rolled back at the end (see above)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _counts() -> dict[str, tuple[int, int, int]]:
    with connection.cursor() as cursor:
        cursor.execute(_COUNTS)
        return {table: (inserted, updated, deleted) for table, inserted, updated, deleted in cursor.fetchall()}


@dataclass
class Writes:
    # table -> (rows inserted, updated, deleted) during the block
    tables: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    # every statement the block ran, to explain a write
    statements: list[str] = field(default_factory=list)

    def except_tables(self, allowed: frozenset[str]) -> dict[str, tuple[int, int, int]]:
        return {table: counts for table, counts in self.tables.items() if table not in allowed}

    def statements_on(self, tables: set[str]) -> list[str]:
        return [sql for sql in self.statements if any(f'"{table}"' in sql for table in tables)]


@contextmanager
def table_writes() -> Iterator[Writes]:
    """The rows written on this connection inside the block, by table (see above)."""
    if not connection.in_atomic_block:
        raise RuntimeError("table_writes() counts within one transaction: use it inside a db test")
    writes = Writes()
    before = _counts()
    with CaptureQueriesContext(connection) as queries:
        yield writes
    after = _counts()
    for table, (inserted, updated, deleted) in after.items():
        was_inserted, was_updated, was_deleted = before.get(table, (0, 0, 0))
        delta = (inserted - was_inserted, updated - was_updated, deleted - was_deleted)
        if any(delta):
            writes.tables[table] = delta
    writes.statements = [query["sql"] for query in queries.captured_queries]
