"""A PostgreSQL server of the storm's own, which it may restart (never the session's shared one,
which other tests use at the same time)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from tests.postgres import _binaries
from tests.standin_process import free_port


@dataclass(frozen=True)
class OwnPostgres:
    port: int
    data: Path
    home: Path
    as_user: tuple[str, ...]

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://produl@127.0.0.1:{self.port}/produl"

    def url_via(self, port: int) -> str:
        """The same database reached through another port (the fault proxy's)."""
        return f"postgresql+asyncpg://produl@127.0.0.1:{port}/produl"

    def pg_ctl(self, *arguments: str) -> None:
        options = (
            f"-k {self.home} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c max_connections=300"
        )
        subprocess.run(
            [
                *self.as_user,
                str(_binaries() / "pg_ctl"),
                "-D",
                str(self.data),
                "-l",
                str(self.home / "log"),
                "-w",
                *arguments,
                "-o",
                options,
            ],
            check=True,
            capture_output=True,
            cwd=self.home,
        )

    def restart_fast(self) -> None:
        """`pg_ctl restart -m fast`: every session is ended, the server comes back on its port."""
        self.pg_ctl("restart", "-m", "fast")

    async def advisory_locks_held(self) -> int:
        admin = await asyncpg.connect(self.url.replace("postgresql+asyncpg", "postgresql"))
        try:
            return int(
                await admin.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
            )
        finally:
            await admin.close()


@contextmanager
def own_postgres() -> Iterator[OwnPostgres]:
    home = Path(tempfile.mkdtemp(prefix="produl-storm-pg-"))
    as_user: tuple[str, ...] = ()
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
        as_user = ("runuser", "-u", "postgres", "--")
    server = OwnPostgres(free_port(), home / "data", home, as_user)
    subprocess.run(
        [
            *as_user,
            str(_binaries() / "initdb"),
            "-D",
            str(server.data),
            "-U",
            "produl",
            "--auth=trust",
            "-E",
            "UTF8",
        ],
        check=True,
        capture_output=True,
        cwd=home,
    )
    server.pg_ctl("start")
    try:
        subprocess.run(
            [
                *as_user,
                str(_binaries() / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(server.port),
                "-U",
                "produl",
                "produl",
            ],
            check=True,
            capture_output=True,
            cwd=home,
        )
        yield server
    finally:
        subprocess.run(
            [
                *as_user,
                str(_binaries() / "pg_ctl"),
                "-D",
                str(server.data),
                "-m",
                "immediate",
                "-w",
                "stop",
            ],
            capture_output=True,
            cwd=home,
        )
        shutil.rmtree(home, ignore_errors=True)
