"""The per-connection refresh lock, in memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager


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
