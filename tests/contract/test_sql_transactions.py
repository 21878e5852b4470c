"""How the SQL unit of work runs its transactions: on SQLite, reads and writes on the event loop's
own thread when they cannot wait (``inline_sqlite``), and a write that would wait for another
connection's lock waits on aiosqlite's thread instead, the loop running on; a write that is not
``durable`` commits without waiting for the disk, on SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text

from adapters.outbound.sql.database import Database
from adapters.outbound.sql.inline_sqlite import InlineTransaction
from tests.contract.backends import database_url

SYNCHRONOUS = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


@pytest.fixture
async def sqlite_db() -> AsyncIterator[Database]:
    db = Database(await database_url("sqlite", ""))
    async with db.transaction() as tx:
        await tx.execute(text("CREATE TABLE rows (n INTEGER)"))
    yield db
    await db.dispose()


def _file(db: Database) -> str:
    database = db.engine.url.database
    assert database is not None
    return database


async def test_a_write_with_the_lock_free_runs_on_the_loop_and_commits(sqlite_db: Database) -> None:
    async with sqlite_db.writing(durable=False) as tx:
        assert isinstance(tx, InlineTransaction)
        await tx.execute(text("INSERT INTO rows VALUES (1)"))
    with pytest.raises(RuntimeError):
        async with sqlite_db.writing(durable=False) as tx:
            await tx.execute(text("INSERT INTO rows VALUES (2)"))
            raise RuntimeError("the use case failed half-way")
    async with sqlite_db.reading() as tx:
        assert (await tx.execute(text("SELECT n FROM rows"))).scalars().all() == [1]


async def test_a_write_waiting_for_another_connections_lock_does_not_stop_the_loop(
    sqlite_db: Database,
) -> None:
    other = sqlite3.connect(_file(sqlite_db), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another worker's write, holding the lock
    other.execute("INSERT INTO rows VALUES (1)")
    ticks = 0

    async def loop_runs() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0.01)

    async def the_other_commits() -> None:
        await asyncio.sleep(0.3)
        other.execute("COMMIT")

    ticker, committer = asyncio.create_task(loop_runs()), asyncio.create_task(the_other_commits())
    async with sqlite_db.writing(durable=False) as tx:  # waits for it on aiosqlite's thread
        assert not isinstance(tx, InlineTransaction)
        await tx.execute(text("INSERT INTO rows VALUES (2)"))
    ticker.cancel()
    await committer
    assert ticks >= 10  # the loop ran on while the write waited ~0.3 s
    async with sqlite_db.reading() as tx:
        assert (await tx.execute(text("SELECT n FROM rows ORDER BY n"))).scalars().all() == [1, 2]
    other.close()


async def test_a_write_meeting_a_lock_held_by_our_own_suspended_write_waits_for_it(
    sqlite_db: Database,
) -> None:
    """A use case awaiting something inside its transaction holds the lock across the await;
    another request's write then takes the waiting path, and both commit."""
    first_in = asyncio.Event()

    async def first() -> None:
        async with sqlite_db.writing(durable=False) as tx:
            await tx.execute(text("INSERT INTO rows VALUES (1)"))
            first_in.set()
            await asyncio.sleep(0.2)

    async def second() -> None:
        await first_in.wait()
        async with sqlite_db.writing(durable=False) as tx:
            await tx.execute(text("INSERT INTO rows VALUES (2)"))

    await asyncio.gather(first(), second())
    async with sqlite_db.reading() as tx:
        assert (await tx.execute(text("SELECT n FROM rows ORDER BY n"))).scalars().all() == [1, 2]


@pytest.mark.parametrize("durable", [True, False])
async def test_sqlite_commits_wait_for_the_disk_unless_not_durable(
    sqlite_db: Database, durable: bool
) -> None:
    """A durable write never runs on the loop (its commit waits for an fsync); a write that
    need not be durable runs there when it can, or waits for the lock on aiosqlite's thread."""
    expected = "FULL" if durable else "NORMAL"
    async with sqlite_db.writing(durable=durable) as tx:
        assert isinstance(tx, InlineTransaction) is not durable
        level = (await tx.execute(text("PRAGMA synchronous"))).scalar_one()
    assert SYNCHRONOUS[level] == expected
    async with sqlite_db.writing(durable=not durable):
        pass  # the next write on the same pooled connection sets its own
    other = sqlite3.connect(_file(sqlite_db), isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    asyncio.get_running_loop().call_later(0.1, other.execute, "COMMIT")
    async with sqlite_db.writing(durable=durable) as tx:  # the waiting path
        assert not isinstance(tx, InlineTransaction)
        level = (await tx.execute(text("PRAGMA synchronous"))).scalar_one()
    assert SYNCHRONOUS[level] == expected
    other.close()


@pytest.mark.parametrize("durable", [True, False])
async def test_postgres_commits_wait_for_the_disk_unless_not_durable(
    postgres_server: str, durable: bool
) -> None:
    db = Database(await database_url("postgres", postgres_server))
    async with db.writing(durable=durable) as tx:
        setting = (await tx.execute(text("SHOW synchronous_commit"))).scalar_one()
    assert setting == ("on" if durable else "off")
    async with db.writing() as tx:  # SET LOCAL: gone with its transaction
        assert (await tx.execute(text("SHOW synchronous_commit"))).scalar_one() == "on"
    await db.dispose()
