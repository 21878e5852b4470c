"""What Neon (or the network) does wrong, and the problem the widget shows for it: never a 500."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import replace

import httpx
import pytest
from dependency_injector import providers

from bootstrap import neon_wiring
from bootstrap.app import create_app
from tests.http.client import ADMIN, Api, serving
from tests.http.neon_faults import CASES, Injecting
from tests.support import FakeClock, make_container


@pytest.fixture
async def rigged() -> AsyncIterator[tuple[Api, Injecting]]:
    clock = FakeClock()
    container = make_container(clock)
    injecting = Injecting(neon_wiring.transport(container.settings(), container.standin()))
    container.neon_transport.override(providers.Object(injecting))
    async with serving(create_app(container)) as client:
        yield Api(client, container, clock), injecting


@pytest.mark.parametrize("case", list(CASES))
async def test_each_failure_reaches_the_widget_as_its_problem(
    rigged: tuple[Api, Injecting], case: str
) -> None:
    api, injecting = rigged
    await api.connect()
    board, widget = await api.board_with_widget("aged-salad-46255801")
    answer, status, slug, retry_after = CASES[case]
    injecting.answer = answer
    response = await api.client.get(f"/api/dashboards/{board}/widgets/{widget}/data", headers=ADMIN)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"].endswith(f"/{slug}")
    assert response.headers.get("retry-after") == retry_after
    if case.startswith("429"):
        assert injecting.hits <= 2  # project and branches once each: no retry, no sleeping


async def test_an_organization_neon_refuses_to_list_is_a_warning(
    rigged: tuple[Api, Injecting],
) -> None:
    api, _ = rigged
    await api.connect()
    lab = "org-quiet-river-52019377"
    original = api.container.standin().catalog.organizations[lab]
    injecting = api.container.neon_transport()
    assert isinstance(injecting, Injecting)
    real = injecting.inner

    class OrgRefused(httpx.AsyncBaseTransport):
        """Neon answers 403 for one organization's listing (e.g. a plan without API access)."""

        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            if request.url.params.get("org_id") == lab:
                return httpx.Response(403, json={"code": "", "message": "forbidden"})
            return await real.handle_async_request(request)

    injecting.inner = OrgRefused()
    response = await api.client.get("/api/integrations/neon/projects", headers=ADMIN)
    picker = response.json()
    assert [w["org_id"] for w in picker["warnings"]] == [lab]
    assert original.name not in {p.get("org_name") for p in picker["projects"]}


async def test_figures_neon_cannot_mean_render_as_null_and_are_logged(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """The published document allows a negative storage size and branch compute time."""
    await api.connect()
    board, widget = await api.board_with_widget("aged-salad-46255801")
    project = api.container.standin().catalog.projects["aged-salad-46255801"]
    project.synthetic_storage_size = -52_428_800
    project.branches[0] = replace(project.branches[0], compute_time_seconds=-1)
    with caplog.at_level(logging.WARNING, logger="produl_neon.widgets"):
        response = await api.client.get(
            f"/api/dashboards/{board}/widgets/{widget}/data", headers=ADMIN
        )
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["storage"] == {"bytes": None, "display": None}
    assert data["compute"]["seconds"] is None and data["compute"]["hours"] is None
    assert data["branches"]["total"] == len(project.branches)
    assert any("aged-salad-46255801" in r.getMessage() and "storage, compute" in r.getMessage()
               for r in caplog.records)  # fmt: skip
