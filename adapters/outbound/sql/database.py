"""The engine, its sessions, and the one place where database failures become StoreUnavailable."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from adapters.outbound.sql.inline_sqlite import InlineSqlite, InlineTransaction
from application.ports.stores import StoreUnavailable, VersionConflict

log = logging.getLogger("produl_neon.store")
SQLITE_BUSY_TIMEOUT_MS = 15_000
# PostgreSQL gave up one of two transactions waiting on each other: the loser may retry.
LOST_RACE = frozenset({"40P01", "40001"})  # deadlock detected, serialization failure


# Every statement's deadline on PostgreSQL, enforced by the client: a server behind a network
# partition neither answers nor refuses, and without it a request would wait for TCP to notice
# (hours). Ours are small, indexed statements; the refresh lock's session waits longer (its
# lock_timeout is 15 s) and has a deadline of its own.
STATEMENT_DEADLINE = 5.0
CONNECT_DEADLINE = 5.0
# A server restarting (`pg_ctl restart`) refuses connections, or says it is starting, for a
# moment: a connection refused that fast is tried again, for this long at most, before the
# request fails (one that timed out is not: that is a partition, not a restart).
CONNECT_RETRY_BUDGET = 2.5
CONNECT_RETRY_DELAYS = (0.1, 0.2, 0.4, 0.8)


def _uncounted(cause: str) -> None:
    return None


class Database:
    def __init__(
        self,
        url: str,
        *,
        pool_size: int = 10,
        statement_deadline: float = STATEMENT_DEADLINE,
        on_unavailable: Callable[[str], None] = _uncounted,
    ) -> None:
        self.url = url
        self.engine: AsyncEngine = _engine(url, pool_size, statement_deadline)
        self.on_unavailable = on_unavailable  # telemetry: the cause's class name (bounded)
        self._inline = InlineSqlite(url) if self.is_sqlite else None

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(
        self, *, write: bool = True, durable: bool = True
    ) -> AsyncIterator[AsyncConnection]:
        """One transaction. On SQLite a writing one takes the write lock at BEGIN (IMMEDIATE), so
        writers queue instead of deadlocking; a reading one begins deferred, as WAL allows. A
        writing one that is not ``durable`` commits without waiting for the disk."""
        with self._translated():
            connection = await self._connected()
            try:
                if not write:  # one snapshot for every statement (SQLite's WAL reads are one)
                    level = "SERIALIZABLE" if self.is_sqlite else "REPEATABLE READ"
                    await connection.execution_options(produl_reading=True, isolation_level=level)
                elif self.is_sqlite:  # SQLite takes it before BEGIN (the begin hook below)
                    await connection.execution_options(produl_durable=durable)
                async with connection.begin():
                    if write and not durable and not self.is_sqlite:
                        await connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
                    yield connection
            finally:
                await connection.close()

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection | InlineTransaction]:
        """A read transaction for the stores: on SQLite run on the loop's own thread
        (``inline_sqlite``: cheaper than aiosqlite's thread hops), elsewhere ``transaction``."""
        if self._inline is None:
            async with self.transaction(write=False) as connection:
                yield connection
            return
        with self._translated(), self._inline.read() as read:
            yield read

    @asynccontextmanager
    async def writing(
        self, *, durable: bool = True
    ) -> AsyncIterator[AsyncConnection | InlineTransaction]:
        """A write transaction for the stores. On SQLite, one that is not ``durable`` runs on the
        loop's own thread when the write lock is free this instant (``inline_sqlite``); else
        ``transaction``, which waits for the lock in a thread. A durable one always takes that
        path: its commit waits for an fsync, which must not stop the loop on a slow disk."""
        if self._inline is not None and not durable:
            with self._translated(), self._inline.write() as inline:
                if inline is not None:
                    yield inline
                    return
        async with self.transaction(write=True, durable=durable) as connection:
            yield connection

    @contextmanager
    def _translated(self) -> Iterator[None]:
        """The one place where database failures become the store port's failures."""
        try:
            yield
        except IntegrityError as failure:  # lost a race on a unique key: a conflict, not an outage
            raise VersionConflict() from failure
        except DBAPIError as failure:
            if _sqlstate(failure) in LOST_RACE:
                raise VersionConflict() from failure
            raise self._unavailable(failure) from failure
        except (PoolTimeout, OSError) as failure:
            raise self._unavailable(failure) from failure
        except SQLAlchemyError as failure:
            if _is_disconnect(failure):
                raise self._unavailable(failure) from failure
            raise

    def _unavailable(self, failure: Exception) -> StoreUnavailable:
        cause = type(failure).__name__
        log.warning("store unavailable: %s", cause)
        self.on_unavailable(cause)
        return StoreUnavailable()

    async def dispose(self) -> None:
        if self._inline is not None:
            self._inline.dispose()
        await self.engine.dispose()

    async def _connected(self) -> AsyncConnection:
        """A pooled connection; on PostgreSQL, one refused at once (the server restarting) is
        tried again for a moment: nothing was sent yet, so this is safe for writes too, and a
        restart of a second is not an outage for the requests that arrive meanwhile."""
        began = time.monotonic()
        for delay in itertools.chain(CONNECT_RETRY_DELAYS, itertools.repeat(1.0)):
            try:
                return await self.engine.connect()
            except (DBAPIError, OSError) as failure:
                spent = time.monotonic() - began
                if self.is_sqlite or _timed_out(failure) or spent + delay > CONNECT_RETRY_BUDGET:
                    raise
                await asyncio.sleep(delay)
        raise AssertionError("unreachable: the loop returns or raises")


def _sqlstate(failure: DBAPIError) -> str | None:
    code = getattr(failure.orig, "sqlstate", None) or getattr(failure.orig, "pgcode", None)
    return code if isinstance(code, str) else None


def _timed_out(failure: Exception) -> bool:
    cause = failure.orig if isinstance(failure, DBAPIError) else failure
    return isinstance(cause, TimeoutError)


def _is_disconnect(failure: SQLAlchemyError) -> bool:
    return isinstance(failure, DBAPIError) and bool(failure.connection_invalidated)


def _engine(url: str, pool_size: int, statement_deadline: float) -> AsyncEngine:
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        _sqlite_pragmas_and_immediate_begin(engine)
        return engine
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,  # a killed backend is replaced instead of failing the next request
        pool_timeout=STATEMENT_DEADLINE,  # every connection busy that long: an outage
        connect_args={
            "server_settings": {
                # a lock wait ends with the server's own error before the statement's deadline
                "lock_timeout": f"{int(min(15.0, statement_deadline - 1) * 1000)}ms",
                "idle_in_transaction_session_timeout": "60s",
                "application_name": "produl-neon",
            },
            "timeout": CONNECT_DEADLINE,
            "command_timeout": statement_deadline,
        },
    )


def _sqlite_pragmas_and_immediate_begin(engine: AsyncEngine) -> None:
    """WAL, foreign keys and a busy timeout; and transactions that take the write lock when they
    begin, so two writers never deadlock upgrading a read lock (SQLite begins lazily otherwise)."""

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get("produl_reading", False):
            connection.exec_driver_sql("BEGIN")
            return
        # SQLite refuses to change it inside a transaction; in WAL mode NORMAL survives a crash
        # of this process, only a power cut may lose the last commits (``UnitOfWork.begin``)
        durable = options.get("produl_durable", True)
        connection.exec_driver_sql(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
        connection.exec_driver_sql("BEGIN IMMEDIATE")
