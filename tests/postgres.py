"""A throwaway PostgreSQL server for the test session, started from the machine's binaries.

PRODUL_TEST_POSTGRES_URL (postgresql+asyncpg://user@host:port/db) uses an existing server instead.
As root (CI), the server runs as the `postgres` user, since initdb and postgres refuse root.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from tests.standin_process import free_port


def _binaries() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if initdb is None:
        raise RuntimeError("PostgreSQL binaries not found (initdb); install postgresql")
    return Path(initdb).parent


@contextmanager
def throwaway_server() -> Iterator[str]:
    """Yields the URL of a database `produl` on a fresh server, stopped afterwards."""
    if url := os.environ.get("PRODUL_TEST_POSTGRES_URL"):
        yield url
        return
    bin_dir = _binaries()
    home = Path(tempfile.mkdtemp(prefix="produl-pg-"))
    data, port = home / "data", free_port()
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]

    def run(*command: str) -> None:
        subprocess.run([*as_user, *command], check=True, capture_output=True, cwd=home)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "produl", "--auth=trust", "-E", "UTF8")
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(home / "log"), "-w", "start",
        "-o", f"-k {home} -p {port} -c listen_addresses=127.0.0.1 -c fsync=off "
              f"-c max_connections=300")  # fmt: skip
    try:
        run(str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "produl", "produl")
        yield f"postgresql+asyncpg://produl@127.0.0.1:{port}/produl"
    finally:
        run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(home, ignore_errors=True)


def _plain(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def fresh_database(server_url: str) -> str:
    """A new empty database on the server; its URL."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(_plain(server_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    return server_url.rsplit("/", 1)[0] + f"/{name}"
