"""SQLite transactions on the event loop's own thread, without aiosqlite's worker thread.

A profile of ``GET /api/dashboards`` put most of its time in aiosqlite's thread hops: every
statement is four hops (cursor, execute, fetch, close) and a transaction adds more (begin,
commit, the pool's reset), each a wake-up of the loop and a wait for the GIL. A cold render's two
short writes (the lease with the budget; the snapshot with its trend point) spent 3.5 and 5 ms in
them, against about 0.5 ms of SQLite's own work and one commit's fsync.

- *Reads* in WAL mode take no lock a writer holds and finish in microseconds: run right here.
- *Writes* take the write lock without waiting (``BEGIN IMMEDIATE`` with no busy timeout). Got
  it: the transaction runs right here, where nothing can make it wait (WAL commits wait for no
  reader). Another connection holds it (another worker's write, or one of ours suspended on an
  await): ``write`` yields None and the caller takes aiosqlite's path, whose wait for the lock
  happens in a thread, never stopping the loop.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import CursorResult
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql import Executable

# A WAL reader waits only in rare moments (a checkpoint restarting the log): never long, and
# never as long as a writer's busy timeout, because this wait stops the whole event loop.
READ_BUSY_TIMEOUT_MS = 2_000


class InlineTransaction:
    """One transaction, with the ``execute`` the stores call (awaited, never suspending)."""

    __slots__ = ("_connection",)

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]:
        return self._connection.execute(statement, parameters)


class InlineSqlite:
    def __init__(self, async_url: str) -> None:
        url = make_url(async_url).set(drivername="sqlite")
        # Every use ends its transaction (``read`` and ``write`` below): no reset on return
        self.readers: Engine = create_engine(
            url, pool_size=4, max_overflow=16, pool_reset_on_return=None
        )
        self.writers: Engine = create_engine(
            url, pool_size=2, max_overflow=8, pool_reset_on_return=None
        )
        reader_pragmas = ("PRAGMA query_only=ON", f"PRAGMA busy_timeout={READ_BUSY_TIMEOUT_MS}")
        _connections(self.readers, reader_pragmas, "BEGIN")
        # No busy timeout: a lock held elsewhere is reported at once, and waited for elsewhere
        writer_pragmas = ("PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=0")
        _connections(self.writers, writer_pragmas, "BEGIN IMMEDIATE")

    @contextmanager
    def read(self) -> Iterator[InlineTransaction]:
        with self.readers.connect() as connection, connection.begin():
            yield InlineTransaction(connection)

    @contextmanager
    def write(self, *, durable: bool = True) -> Iterator[InlineTransaction | None]:
        """A writing transaction holding the write lock, or None when another connection holds
        it (nothing was written; take the waiting path). One that is not ``durable`` commits
        without waiting for the disk (``UnitOfWork.begin``)."""
        with self.writers.connect() as connection:
            # before BEGIN: SQLite refuses to change it inside a transaction
            synchronous = "FULL" if durable else "NORMAL"
            sqlite = connection.connection.driver_connection
            assert sqlite is not None  # a connection just taken from the pool is open
            sqlite.execute(f"PRAGMA synchronous={synchronous}")
            try:
                transaction = connection.begin()
            except (OperationalError, sqlite3.OperationalError) as failure:
                if not _busy(failure):
                    raise
                yield None
                return
            with transaction:
                yield InlineTransaction(connection)

    def dispose(self) -> None:
        self.readers.dispose()
        self.writers.dispose()


def _busy(failure: Exception) -> bool:
    # raised by our BEGIN in the event hook: sqlite3's own error, not yet wrapped by SQLAlchemy
    cause = failure.orig if isinstance(failure, OperationalError) else failure
    return isinstance(cause, sqlite3.OperationalError) and cause.sqlite_errorcode in (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
    )


def _connections(engine: Engine, pragmas: tuple[str, ...], begin: str) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # BEGIN is ours: one snapshot per transaction
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Any) -> None:
        connection.connection.driver_connection.execute(begin)  # straight to sqlite3
