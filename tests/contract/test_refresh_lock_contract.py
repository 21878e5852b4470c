"""The refresh-lock port's contract, run against every lock adapter there is."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from adapters.outbound.memory.connections import MemoryRefreshLock
from application.ports.stores import RefreshLock

LOCKS: dict[str, Callable[[], RefreshLock]] = {"memory": MemoryRefreshLock}


@pytest.fixture(params=sorted(LOCKS))
def lock(request: pytest.FixtureRequest) -> RefreshLock:
    return LOCKS[request.param]()


async def test_one_holder_at_a_time_per_connection(lock: RefreshLock) -> None:
    inside = 0
    most = 0

    async def hold() -> None:
        nonlocal inside, most
        async with lock.hold("c1"):
            inside += 1
            most = max(most, inside)
            await asyncio.sleep(0.005)
            inside -= 1

    await asyncio.gather(*(hold() for _ in range(20)))
    assert most == 1


async def test_different_connections_do_not_wait_for_each_other(lock: RefreshLock) -> None:
    async with lock.hold("c1"):
        await asyncio.wait_for(_enter_and_leave(lock, "c2"), timeout=1)


async def test_a_failure_inside_releases_the_lock(lock: RefreshLock) -> None:
    with pytest.raises(RuntimeError):
        async with lock.hold("c1"):
            raise RuntimeError("refresh failed")
    await asyncio.wait_for(_enter_and_leave(lock, "c1"), timeout=1)


async def test_a_cancelled_waiter_does_not_keep_the_lock(lock: RefreshLock) -> None:
    async with lock.hold("c1"):
        waiter = asyncio.create_task(_enter_and_leave(lock, "c1"))
        await asyncio.sleep(0.01)
        waiter.cancel()
    await asyncio.wait_for(_enter_and_leave(lock, "c1"), timeout=1)


async def _enter_and_leave(lock: RefreshLock, connection_id: str) -> None:
    async with lock.hold(connection_id):
        pass
