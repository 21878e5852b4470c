"""The HTTP API served on a fresh database of each kind, for the tests that race writes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.outbound.sql import migrate
from bootstrap.app import create_app
from tests.contract.backends import database_url
from tests.http.client import Api, serving
from tests.support import FakeClock, database_of, make_container


@pytest.fixture(params=["sqlite", "postgres"])
async def api_on_each_database(
    request: pytest.FixtureRequest, postgres_server: str
) -> AsyncIterator[Api]:
    url = await database_url(request.param, postgres_server)
    clock = FakeClock()
    container = make_container(clock, PRODUL_DATABASE_URL=url)
    if request.param == "postgres":
        await migrate.upgrade(database_of(container))
        await database_of(container).dispose()  # asyncpg connections belong to their loop
    async with serving(create_app(container)) as client:
        yield Api(client, container, clock)
