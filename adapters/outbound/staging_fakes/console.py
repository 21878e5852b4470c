"""The read-only NeonConsole port played by the fake Neon's catalog, with Neon's paging rules."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from adapters.outbound.neon_http.console import BRANCH_PAGE
from application.ports import neon as port
from domain import neon
from domain.connection import NeonAccount
from domain.errors import ProjectNotAccessible
from domain.ids import NeonOrgId, NeonProjectId
from domain.secrets import Secret
from neon_standin.catalog import Catalog, FakeProject
from neon_standin.oauth_server import AuthorizationServer


class StagingNeonConsole:
    def __init__(
        self,
        catalog: Catalog,
        server: AuthorizationServer,
        *,
        latency: timedelta = timedelta(milliseconds=5),
    ) -> None:
        self._catalog = catalog
        self._server = server
        self._latency = latency.total_seconds()
        self.calls: list[str] = []  # Neon operation ids, in order: what a test can count
        self.unavailable_orgs: set[str] = set()  # staging knob: Neon fails to list these
        self.failing: Exception | None = None  # staging knob: every call raises this (503, 429)

    async def _account(self, operation: port.ConsoleOperation, token: Secret) -> str:
        self.calls.append(operation.operation_id)
        port.console_request_sent()
        await asyncio.sleep(self._latency)
        if self.failing is not None:
            if isinstance(self.failing, port.NeonRateLimited):
                port.console_rate_limited(self.failing.retry_after_seconds)
            raise self.failing
        account_id = self._server.account_for(token.reveal())
        if account_id is None:
            raise port.AccessTokenRejected()
        return account_id

    async def get_current_user(self, token: Secret) -> NeonAccount:
        account = self._catalog.accounts[await self._account(port.GET_CURRENT_USER, token)]
        return NeonAccount(account.id, account.email, account.name)

    async def list_organizations(self, token: Secret) -> list[neon.NeonOrganization]:
        account_id = await self._account(port.LIST_ORGANIZATIONS, token)
        return [
            neon.NeonOrganization(NeonOrgId(o.id), o.name)
            for o in self._catalog.organizations_of(account_id)
        ]

    async def list_projects(
        self, token: Secret, listing: port.ProjectListing, *, org_id: NeonOrgId | None
    ) -> neon.ProjectPage:
        account_id = await self._account(port.LIST_PROJECTS, token)
        if org_id is None and not self._catalog.accounts[account_id].has_personal_projects:
            raise port.OrgIdRequired()
        if org_id is not None and org_id.value in self.unavailable_orgs:
            raise port.NeonUnavailable()
        if org_id is not None and org_id.value not in {
            o.id for o in self._catalog.organizations_of(account_id)
        }:
            raise ProjectNotAccessible()
        org = str(org_id) if org_id else None
        return _page(self._catalog.listing(account_id, org, False, listing.search), listing)

    async def list_shared_projects(
        self, token: Secret, listing: port.ProjectListing
    ) -> neon.ProjectPage:
        account_id = await self._account(port.LIST_SHARED_PROJECTS, token)
        return _page(self._catalog.listing(account_id, None, True, listing.search), listing)

    async def get_project(
        self, token: Secret, project_id: NeonProjectId
    ) -> neon.NeonProjectDetails:
        project = self._visible(await self._account(port.GET_PROJECT, token), project_id)
        figures = (project.synthetic_storage_size, project.compute_time_seconds)
        period = (project.period_start, project.period_end)
        return neon.NeonProjectDetails(project_id, project.name, *figures, *period)

    async def list_branches(
        self, token: Secret, project_id: NeonProjectId
    ) -> list[neon.NeonBranch]:
        """In pages of the real adapter's size: the 130-branch project needs two calls in both."""
        branches: list[neon.NeonBranch] = []
        offset = 0
        while True:  # ends: every page but the last is full, and offsets only grow
            project = self._visible(await self._account(port.LIST_BRANCHES, token), project_id)
            page = project.branches[offset : offset + BRANCH_PAGE]
            branches.extend(
                neon.NeonBranch(b.id, b.name, b.default, b.compute_time_seconds, b.updated_at)
                for b in page
            )
            offset += len(page)
            if len(page) < BRANCH_PAGE:
                return branches

    def _visible(self, account_id: str, project_id: NeonProjectId) -> FakeProject:
        project = self._catalog.projects.get(project_id.value)
        if project is None or not self._catalog.can_see(account_id, project):
            raise ProjectNotAccessible()
        return project


def _page(rows: list[FakeProject], listing: port.ProjectListing) -> neon.ProjectPage:
    """Neon's /projects paging: the cursor is the last id returned; an empty page has none."""
    cursor, limit = listing.cursor, listing.limit
    after = [p for p in rows if cursor is None or p.id > cursor][:limit]
    summaries = tuple(
        neon.NeonProjectSummary(
            NeonProjectId(p.id), p.name, NeonOrgId(p.org_id) if p.org_id else None
        )
        for p in after
    )
    # Neon's end of list is a page shorter than the limit.
    return neon.ProjectPage(summaries, after[-1].id if len(after) == limit else None)
