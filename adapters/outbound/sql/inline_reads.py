"""SQLite reads on the event loop's own thread, without aiosqlite's worker thread.

A profile of ``GET /api/dashboards`` put most of its time in aiosqlite's thread hops: every
statement is four hops (cursor, execute, fetch, close) and a transaction adds more (begin,
commit, the pool's reset), each a wake-up of the loop and a wait for the GIL. A read in WAL mode
takes no lock a writer holds and finishes in microseconds, so running it right here costs less
than one hop. Writes stay on aiosqlite: they may wait for the write lock (BEGIN IMMEDIATE, up to
the busy timeout), and that wait must never stop the loop.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import CursorResult
from sqlalchemy.engine.url import make_url
from sqlalchemy.sql import Executable

# A WAL reader waits only in rare moments (a checkpoint restarting the log): never long, and
# never as long as a writer's busy timeout, because this wait stops the whole event loop.
READ_BUSY_TIMEOUT_MS = 2_000


class InlineRead:
    """One read transaction, with the ``execute`` the stores call (awaited, never suspending)."""

    __slots__ = ("_connection",)

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        return self._connection.execute(statement, parameters)


class InlineSqliteReads:
    def __init__(self, async_url: str) -> None:
        url = make_url(async_url).set(drivername="sqlite")
        # Every use ends its transaction (``transaction`` below): no reset on return is needed
        self.engine: Engine = create_engine(
            url, pool_size=4, max_overflow=16, pool_reset_on_return=None
        )
        _read_only_connections(self.engine)

    @contextmanager
    def transaction(self) -> Iterator[InlineRead]:
        with self.engine.connect() as connection, connection.begin():
            yield InlineRead(connection)

    def dispose(self) -> None:
        self.engine.dispose()


def _read_only_connections(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # BEGIN is ours: one snapshot per transaction
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA query_only=ON")  # these connections never write
        cursor.execute(f"PRAGMA busy_timeout={READ_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.connection.driver_connection.execute("BEGIN")  # straight to sqlite3
