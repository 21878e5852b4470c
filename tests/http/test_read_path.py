"""An /api route resolves its actor, then its use case: one dependency per batch, so Litestar
awaits each directly instead of opening an anyio task group per request (decision 0026)."""

from __future__ import annotations

from typing import Any

import litestar._kwargs.kwargs_model as kwargs_model
import pytest
from litestar import Litestar, get
from litestar.di import NamedDependency, Provide
from litestar.testing import AsyncTestClient

from tests.http.client import ADMIN, Api

READS = ["/api/dashboards", "/api/widget-library", "/api/members", "/api/audit-log",
         "/api/integrations", "/api/integrations/neon"]  # fmt: skip


@pytest.fixture
def no_task_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where Litestar opens its task group for a batch of two or more dependencies (a private
    name: if it moves, this fixture fails and the check must be found again)."""

    def refused() -> Any:
        raise AssertionError("a batch of two dependencies: a task group per request")

    monkeypatch.setattr(kwargs_model, "create_task_group", refused)


@pytest.mark.usefixtures("no_task_groups")
async def test_api_reads_resolve_their_dependencies_one_at_a_time(api: Api) -> None:
    for path in READS:
        answer = await api.client.get(path, headers=ADMIN)
        assert answer.status_code == 200, (path, answer.text)
    created = await api.client.post("/api/dashboards", json={"name": "Ops"}, headers=ADMIN)
    assert created.status_code == 201, created.text


@pytest.mark.usefixtures("no_task_groups")
async def test_the_check_bites_on_a_batch_of_two() -> None:
    """The control: two dependencies that wait on nothing are one batch."""

    @get("/", sync_to_thread=False)
    def both(first: NamedDependency[int], second: NamedDependency[int]) -> int:
        return first + second

    app = Litestar(
        [both],
        dependencies={"first": Provide(lambda: 1, sync_to_thread=False),
                      "second": Provide(lambda: 2, sync_to_thread=False)},
        logging_config=None,
    )  # fmt: skip
    async with AsyncTestClient(app) as client:
        assert (await client.get("/")).status_code == 500
