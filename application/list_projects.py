"""The project picker: every project the connected account can see, with search and paging."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace

from application.neon_access.access_tokens import AccessTokens
from application.neon_access.authorized_calls import AuthorizedCalls
from application.neon_access.picker_cursor import PickerPosition
from application.permissions import Audience, use_case
from application.ports.neon import (
    NeonConsole,
    NeonRateLimited,
    NeonUnavailable,
    OrgIdRequired,
    ProjectListing,
)
from application.ports.stores import TokensUnreadable
from domain.errors import (
    InvalidInput,
    NeonNotConnected,
    NeonReauthorizationRequired,
    NotFound,
    ProjectNotAccessible,
)
from domain.ids import NeonOrgId
from domain.neon import NeonOrganization, NeonProjectSummary, ProjectPage
from domain.scopes import PROJECTS_READ
from domain.secrets import Secret
from domain.workspaces import Member

MAX_LIMIT = 100
MAX_SEARCH_LENGTH = 200


@dataclass(frozen=True, slots=True)
class PickerWarning:
    code: str
    message: str
    org_id: str | None = None


@dataclass(frozen=True, slots=True)
class ProjectQuery:
    search: str | None = None
    org_id: str | None = None
    cursor: str | None = None
    limit: int = 20


@dataclass(slots=True)
class PickerPage:
    projects: list[NeonProjectSummary]
    organizations: list[NeonOrganization]
    next_cursor: str | None = None
    warnings: list[PickerWarning] = field(default_factory=list)


Fetch = Callable[[Secret, ProjectListing], Awaitable[ProjectPage]]


@dataclass(frozen=True, slots=True)
class _Source:
    org_id: NeonOrgId | None  # the organization listed, None for personal and shared
    fetch: Fetch
    personal: bool = False


@use_case(
    Audience.MEMBERS,
    raises=(
        InvalidInput,
        NotFound,
        NeonNotConnected,
        NeonReauthorizationRequired,
        NeonRateLimited,
        NeonUnavailable,
        TokensUnreadable,
    ),
)
@dataclass(frozen=True, slots=True)
class ListProjects:
    """Without ``org_id`` the sources are, in order: the personal projects, each
    organization's projects, then projects shared with the account. A page fills up across
    sources; a source is finished when Neon returns fewer rows than asked for (Neon's own
    end-of-list rule) or no cursor. A personal listing refused with "org_id is required" is
    empty (organization-scoped accounts have no personal projects); an organization that cannot
    be listed becomes a warning. An empty picker says whether the read scope is missing, or
    whether it is the search that matched nothing.
    """

    tokens: AccessTokens
    neon: AuthorizedCalls
    console: NeonConsole

    async def execute(self, actor: Member, query: ProjectQuery) -> PickerPage:
        if not 1 <= query.limit <= MAX_LIMIT:
            raise InvalidInput(f"limit is between 1 and {MAX_LIMIT}.")
        search = (query.search or "").strip() or None
        if search is not None and len(search) > MAX_SEARCH_LENGTH:
            raise InvalidInput(f"search is at most {MAX_SEARCH_LENGTH} characters.")
        org_filter = NeonOrgId(query.org_id) if query.org_id else None
        position = PickerPosition.decode(query.cursor)

        async def page(token: Secret) -> PickerPage:
            return await self._page(token, org_filter, search, position, query.limit)

        connection = await self.tokens.current(actor.workspace_id)
        result = await self.neon.with_fresh_token(connection, page)
        if not result.projects and query.cursor is None:
            result.warnings.append(_empty_reason(connection.scopes, search))
        return result

    async def _page(
        self,
        token: Secret,
        org_filter: NeonOrgId | None,
        search: str | None,
        position: PickerPosition,
        limit: int,
    ) -> PickerPage:
        organizations = await self.console.list_organizations(token)
        if org_filter is not None and org_filter not in {o.id for o in organizations}:
            raise NotFound("The connected account is not a member of that organization.")
        sources = self._sources(organizations, org_filter)
        page = PickerPage(projects=[], organizations=organizations)
        while len(page.projects) < limit and position.source < len(sources):
            source = sources[position.source]
            wanted = limit - len(page.projects)
            listing = ProjectListing(limit=wanted, search=search, cursor=position.neon_cursor)
            result = await self._fetch(source, token, listing, page)
            page.projects.extend(
                p if p.org_id is not None else replace(p, org_id=source.org_id)
                for p in result.projects
            )
            if len(result.projects) < wanted or result.next_cursor is None:
                position = PickerPosition(position.source + 1)
            else:
                position = PickerPosition(position.source, result.next_cursor)
        if position.source < len(sources):
            page.next_cursor = position.encode()
        return page

    async def _fetch(
        self, source: _Source, token: Secret, listing: ProjectListing, page: PickerPage
    ) -> ProjectPage:
        try:
            return await source.fetch(token, listing)
        except OrgIdRequired:
            if not source.personal:
                raise NeonUnavailable() from None
        except (NeonUnavailable, NeonRateLimited, ProjectNotAccessible):
            if source.org_id is None:
                raise
            page.warnings.append(
                PickerWarning(
                    "organization_unavailable",
                    "Neon did not list this organization's projects; they are left out.",
                    str(source.org_id),
                )
            )
        return ProjectPage((), None)

    def _sources(
        self, organizations: list[NeonOrganization], org_filter: NeonOrgId | None
    ) -> list[_Source]:
        def projects_of(org: NeonOrgId | None) -> Fetch:
            return lambda token, listing: self.console.list_projects(token, listing, org_id=org)

        if org_filter is not None:
            return [_Source(org_filter, projects_of(org_filter))]
        return [
            _Source(None, projects_of(None), personal=True),
            *(_Source(org.id, projects_of(org.id)) for org in organizations),
            _Source(None, self.console.list_shared_projects),
        ]


def _empty_reason(scopes: frozenset[str], search: str | None) -> PickerWarning:
    # A missing scope explains any empty list, searched or not, so it is named first.
    if PROJECTS_READ not in scopes:
        return PickerWarning(
            "missing_scope",
            f"Neon did not grant {PROJECTS_READ}; reconnect and allow reading projects.",
        )
    if search is not None:
        return PickerWarning("no_match", "No project matches the search.")
    return PickerWarning("no_projects", "The connected Neon account has no projects.")
