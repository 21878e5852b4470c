"""One contract for the Console port: the in-memory fake and the httpx adapter (talking to the
stand-in over HTTP) give the same answers to the same questions."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.outbound.staging_fakes.console import StagingNeonConsole
from application.ports.neon import (
    AccessTokenRejected,
    NeonConsole,
    NeonRateLimited,
    OrgIdRequired,
    ProjectListing,
    counting_console_requests,
)
from domain.errors import ProjectNotAccessible
from domain.ids import NeonOrgId, NeonProjectId
from domain.neon import NeonProjectSummary
from domain.secrets import Secret
from neon_standin.seed import ACME, ADA, GRACE
from tests.contract.console_fixtures import Console, console, token_for


@pytest.fixture(params=["memory", "http", "wire"])
async def neon(request: pytest.FixtureRequest) -> AsyncIterator[Console]:
    async with console(request.param) as implementation:
        yield implementation


async def _every_project(
    port: NeonConsole, token: Secret, limit: int, *, org_id: NeonOrgId | None, search: str | None
) -> list[NeonProjectSummary]:
    rows: list[NeonProjectSummary] = []
    cursor = None
    for _ in range(50):
        listing = ProjectListing(limit=limit, search=search, cursor=cursor)
        page = await port.list_projects(token, listing, org_id=org_id)
        rows.extend(page.projects)
        if page.next_cursor is None:
            return rows
        cursor = page.next_cursor
    raise AssertionError("paging did not end")


async def test_who_am_i_and_my_organizations(neon: Console) -> None:
    token = token_for(neon.standin, ADA)
    account = await neon.port.get_current_user(token)
    assert (account.id, account.email, account.name) == (ADA, "ada@example.com", "Ada Lovelace")
    orgs = await neon.port.list_organizations(token)
    assert [(str(o.id), o.name) for o in orgs] == [
        (ACME, "Acme Analytics"), ("org-quiet-river-52019377", "Night Lab"),
    ]  # fmt: skip


@pytest.mark.parametrize("limit", [1, 2, 3, 10])
async def test_project_paging_ends_and_returns_everything(neon: Console, limit: int) -> None:
    token = token_for(neon.standin, ADA)
    personal = await _every_project(neon.port, token, limit, org_id=None, search=None)
    assert [str(p.id) for p in personal] == [
        "aged-salad-46255801", "bold-dawn-90210417", "old-violet-32930710",
    ]  # fmt: skip
    acme = await _every_project(neon.port, token, limit, org_id=NeonOrgId(ACME), search=None)
    assert {str(p.org_id) for p in acme} == {ACME} and len(acme) == 2
    found = await _every_project(neon.port, token, limit, org_id=None, search="salad")
    assert [p.name for p in found] == ["analytics"]


async def test_shared_projects_and_the_org_id_rule(neon: Console) -> None:
    ada, grace = token_for(neon.standin, ADA), token_for(neon.standin, GRACE)
    shared = await neon.port.list_shared_projects(ada, ProjectListing(limit=10))
    assert [str(p.id) for p in shared.projects] == ["wild-pine-66301122"]
    assert shared.next_cursor is None
    with pytest.raises(OrgIdRequired):
        await neon.port.list_projects(grace, ProjectListing(limit=10), org_id=None)


@pytest.mark.parametrize(
    "project_id", ["aged-salad-46255801", "old-violet-32930710", "bold-dawn-90210417"]
)
async def test_a_project_and_all_its_branches(neon: Console, project_id: str) -> None:
    token = token_for(neon.standin, ADA)
    project = await neon.port.get_project(token, NeonProjectId(project_id))
    expected = neon.standin.catalog.projects[project_id]
    assert project.name == expected.name
    assert project.synthetic_storage_bytes == expected.synthetic_storage_size
    assert project.compute_time_seconds == expected.compute_time_seconds
    assert project.consumption_period_start == expected.period_start
    branches = await neon.port.list_branches(token, NeonProjectId(project_id))
    assert sorted((b.id, b.name, b.default, b.compute_time_seconds, b.updated_at)
                  for b in branches) == sorted(
        (b.id, b.name, b.default, b.compute_time_seconds, b.updated_at) for b in expected.branches
    )  # fmt: skip


async def test_what_the_account_cannot_see_and_a_dead_token(neon: Console) -> None:
    grace = token_for(neon.standin, GRACE)
    with pytest.raises(ProjectNotAccessible):
        await neon.port.get_project(grace, NeonProjectId("aged-salad-46255801"))
    with pytest.raises(ProjectNotAccessible):
        await neon.port.list_branches(grace, NeonProjectId("no-such-project-1"))
    with pytest.raises(AccessTokenRejected):
        await neon.port.get_current_user(Secret("nat_not-a-token"))


async def test_every_request_sent_and_every_429_is_counted_for_the_accounts_budget(
    neon: Console,
) -> None:
    """What a Neon account's budget is charged from (decision 0024): an adapter that sent a
    request without counting it would let the picker or a retry bypass the budget."""
    token = token_for(neon.standin, ADA)
    with counting_console_requests() as counted:
        await neon.port.get_project(token, NeonProjectId("aged-salad-46255801"))
        await neon.port.list_branches(token, NeonProjectId("aged-salad-46255801"))
    assert (counted.sent, counted.retry_after_seconds) == (2, None)
    neon.standin.faults.rate_limit_burst, neon.standin.faults.retry_after = 1, 17
    if isinstance(neon.port, StagingNeonConsole):
        neon.port.failing = NeonRateLimited(17)  # the staging fake's own knob
    with counting_console_requests() as counted, pytest.raises(NeonRateLimited):
        await neon.port.list_organizations(token)
    assert (counted.sent, counted.retry_after_seconds) == (1, 17)
