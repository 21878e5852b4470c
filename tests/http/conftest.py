from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bootstrap.app import create_app
from tests.http.client import Api, serving
from tests.support import FakeClock, make_container


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    clock = FakeClock()
    container = make_container(clock)
    app = create_app(container)
    async with serving(app) as client:
        yield Api(client, container, clock)
