"""Bring the schema to head, or tell whether it is there; migrations ship inside the package."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from adapters.outbound.sql.database import Database
from application.ports.stores import StoreReadiness, StoreUnavailable

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


async def upgrade(db: Database, revision: str = "head") -> None:
    async with db.transaction() as tx:
        await tx.run_sync(lambda sync: command.upgrade(_config(sync), revision))


async def downgrade(db: Database, revision: str) -> None:
    async with db.transaction() as tx:
        await tx.run_sync(lambda sync: command.downgrade(_config(sync), revision))


async def current(db: Database) -> str | None:
    async with db.transaction() as tx:
        return await tx.run_sync(
            lambda sync: MigrationContext.configure(sync).get_current_revision()
        )


async def at_head(db: Database) -> bool:
    return await current(db) == head()


class SqlStoreProbe:
    def __init__(self, db: Database, *, deadline: float = 3.0) -> None:
        self._db = db
        self._deadline = deadline  # a load balancer's probe must not hang on a pool timeout

    async def readiness(self) -> StoreReadiness:
        try:
            async with asyncio.timeout(self._deadline):
                at = await at_head(self._db)
        except (StoreUnavailable, SQLAlchemyError, TimeoutError):
            return StoreReadiness.UNREACHABLE
        return StoreReadiness.READY if at else StoreReadiness.SCHEMA_BEHIND


class MigrationStopped(Exception):
    """A migration met data it must not change on its own; the message says what to fix."""
