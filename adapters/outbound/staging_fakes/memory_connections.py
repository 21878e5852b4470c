"""Connections and the per-connection refresh lock, in memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

from application.ports.stores import VersionConflict
from domain.connection import Connection
from domain.errors import NotFound


class MemoryConnectionStore:
    def __init__(self) -> None:
        self._by_workspace: dict[str, Connection] = {}

    async def get(self, workspace_id: str) -> Connection | None:
        return self._by_workspace.get(workspace_id)

    async def add(self, connection: Connection) -> None:
        self._by_workspace[connection.workspace_id] = connection

    async def update(self, connection: Connection, *, expected_version: int) -> None:
        stored = self._by_workspace.get(connection.workspace_id)
        if stored is None or stored.id != connection.id:
            raise NotFound("The connection was removed.")
        if stored.version != expected_version:
            raise VersionConflict()
        self._by_workspace[connection.workspace_id] = connection

    async def remove(self, workspace_id: str) -> Connection | None:
        return self._by_workspace.pop(workspace_id, None)

    async def idle_since(self, before: datetime) -> Sequence[Connection]:
        return [c for c in self._by_workspace.values() if c.usable and c.tokens.issued_at < before]

    async def workspace_ids(self) -> Sequence[str]:
        return list(self._by_workspace)

    async def reseal(self, connection: Connection) -> bool:
        return False  # nothing is encrypted in memory


class MemoryRefreshLock:
    """One asyncio lock per connection: enough when one process holds all the state."""

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._users: dict[str, int] = {}

    @asynccontextmanager
    async def hold(self, connection_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(connection_id, asyncio.Lock())
        self._users[connection_id] = self._users.get(connection_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._users[connection_id] -= 1
            if not self._users[connection_id]:
                del self._users[connection_id], self._locks[connection_id]
