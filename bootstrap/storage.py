"""Storage, as one family: SQL (SQLite or PostgreSQL) in production; the staging fakes in memory
when a test overrides the container's ``storage`` with them. Also the keyring and the schema."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Protocol

from adapters.outbound.sql import migrate
from adapters.outbound.sql.database import Database
from adapters.outbound.sql.migrate import SqlStoreProbe
from adapters.outbound.sql.refresh_locks import PostgresAdvisoryLock, SqliteLeaseLock
from adapters.outbound.sql.token_cipher import Keyring
from adapters.outbound.sql.unit_of_work import SqlUnitOfWork
from adapters.outbound.staging_fakes.memory_lock import MemoryRefreshLock
from adapters.outbound.staging_fakes.memory_unit_of_work import MemoryStoreProbe, MemoryUnitOfWork
from application.ports.stores import RefreshLock, StoreProbe, UnitOfWork
from bootstrap.settings import Settings, SettingsError

log = logging.getLogger("produl_neon")
FAKE_KEYRING = Path("var/secret-keys")


class StoreTelemetry(Protocol):
    def store_error(self, cause: str) -> None: ...


class SchemaNotAtHead(Exception):
    """PostgreSQL's schema is behind this build: an operator runs `produl-neon migrate`."""


@dataclass(frozen=True, slots=True)
class Storage:
    """What the container hands out: a unit of work, the refresh lock, a readiness probe."""

    uow: UnitOfWork
    refresh_lock: RefreshLock
    probe: StoreProbe
    database: Database | None = None

    async def prepare(self) -> None:
        if self.database is not None:
            await prepare_schema(self.database)

    async def dispose(self) -> None:
        if isinstance(self.refresh_lock, PostgresAdvisoryLock):
            await self.refresh_lock.dispose()
        if self.database is not None:
            await self.database.dispose()


def sql_storage(settings: Settings, telemetry: StoreTelemetry | None = None) -> Storage:
    db = Database(settings.database_url)
    if telemetry is not None:
        db.on_unavailable = telemetry.store_error
    return Storage(SqlUnitOfWork(db, keyring(settings)), refresh_lock(db), SqlStoreProbe(db), db)


def refresh_lock(db: Database) -> RefreshLock:
    return SqliteLeaseLock(db) if db.is_sqlite else PostgresAdvisoryLock(db)


@dataclass(frozen=True, slots=True)
class StagingStorage(Storage):
    """The staging fakes: every store in memory (tests swap it in through the container)."""

    uow: UnitOfWork = field(default_factory=MemoryUnitOfWork)
    refresh_lock: RefreshLock = field(default_factory=MemoryRefreshLock)
    probe: StoreProbe = field(default_factory=MemoryStoreProbe)


def keyring(settings: Settings) -> Keyring:
    if settings.secret_keys is None:
        raise SettingsError("PRODUL_SECRET_KEYS is not set.")
    return Keyring.parse(settings.secret_keys)


def with_fake_keyring(settings: Settings) -> Settings:
    """Fake mode without PRODUL_SECRET_KEYS: a key generated once into ./var/, with a warning."""
    if settings.secret_keys is not None or not settings.fake:
        return settings
    if not FAKE_KEYRING.exists():
        private_directory(FAKE_KEYRING.parent)
        descriptor = os.open(FAKE_KEYRING, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(Keyring.generate_entry("k1") + "\n")
    log.warning("PRODUL_SECRET_KEYS is not set: fake mode uses the key in %s", FAKE_KEYRING)
    return replace(settings, secret_keys=FAKE_KEYRING.read_text().strip())


def private_directory(folder: Path) -> None:
    """A folder for the service's secrets and data, readable by its owner only (0700) when the
    service creates it. A folder that already exists is left as it is: it may be shared, as /tmp
    is, and an operator who chose it chose its permissions."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)
        folder.chmod(0o700)  # mkdir's mode passes through the umask


def sqlite_directory(url: str) -> None:
    """The SQLite file's folder (0700 when created here) and the file itself, 0600, before the
    engine opens it: SQLite gives its -wal and -shm side files the database file's permissions,
    so they are private too. A file created world-readable by an older build is tightened."""
    if not url.startswith("sqlite+aiosqlite:///"):
        return
    path = url.removeprefix("sqlite+aiosqlite:///").partition("?")[0]
    if not path or path == ":memory:":
        return
    database = Path(path)
    private_directory(database.parent)
    try:
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
        for file in (database, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if file.exists():
                file.chmod(0o600)
    except PermissionError:  # a file another user owns (a shared volume): theirs to tighten
        log.warning("could not make %s private; check its owner and mode", database)


async def prepare_schema(db: Database) -> None:
    """SQLite is migrated in place; PostgreSQL must already be at head (several instances share
    it, so migrating is an operator's step, not a side effect of starting one instance)."""
    if db.is_sqlite:
        sqlite_directory(db.url)
        await migrate.upgrade(db)
    elif not await migrate.at_head(db):
        raise SchemaNotAtHead(
            "The PostgreSQL schema is not at this build's head; run `produl-neon migrate` first."
        )
