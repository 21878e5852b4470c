"""The refresh-lock port's contract, run against every lock adapter there is."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from application.ports.stores import RefreshLock
from tests.contract.backends import KINDS, stores


@pytest.fixture(params=KINDS)
async def lock(request: pytest.FixtureRequest, postgres_server: str) -> AsyncIterator[RefreshLock]:
    async with stores(request.param, postgres_server) as container:
        refresh_lock: RefreshLock = container.refresh_lock()
        yield refresh_lock


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
async def test_two_os_processes_with_their_own_engines_never_overlap(
    kind: str, postgres_server: str, tmp_path: Path
) -> None:
    async with stores(kind, postgres_server) as container:
        url = container.settings().database_url
    log = tmp_path / "lock.log"
    workers = [
        subprocess.Popen([sys.executable, "-m", "tests.lock_worker", url, "c1", str(log), "6"])
        for _ in range(3)
    ]
    assert [w.wait(timeout=60) for w in workers] == [0, 0, 0]
    lines = log.read_text().split()
    events = list(zip(lines[0::2], lines[1::2], strict=True))
    assert len(events) == 2 * 3 * 6
    for (enter, holder), (leave, same) in zip(events[0::2], events[1::2], strict=True):
        assert (enter, leave) == ("enter", "leave") and holder == same


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
