"""What Neon (or the network) does wrong, and the problem the widget shows for it: never a 500."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import replace

import httpx
import pytest
from dependency_injector import providers

from bootstrap import neon_wiring
from bootstrap.app import create_app
from tests.http.client import ADMIN, Api, serving
from tests.support import FakeClock, make_container

Answer = Callable[[httpx.Request], httpx.Response]


def _json(
    status: int,
    body: bytes = b'{"code": "", "message": "x"}',
    headers: dict[str, str] | None = None,
) -> Answer:
    return lambda request: httpx.Response(status, content=body, headers=headers)


def _raise(error: type[httpx.TransportError]) -> Answer:
    def answer(request: httpx.Request) -> httpx.Response:
        raise error("injected", request=request)

    return answer


ORG_ID = (
    b'{"code": "", "message": "org_id is required, you can find it on your organization '
    b'settings page"}'
)
CASES: dict[str, tuple[Answer, int, str, str | None]] = {
    "400 org_id is required": (_json(400, ORG_ID), 503, "neon-unavailable", "5"),
    # Refused again after a refresh: Neon's trouble, not a lost grant (decision 0002).
    "401": (_json(401), 503, "neon-unavailable", "60"),
    "403": (_json(403), 409, "project-not-accessible", None),
    "404": (_json(404), 409, "project-not-accessible", None),
    "423 (retried, then given up)": (_json(423), 503, "neon-unavailable", "5"),
    "429 with Retry-After": (_json(429, headers={"Retry-After": "17"}), 503, "neon-rate-limited",
                             "17"),
    "429 without Retry-After": (_json(429), 503, "neon-rate-limited", "30"),
    "500": (_json(500), 503, "neon-unavailable", "5"),
    "503 (retried, then given up)": (_json(503), 503, "neon-unavailable", "5"),
    "connect error": (_raise(httpx.ConnectError), 503, "neon-unavailable", "5"),
    "read timeout": (_raise(httpx.ReadTimeout), 503, "neon-unavailable", "5"),
    "malformed JSON": (_json(200, b'{"project": {"id": '), 503, "neon-unavailable", "5"),
    "an HTML body": (_json(200, b"<html>Bad gateway</html>", {"content-type": "text/html"}),
                     503, "neon-unavailable", "5"),
}  # fmt: skip


class Injecting(httpx.AsyncBaseTransport):
    """Once armed, answers the widget's Console reads itself; the rest reaches the stand-in."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.answer: Answer | None = None
        self.hits = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.answer is not None and "/api/v2/projects/" in request.url.path:
            self.hits += 1
            return self.answer(request)
        return await self.inner.handle_async_request(request)


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
