"""The SQLite database holds member fingerprints and encrypted tokens: its folder is 0700 and the
file, with its WAL and shared-memory side files, 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from adapters.outbound.sql.database import Database
from bootstrap.storage import prepare_schema


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0o022)  # the common default: files 0644, folders 0755
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("open_umask")
async def test_the_database_folder_and_files_are_private() -> None:
    folder = Path(tempfile.mkdtemp(prefix="produl-perm-")) / "var"
    database = folder / "produl-neon.db"
    db = Database(f"sqlite+aiosqlite:///{database}")
    try:
        await prepare_schema(db)
        async with db.transaction() as tx:  # a write: the WAL and SHM files exist now
            await tx.execute(text("SELECT 1"))
        sides = [Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert all(side.exists() for side in sides)
        assert _mode(folder) == 0o700
        assert {file.name: _mode(file) for file in (database, *sides)} == {
            file.name: 0o600 for file in (database, *sides)
        }
    finally:
        await db.dispose()


@pytest.mark.usefixtures("open_umask")
async def test_a_world_readable_file_from_an_older_build_is_tightened() -> None:
    folder = Path(tempfile.mkdtemp(prefix="produl-perm-"))
    database = folder / "old.db"
    database.touch(mode=0o644)
    db = Database(f"sqlite+aiosqlite:///{database}")
    try:
        await prepare_schema(db)
        assert _mode(database) == 0o600
        assert _mode(folder) == 0o700  # mkdtemp's own; an existing folder is not changed
    finally:
        await db.dispose()
