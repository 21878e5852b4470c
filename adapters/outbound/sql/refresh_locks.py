"""The per-connection refresh lock, shared by every process using the database.

PostgreSQL: a session advisory lock on a connection of its own (released by the server if the
process dies). SQLite: a lease row taken in a short BEGIN IMMEDIATE transaction, so the database's
write lock is never held across the call to Neon; a crashed holder's lease simply expires.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager

from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from adapters.outbound.sql.database import Database
from adapters.outbound.sql.tables import refresh_leases
from application.ports.stores import StoreUnavailable

log = logging.getLogger("produl_neon.store")
LEASE_SECONDS = 30.0  # well beyond a token call's deadline
WAIT_SECONDS = 20.0
POLL_SECONDS = 0.02
LOCK_STATEMENT_DEADLINE = 20.0


class PostgresAdvisoryLock:
    """Lock sessions come from an engine of their own, so refreshes waiting on locks can never
    starve the pool that the stores (and the refresh itself) draw from."""

    def __init__(self, db: Database) -> None:
        # pg_advisory_lock waits up to the server's lock_timeout (15 s) for another holder
        self._db = Database(
            db.url,
            pool_size=5,
            statement_deadline=LOCK_STATEMENT_DEADLINE,
            on_unavailable=db.on_unavailable,
        )

    async def dispose(self) -> None:
        await self._db.dispose()

    @asynccontextmanager
    async def hold(self, connection_id: str) -> AsyncIterator[None]:
        key = {"k": f"produl-neon-refresh:{connection_id}"}
        async with AsyncExitStack() as stack:
            try:
                session = await stack.enter_async_context(self._db.engine.connect())
                await session.execute(text("SELECT pg_advisory_lock(hashtextextended(:k, 0))"), key)
                await session.commit()
            except (OperationalError, DBAPIError, PoolTimeout, OSError) as failure:
                self._db.on_unavailable(type(failure).__name__)
                raise StoreUnavailable() from failure
            try:
                yield
            finally:
                try:
                    await session.execute(
                        text("SELECT pg_advisory_unlock(hashtextextended(:k, 0))"), key
                    )
                    await session.commit()
                except (OperationalError, DBAPIError, OSError):
                    # Never hand a session that may still hold the lock back to the pool: drop
                    # it, and PostgreSQL releases its locks with it.
                    await session.invalidate()
                    log.warning("refresh lock session dropped after a failed unlock")


class SqliteLeaseLock:
    def __init__(self, db: Database) -> None:
        self._db = db
        self._holder = uuid.uuid4().hex

    @asynccontextmanager
    async def hold(self, connection_id: str) -> AsyncIterator[None]:
        holder = f"{self._holder}:{uuid.uuid4().hex[:8]}"
        deadline = time.monotonic() + WAIT_SECONDS
        while not await self._try_take(connection_id, holder):
            if time.monotonic() > deadline:
                raise StoreUnavailable("Timed out waiting for a token refresh elsewhere.")
            await asyncio.sleep(POLL_SECONDS)
        keeper = asyncio.create_task(self._renew(connection_id, holder))
        try:
            yield
        finally:
            keeper.cancel()
            async with self._db.transaction() as tx:
                await tx.execute(
                    delete(refresh_leases).where(
                        refresh_leases.c.connection_id == connection_id,
                        refresh_leases.c.holder == holder,
                    )
                )

    async def _renew(self, connection_id: str, holder: str) -> None:
        """Keep the lease alive while its holder works (a token call plus a persisted write can
        outlast one lease); a crashed holder stops renewing and its lease runs out."""
        while True:
            await asyncio.sleep(LEASE_SECONDS / 3)
            async with self._db.transaction() as tx:
                await tx.execute(
                    update(refresh_leases)
                    .where(
                        refresh_leases.c.connection_id == connection_id,
                        refresh_leases.c.holder == holder,
                    )
                    .values(expires_at=time.time() + LEASE_SECONDS)
                )

    async def _try_take(self, connection_id: str, holder: str) -> bool:
        now = time.time()
        async with self._db.transaction() as tx:
            current = (
                await tx.execute(
                    select(refresh_leases.c.holder, refresh_leases.c.expires_at).where(
                        refresh_leases.c.connection_id == connection_id
                    )
                )
            ).first()
            if current is not None and current.expires_at > now:
                return False
            if current is not None:
                await tx.execute(
                    delete(refresh_leases).where(refresh_leases.c.connection_id == connection_id)
                )
            await tx.execute(
                insert(refresh_leases).values(
                    connection_id=connection_id, holder=holder, expires_at=now + LEASE_SECONDS
                )
            )
        return True
