from __future__ import annotations

import pytest

from tests.support import Workspace, new_workspace


@pytest.fixture
async def workspace() -> Workspace:
    return await new_workspace()


@pytest.fixture
async def connected(workspace: Workspace) -> Workspace:
    completion = await workspace.connect()
    assert completion.outcome.value == "connected"
    return workspace
