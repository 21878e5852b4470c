"""Coalesce concurrent calls with the same key into one running task (per process)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """The first caller for a key starts the work; callers arriving meanwhile await the same task.

    The task is shielded: a caller that is cancelled (a client hung up) does not cancel a
    token refresh half-way, so the rotated pair still gets written.
    """

    def __init__(self) -> None:
        self._running: dict[str, asyncio.Task[T]] = {}

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> T:
        task = self._running.get(key)
        if task is None:
            task = asyncio.ensure_future(work())
            self._running[key] = task
            task.add_done_callback(lambda done: self._forget(key, done))
        return await asyncio.shield(task)

    def running(self, key: str) -> bool:
        """Whether a call for ``key`` is in flight: one started now would join it."""
        return key in self._running

    async def wait_all(self) -> None:
        if self._running:
            await asyncio.gather(*self._running.values(), return_exceptions=True)

    def _forget(self, key: str, task: asyncio.Task[T]) -> None:
        if self._running.get(key) is task:
            del self._running[key]
        if not task.cancelled():
            task.exception()  # mark retrieved: a failure was already delivered to every waiter
