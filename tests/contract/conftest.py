"""Stores of every kind (staging fakes, SQLite, PostgreSQL) with two workspaces, w1 and w2."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bootstrap.container import Container
from domain.workspaces import Workspace
from tests.contract.backends import KINDS, stores
from tests.support import stored


@pytest.fixture(params=KINDS)
async def backend(request: pytest.FixtureRequest, postgres_server: str) -> AsyncIterator[Container]:
    async with stores(request.param, postgres_server) as container:
        for workspace_id in ("w1", "w2"):
            await stored(container).workspaces.add(Workspace(workspace_id, workspace_id))
        yield container
