"""A PostgreSQL backend killed mid-traffic: requests in flight fail as store-unavailable, the next
ones succeed, and no refresh lock stays held."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest

from adapters.outbound.sql import migrate
from bootstrap.app import create_app
from tests.http.client import ADMIN, Api, serving
from tests.postgres import fresh_database
from tests.support import FakeClock, database_of, make_container

pytestmark = pytest.mark.slow


@pytest.fixture
async def on_postgres(postgres_server: str) -> AsyncIterator[tuple[Api, str]]:
    url = await fresh_database(postgres_server)
    clock = FakeClock()
    container = make_container(clock, PRODUL_DATABASE_URL=url)
    await migrate.upgrade(database_of(container))
    await database_of(container).dispose()  # asyncpg connections belong to the loop that made them
    async with serving(create_app(container)) as client:
        yield Api(client, container, clock), url.replace("postgresql+asyncpg", "postgresql")


async def _kill_backends(plain_url: str) -> int:
    admin = await asyncpg.connect(plain_url)
    try:
        killed = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return int(killed)
    finally:
        await admin.close()


async def test_killed_backends_fail_cleanly_and_the_pool_recovers(
    on_postgres: tuple[Api, str],
) -> None:
    api, plain_url = on_postgres
    await api.connect()
    board, widget = await api.board_with_widget("aged-salad-46255801")
    url = f"/api/dashboards/{board}/widgets/{widget}/data"
    statuses: list[int] = []
    problems: set[str] = set()
    stop = asyncio.Event()

    async def viewer() -> None:
        while not stop.is_set():
            response = await api.client.get(url, headers=ADMIN)
            statuses.append(response.status_code)
            if response.status_code != 200:
                problems.add(response.json()["type"])

    viewers = [asyncio.create_task(viewer()) for _ in range(12)]
    killed = 0
    for round_ in range(8):
        if round_ % 2 == 0:
            api.clock.advance(hours=2)  # refreshes, and their locks, in the middle of it
        await asyncio.sleep(0.15)
        killed += await _kill_backends(plain_url)
    stop.set()
    await asyncio.gather(*viewers)

    summary = f"killed {killed} backends; {statuses.count(503)} of {len(statuses)} requests 503"
    assert killed > 0 and set(statuses) == {200, 503}, summary
    assert problems <= {"/problems/store-unavailable"}
    after = [(await api.client.get(url, headers=ADMIN)).status_code for _ in range(10)]
    assert after == [200] * 10
    admin = await asyncpg.connect(plain_url)
    try:
        held = await admin.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
    finally:
        await admin.close()
    assert held == 0
    assert api.container.standin().oauth.counters.reuse_detections == 0
