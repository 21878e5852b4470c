"""The httpx Console client's own rules, against a scripted Neon (httpx.MockTransport)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import httpx
import pytest

from adapters.outbound.neon_http.calls import ConsoleCalls
from adapters.outbound.neon_http.console import BRANCH_PAGE, BRANCH_PAGE_CAP, HttpxNeonConsole
from adapters.outbound.prometheus_telemetry import PrometheusTelemetry
from application.ports.neon import NeonUnavailable, OrgIdRequired, ProjectListing
from domain.errors import ProjectNotAccessible
from domain.ids import NeonOrgId, NeonProjectId
from domain.secrets import Secret

API = "https://console.neon.tech/api/v2"
TOKEN = Secret("nat_token")
PROJECT = NeonProjectId("aged-salad-46255801")
Handler = Callable[[httpx.Request], httpx.Response]


def _console(handler: Handler, **options: float) -> tuple[HttpxNeonConsole, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    transport = httpx.MockTransport(record)
    calls = ConsoleCalls(transport, API, PrometheusTelemetry(), backoff=0.001, **options)  # type: ignore[arg-type]
    return HttpxNeonConsole(calls), seen


def _branch(index: int) -> dict[str, object]:
    return {"id": f"br-{index}", "name": f"b{index}", "primary": index == 0,
            "compute_time_seconds": 10, "updated_at": "2026-11-20T10:00:00Z"}  # fmt: skip


@pytest.mark.parametrize(("total", "requests"), [(130, 1), (BRANCH_PAGE + 30, 2)])
async def test_branch_paging_sends_limit_and_stops_on_a_short_page(
    total: int, requests: int
) -> None:
    """Branches come in pages as large as Neon allows: one request for any real project."""

    def pages(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params.get("cursor") or 0)
        rows = [_branch(i) for i in range(offset, min(offset + BRANCH_PAGE, total))]
        return httpx.Response(200, json={"branches": rows, "pagination": {
            "next": str(offset + len(rows)), "sort_order": "DESC"}})  # fmt: skip

    console, seen = _console(pages)
    branches = await console.list_branches(TOKEN, PROJECT)
    assert len(branches) == total and len(seen) == requests
    assert all(r.url.params["limit"] == str(BRANCH_PAGE) for r in seen)
    assert branches[0].default  # read from the deprecated `primary` when `default` is absent


async def test_a_repeated_cursor_or_an_endless_listing_stops() -> None:
    full = [_branch(i) for i in range(BRANCH_PAGE)]
    same, seen_same = _console(lambda r: httpx.Response(200, json={
        "branches": full, "pagination": {"next": "again"}}))  # fmt: skip
    assert len(await same.list_branches(TOKEN, PROJECT)) == 2 * BRANCH_PAGE
    assert len(seen_same) == 2

    counter = iter(range(10_000))
    endless, seen_endless = _console(lambda r: httpx.Response(200, json={
        "branches": full, "pagination": {"next": str(next(counter))}}))  # fmt: skip
    await endless.list_branches(TOKEN, PROJECT)
    assert len(seen_endless) == BRANCH_PAGE_CAP


async def test_tolerant_of_what_neon_adds_drops_and_zeroes() -> None:
    body = {
        "project": {
            "id": "aged-salad-46255801",
            "name": "analytics",
            "new_field": {"x": 1},
            "compute_time_seconds": 7,
            "consumption_period_start": "0001-01-01T00:00:00Z",
            "consumption_period_end": "0001-01-01T00:00:00Z",
        }
    }
    console, _ = _console(lambda r: httpx.Response(200, json=body))  # fmt: skip
    project = await console.get_project(TOKEN, PROJECT)
    assert project.synthetic_storage_bytes is None and project.compute_time_seconds == 7
    assert project.consumption_period_start is not None
    assert project.consumption_period_start.year == 1


async def test_the_deadline_covers_the_whole_call() -> None:
    async def slow(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(5)
        return httpx.Response(200, json={})

    transport = httpx.MockTransport(slow)
    console = HttpxNeonConsole(ConsoleCalls(transport, API, PrometheusTelemetry(), deadline=0.05))
    started = asyncio.get_running_loop().time()
    with pytest.raises(NeonUnavailable):
        await console.get_current_user(TOKEN)
    assert asyncio.get_running_loop().time() - started < 1


async def test_retries_are_bounded_and_only_for_retryable_answers() -> None:
    flaky, seen = _console(lambda r: httpx.Response(503, json={"code": "", "message": "x"}))
    with pytest.raises(NeonUnavailable):
        await flaky.get_current_user(TOKEN)
    assert len(seen) == 3  # the first try and two retries
    broken, seen_broken = _console(lambda r: httpx.Response(500, json={}))
    with pytest.raises(NeonUnavailable):
        await broken.get_current_user(TOKEN)
    assert len(seen_broken) == 1


async def test_a_request_id_is_sent_and_logged_and_the_base_path_kept(
    caplog: pytest.LogCaptureFixture,
) -> None:
    console, seen = _console(lambda r: httpx.Response(200, json={"id": "u", "email": "e"}))
    with caplog.at_level(logging.INFO, logger="produl_neon.neon_api"):
        await console.get_current_user(TOKEN)
    request_id = seen[0].headers["x-request-id"]
    assert len(request_id) == 32 and request_id in caplog.text
    assert str(seen[0].url) == f"{API}/users/me"
    assert "nat_token" not in caplog.text


def _answer(status: int, message: str = "") -> Handler:
    return lambda r: httpx.Response(status, json={"code": "", "message": message})


async def test_a_refusal_is_not_accessible_except_about_the_account_itself() -> None:
    for status in (403, 404):
        console, _ = _console(_answer(status))
        with pytest.raises(NeonUnavailable):
            await console.get_current_user(TOKEN)
        with pytest.raises(ProjectNotAccessible):
            await console.list_organizations(TOKEN)
        with pytest.raises(ProjectNotAccessible):
            await console.list_projects(
                TOKEN, ProjectListing(limit=10), org_id=NeonOrgId("org-quiet-river-52019377")
            )
        with pytest.raises(ProjectNotAccessible):
            await console.get_project(TOKEN, PROJECT)
        with pytest.raises(ProjectNotAccessible):
            await console.list_branches(TOKEN, PROJECT)


async def test_org_id_is_required_only_of_the_project_listing() -> None:
    console, _ = _console(_answer(400, "org_id is required"))
    with pytest.raises(OrgIdRequired):
        await console.list_projects(TOKEN, ProjectListing(limit=10), org_id=None)
    with pytest.raises(NeonUnavailable):
        await console.list_shared_projects(TOKEN, ProjectListing(limit=10))
