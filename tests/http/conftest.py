from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from litestar.testing import AsyncTestClient

from bootstrap.app import create_app
from tests.http.client import Api
from tests.support import FakeClock, make_container


@pytest.fixture
async def api() -> AsyncIterator[Api]:
    clock = FakeClock()
    container = make_container(clock)
    app = create_app(container)
    async with AsyncTestClient(app, base_url="http://127.0.0.1:8000") as client:
        client.follow_redirects = False  # the callback's 303 is what we check
        yield Api(client, container, clock)
