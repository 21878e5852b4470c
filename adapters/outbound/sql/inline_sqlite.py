"""SQLite transactions on the event loop's own thread, without aiosqlite's worker thread.

A profile of ``GET /api/dashboards`` put most of its time in aiosqlite's thread hops: every
statement is four hops (cursor, execute, fetch, close) and a transaction adds more (begin,
commit, the pool's reset), each a wake-up of the loop and a wait for the GIL. A cold render's two
short writes (the lease with the budget; the snapshot with its trend point) spent 3.5 and 5 ms in
them, against about 0.5 ms of SQLite's own work and one commit's fsync.

- *Reads* in WAL mode take no lock a writer holds and finish in microseconds: run right here.
- *Writes that need not be durable* (``UnitOfWork.begin(durable=False)``: the fetch lease, the
  budget, the snapshot) take the write lock without waiting (``BEGIN IMMEDIATE`` with no busy
  timeout). Got it: the transaction runs right here, where nothing can make it wait (a WAL commit
  waits for no reader, and with ``synchronous=NORMAL`` not for the disk). Another connection
  holds it (another worker's write, or one of ours suspended on an await): ``write`` yields None
  and the caller takes aiosqlite's path, whose wait for the lock happens in a thread, never
  stopping the loop. Durable writes always take that path: their commit waits for an fsync.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import CursorResult
from sqlalchemy.engine.url import make_url
from sqlalchemy.exc import DBAPIError
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
    """Our own BEGIN, COMMIT and ROLLBACK, straight to sqlite3 (``isolation_level=None``: the
    driver never begins by itself). Not from a ``begin`` event: any connection event makes
    SQLAlchemy check for listeners on every statement, about 5% of a cheap read (decision 0026);
    the SQLAlchemy-level transaction these connections autobegin is a no-op for SQLite."""

    def __init__(self, async_url: str) -> None:
        url = make_url(async_url).set(drivername="sqlite")
        # Every use ends its transaction (``read`` and ``write`` below): no reset on return
        self.readers: Engine = create_engine(
            url, pool_size=4, max_overflow=16, pool_reset_on_return=None
        )
        self.writers: Engine = create_engine(
            url, pool_size=2, max_overflow=8, pool_reset_on_return=None
        )
        _pragmas(
            self.readers, "PRAGMA query_only=ON", f"PRAGMA busy_timeout={READ_BUSY_TIMEOUT_MS}"
        )
        # No busy timeout: a lock held elsewhere is reported at once, and waited for elsewhere
        _pragmas(self.writers, "PRAGMA foreign_keys=ON", "PRAGMA busy_timeout=0")

    @contextmanager
    def read(self) -> Iterator[InlineTransaction]:
        """One snapshot for every statement of the block; nothing to keep, so it ends in a
        ROLLBACK whichever way the block ends."""
        with self.readers.connect() as connection:
            sqlite = _sqlite(connection)
            with _wrapped():
                sqlite.execute("BEGIN")
            try:
                yield InlineTransaction(connection)
            finally:
                with _wrapped():
                    sqlite.rollback()

    @contextmanager
    def write(self) -> Iterator[InlineTransaction | None]:
        """A writing transaction holding the write lock, or None when another connection holds
        it (nothing was written; take the waiting path). Only for what need not be durable
        (``UnitOfWork.begin``): its commit does not wait for the disk, so nothing here does."""
        with self.writers.connect() as connection:
            sqlite = _sqlite(connection)
            with _wrapped():  # before BEGIN: SQLite refuses to change it inside a transaction
                sqlite.execute("PRAGMA synchronous=NORMAL")
                try:
                    sqlite.execute("BEGIN IMMEDIATE")
                except sqlite3.OperationalError as failure:
                    if not _busy(failure):
                        raise
                    yield None
                    return
            try:
                yield InlineTransaction(connection)
            except BaseException:
                with _wrapped():
                    sqlite.rollback()
                raise
            with _wrapped():
                sqlite.commit()

    def dispose(self) -> None:
        self.readers.dispose()
        self.writers.dispose()


def _sqlite(connection: Connection) -> sqlite3.Connection:
    driver = connection.connection.driver_connection
    assert isinstance(driver, sqlite3.Connection)  # a connection just taken from the pool
    return driver


@contextmanager
def _wrapped() -> Iterator[None]:
    """sqlite3's own errors as SQLAlchemy's, as the statements' are: the database adapter
    translates those at its boundary (``Database._translated``)."""
    try:
        yield
    except sqlite3.Error as failure:
        raise DBAPIError.instance(None, None, failure, sqlite3.Error) from failure


def _busy(failure: sqlite3.OperationalError) -> bool:
    # the extended code (SQLITE_BUSY_RECOVERY is 261): its low byte is the primary one
    return (failure.sqlite_errorcode & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _pragmas(engine: Engine, *pragmas: str) -> None:
    @event.listens_for(engine, "connect")  # a pool event: costs nothing per statement
    def on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # BEGIN is ours: one snapshot per transaction
        cursor = dbapi_connection.cursor()
        for pragma in pragmas:
            cursor.execute(pragma)
        cursor.close()
