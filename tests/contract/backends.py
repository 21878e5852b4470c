"""Every store implementation, ready to use: in memory, SQLite, and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from adapters.outbound.sql import migrate
from bootstrap.container import Container
from tests.postgres import fresh_database
from tests.support import database_of, make_container, temporary_sqlite

KINDS = ("memory", "sqlite", "postgres")


async def database_url(kind: str, postgres_server: str) -> str:
    return await fresh_database(postgres_server) if kind == "postgres" else temporary_sqlite()


@asynccontextmanager
async def stores(kind: str, postgres_server: str) -> AsyncIterator[Container]:
    """A container whose stores are of ``kind``, on a fresh, migrated database."""
    if kind == "memory":
        yield make_container(neon="staging_fakes", stores="staging_fakes")
        return
    url = await database_url(kind, postgres_server)
    container = make_container(neon="staging_fakes", stores="sql", PRODUL_DATABASE_URL=url)
    await migrate.upgrade(database_of(container))
    try:
        yield container
    finally:
        await container.storage().dispose()
