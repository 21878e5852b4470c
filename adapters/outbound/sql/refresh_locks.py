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

from sqlalchemy import delete, insert, select, text
from sqlalchemy.exc import DBAPIError, OperationalError

from adapters.outbound.sql.database import Database
from adapters.outbound.sql.tables import refresh_leases
from domain.errors import StoreUnavailable

log = logging.getLogger("produl_neon.store")
LEASE_SECONDS = 30.0  # well beyond a token call's deadline
WAIT_SECONDS = 20.0
POLL_SECONDS = 0.02


class PostgresAdvisoryLock:
    def __init__(self, db: Database) -> None:
        self._db = db

    @asynccontextmanager
    async def hold(self, connection_id: str) -> AsyncIterator[None]:
        key = {"k": f"produl-neon-refresh:{connection_id}"}
        async with AsyncExitStack() as stack:
            try:
                session = await stack.enter_async_context(self._db.engine.connect())
                await session.execute(text("SELECT pg_advisory_lock(hashtextextended(:k, 0))"), key)
                await session.commit()
            except (OperationalError, DBAPIError, OSError) as failure:
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
                    # The session is gone, and PostgreSQL released its locks with it.
                    log.warning("refresh lock session lost before unlock; the server freed it")


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
        try:
            yield
        finally:
            async with self._db.transaction() as tx:
                await tx.execute(
                    delete(refresh_leases).where(
                        refresh_leases.c.connection_id == connection_id,
                        refresh_leases.c.holder == holder,
                    )
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
