"""Where the stand-in's authorization server keeps codes, grants, tokens and its counters: SQLite,
in memory (tests; `fake-neon` by default) or in a file that survives restarts and is shared by
every process that opens it (fake mode keeps it under ./var/). See decision 0014.

Tokens and codes are stored as SHA-256 digests, as Hydra stores signatures: the file never holds
a usable credential. Every operation of the server runs in one `BEGIN IMMEDIATE` transaction, so
two processes rotating the same refresh token are serialized and the second sees it rotated.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS codes (digest TEXT PRIMARY KEY, account_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL, challenge TEXT NOT NULL, scope TEXT NOT NULL,
    issued_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS grants (id TEXT PRIMARY KEY, account_id TEXT NOT NULL,
    scope TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS access_tokens (digest TEXT PRIMARY KEY, grant_id TEXT NOT NULL,
    expires_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS access_tokens_by_grant ON access_tokens (grant_id);
CREATE TABLE IF NOT EXISTS refresh_tokens (digest TEXT PRIMARY KEY, grant_id TEXT NOT NULL,
    active INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""
BUSY_TIMEOUT_S = 10.0  # another process's transaction lasts milliseconds; wait rather than fail


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IssuedCode:
    account_id: str
    redirect_uri: str
    challenge: str
    scope: str
    issued_at: datetime


@dataclass(frozen=True, slots=True)
class Grant:
    account_id: str
    scope: str
    revoked: bool


class TokenStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path
        if path is not None:
            _create_private(path)
        # One connection per store, used under a lock: the ASGI app and test threads share it.
        self._db = sqlite3.connect(
            str(path) if path else ":memory:",
            timeout=BUSY_TIMEOUT_S,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            check_same_thread=False,
        )
        self._lock = threading.Lock()
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
            self._db.execute("PRAGMA synchronous=NORMAL")  # a fake: a power cut may lose a grant
        self._db.executescript(SCHEMA)

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield Transaction(self._db)
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._db.close()


def _create_private(path: Path) -> None:
    """The file holds only digests, but it is nobody else's business: 0600 in a 0700 folder."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


class Transaction:
    """Reads and writes of one operation; plain SQL, no rules (those are the server's)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def count(self, name: str) -> None:
        self._db.execute(
            "INSERT INTO counters VALUES (?, 1) ON CONFLICT (name) DO UPDATE SET value = value + 1",
            (name,),
        )

    def counters(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT name, value FROM counters").fetchall())

    def add_code(self, code: str, issued: IssuedCode) -> None:
        self._db.execute(
            "INSERT INTO codes VALUES (?, ?, ?, ?, ?, ?)",
            (_digest(code), issued.account_id, issued.redirect_uri, issued.challenge,
             issued.scope, issued.issued_at.isoformat()),
        )  # fmt: skip

    def take_code(self, code: str) -> IssuedCode | None:
        digest = _digest(code)
        row = self._db.execute(
            "SELECT account_id, redirect_uri, challenge, scope, issued_at FROM codes "
            "WHERE digest = ?",
            (digest,),
        ).fetchone()
        self._db.execute("DELETE FROM codes WHERE digest = ?", (digest,))
        if row is None:
            return None
        account_id, redirect_uri, challenge, scope, issued_at = row
        return IssuedCode(
            account_id, redirect_uri, challenge, scope, datetime.fromisoformat(issued_at)
        )

    def add_grant(self, grant_id: str, account_id: str, scope: str) -> None:
        self._db.execute("INSERT INTO grants VALUES (?, ?, ?, 0)", (grant_id, account_id, scope))

    def grant(self, grant_id: str) -> Grant | None:
        row = self._db.execute(
            "SELECT account_id, scope, revoked FROM grants WHERE id = ?", (grant_id,)
        ).fetchone()
        return None if row is None else Grant(row[0], row[1], bool(row[2]))

    def revoke_grant(self, grant_id: str) -> None:
        self._db.execute("UPDATE grants SET revoked = 1 WHERE id = ?", (grant_id,))
        self.drop_access_tokens(grant_id)

    def revoke_grants_of(self, account_id: str) -> int:
        """Every live grant of the account, revoked (the person removed the app on Neon)."""
        live = self._db.execute(
            "SELECT id FROM grants WHERE account_id = ? AND revoked = 0", (account_id,)
        ).fetchall()
        for (grant_id,) in live:
            self.revoke_grant(grant_id)
        return len(live)

    def add_access(self, token: str, grant_id: str, expires_at: datetime) -> None:
        self._db.execute(
            "INSERT INTO access_tokens VALUES (?, ?, ?)",
            (_digest(token), grant_id, expires_at.isoformat()),
        )

    def access(self, token: str) -> tuple[str, datetime] | None:
        row = self._db.execute(
            "SELECT grant_id, expires_at FROM access_tokens WHERE digest = ?", (_digest(token),)
        ).fetchone()
        return None if row is None else (row[0], datetime.fromisoformat(row[1]))

    def drop_access_tokens(self, grant_id: str) -> None:
        self._db.execute("DELETE FROM access_tokens WHERE grant_id = ?", (grant_id,))

    def add_refresh(self, token: str, grant_id: str) -> None:
        self._db.execute("INSERT INTO refresh_tokens VALUES (?, ?, 1)", (_digest(token), grant_id))

    def refresh(self, token: str) -> tuple[str, bool] | None:
        """The grant a refresh token belongs to, and whether it is still the live one."""
        row = self._db.execute(
            "SELECT grant_id, active FROM refresh_tokens WHERE digest = ?", (_digest(token),)
        ).fetchone()
        return None if row is None else (row[0], bool(row[1]))

    def rotate_out(self, token: str) -> None:
        self._db.execute("UPDATE refresh_tokens SET active = 0 WHERE digest = ?", (_digest(token),))
