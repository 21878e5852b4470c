from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.postgres import throwaway_server
from tests.support import Workspace, new_workspace


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    with throwaway_server() as url:
        yield url


@pytest.fixture
async def workspace() -> Workspace:
    return await new_workspace()


@pytest.fixture
async def connected(workspace: Workspace) -> Workspace:
    completion = await workspace.connect()
    assert completion.outcome.value == "connected"
    return workspace
