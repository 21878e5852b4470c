"""The read-only NeonConsole port over httpx, with Neon's paging rules."""

from __future__ import annotations

import logging
from typing import TypeVar

import msgspec

from adapters.outbound.neon_http import payloads
from adapters.outbound.neon_http.calls import ConsoleCalls
from application.ports.neon import (
    GET_CURRENT_USER,
    GET_PROJECT,
    LIST_BRANCHES,
    LIST_ORGANIZATIONS,
    LIST_PROJECTS,
    LIST_SHARED_PROJECTS,
    NeonUnavailable,
    ProjectListing,
)
from domain.connection import NeonAccount
from domain.errors import InvalidInput
from domain.ids import NeonOrgId, NeonProjectId
from domain.neon import (
    NeonBranch,
    NeonOrganization,
    NeonProjectDetails,
    NeonProjectSummary,
    ProjectPage,
)
from domain.secrets import Secret

log = logging.getLogger("produl_neon.neon_api")
T = TypeVar("T")
BRANCH_PAGE = 10_000  # the most Neon's published document allows: one request for any real project
BRANCH_PAGE_CAP = 5  # 50,000 branches: far beyond any plan's limit (5,000), and the loop ends


def _decode(content: bytes, kind: type[T]) -> T:
    try:
        return msgspec.json.decode(content, type=kind)
    except msgspec.MsgspecError:
        raise NeonUnavailable() from None  # malformed JSON, an HTML page, a changed shape


def _project_page(page: payloads.Projects, limit: int) -> ProjectPage:
    try:
        rows = tuple(
            NeonProjectSummary(
                NeonProjectId(p.id), p.name, NeonOrgId(p.org_id) if p.org_id else None
            )
            for p in page.projects
        )
    except InvalidInput:  # an id outside Neon's own pattern: not a Neon we understand
        raise NeonUnavailable() from None
    # Neon's end of list: a page shorter than `limit`; the cursor is there either way.
    more = len(rows) >= limit and page.pagination is not None and page.pagination.cursor
    return ProjectPage(rows, page.pagination.cursor if more and page.pagination else None)


def _listing(listing: ProjectListing) -> dict[str, str | int]:
    params: dict[str, str | int] = {"limit": listing.limit}  # always: Neon's default is only 10
    if listing.search:
        params["search"] = listing.search
    if listing.cursor:
        params["cursor"] = listing.cursor
    return params


class HttpxNeonConsole:
    def __init__(self, calls: ConsoleCalls) -> None:
        self._calls = calls

    async def get_current_user(self, token: Secret) -> NeonAccount:
        user = _decode(await self._calls.get(GET_CURRENT_USER, token), payloads.User)
        return NeonAccount(user.id, user.email, f"{user.name} {user.last_name}".strip())

    async def list_organizations(self, token: Secret) -> list[NeonOrganization]:
        content = await self._calls.get(LIST_ORGANIZATIONS, token)
        try:
            return [
                NeonOrganization(NeonOrgId(o.id), o.name)
                for o in _decode(content, payloads.Organizations).organizations
            ]
        except InvalidInput:
            raise NeonUnavailable() from None

    async def list_projects(
        self, token: Secret, listing: ProjectListing, *, org_id: NeonOrgId | None
    ) -> ProjectPage:
        params = _listing(listing)
        if org_id is not None:
            params["org_id"] = str(org_id)
        content = await self._calls.get(LIST_PROJECTS, token, params)
        return _project_page(_decode(content, payloads.Projects), listing.limit)

    async def list_shared_projects(self, token: Secret, listing: ProjectListing) -> ProjectPage:
        content = await self._calls.get(LIST_SHARED_PROJECTS, token, _listing(listing))
        return _project_page(_decode(content, payloads.Projects), listing.limit)

    async def get_project(self, token: Secret, project_id: NeonProjectId) -> NeonProjectDetails:
        content = await self._calls.get(GET_PROJECT, token, project_id=str(project_id))
        project = _decode(content, payloads.ProjectEnvelope).project
        return NeonProjectDetails(
            id=project_id,
            name=project.name,
            synthetic_storage_bytes=project.synthetic_storage_size,
            compute_time_seconds=project.compute_time_seconds,
            consumption_period_start=project.consumption_period_start,
            consumption_period_end=project.consumption_period_end,
        )

    async def list_branches(self, token: Secret, project_id: NeonProjectId) -> list[NeonBranch]:
        """Always sends `limit`; stops on a short page, a missing or repeated cursor, or the cap."""
        branches: list[NeonBranch] = []
        cursor: str | None = None
        seen: set[str] = set()
        for _ in range(BRANCH_PAGE_CAP):
            params: dict[str, str | int] = {"limit": BRANCH_PAGE}
            if cursor:
                params["cursor"] = cursor
            content = await self._calls.get(
                LIST_BRANCHES, token, params, project_id=str(project_id)
            )
            page = _decode(content, payloads.Branches)
            branches.extend(_branch(b) for b in page.branches)
            cursor = page.pagination.next if page.pagination else None
            if len(page.branches) < BRANCH_PAGE or not cursor or cursor in seen:
                return branches
            seen.add(cursor)
        log.warning("branch listing of %s stopped at %d pages", project_id, BRANCH_PAGE_CAP)
        return branches


def _branch(branch: payloads.Branch) -> NeonBranch:
    primary = branch.default if branch.default is not None else bool(branch.primary)
    updated = branch.updated_at
    if updated is None:
        raise NeonUnavailable()
    return NeonBranch(branch.id, branch.name, primary, branch.compute_time_seconds, updated)
