"""A store bound to the transaction its unit of work opened."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Select
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql import Executable


class Statements(Protocol):
    """What the stores use of a transaction: aiosqlite's or asyncpg's ``AsyncConnection``, or an
    inline SQLite transaction (``inline_sqlite``)."""

    async def execute(self, statement: Executable, parameters: Any = None) -> CursorResult[Any]: ...


@dataclass(frozen=True, slots=True)
class InTransaction:
    """A store bound to the transaction its unit of work opened. In a writing transaction,
    ``held`` reads lock the rows they return until it ends (PostgreSQL: FOR UPDATE; SQLite's
    writing transactions already run one at a time)."""

    tx: Statements
    writing: bool

    def held(self, query: Select[Any]) -> Select[Any]:
        return query.with_for_update() if self.writing else query
