"""Ports towards Neon: its OAuth server and its (read-only) Console API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

from application.ports.failure import PortFailure
from domain.connection import NeonAccount, TokenPair
from domain.ids import NeonOrgId, NeonProjectId
from domain.neon import NeonBranch, NeonOrganization, NeonProjectDetails, ProjectPage
from domain.secrets import Secret


@dataclass(frozen=True, slots=True)
class GrantedTokens:
    tokens: TokenPair
    scopes: frozenset[str]


class NeonRateLimited(PortFailure):
    default_message = "Neon is rate-limiting requests; retry later."

    def __init__(self, retry_after_seconds: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class NeonUnavailable(PortFailure):
    default_message = "Neon could not be reached or failed to answer."

    def __init__(self, retry_after_seconds: int = 5, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after_seconds = retry_after_seconds


class RefreshRejected(Exception):
    """Neon refused the refresh token for good (invalid_grant / token_inactive): reconnect."""

    def __init__(self, grant_revoked: bool) -> None:
        super().__init__("refresh token rejected")
        self.grant_revoked = grant_revoked


class RefreshOutcomeUnknown(Exception):
    """The refresh request may have reached Neon, but no answer came back (a timeout, a broken
    connection, a 5xx): Neon may already have rotated the refresh token."""


class CodeExchangeFailed(Exception):
    """The authorization code could not be exchanged (bad, replayed, expired, or Neon failed)."""


class NeonOAuth(Protocol):
    async def authorization_url(
        self, *, state: str, code_verifier: Secret, redirect_uri: str
    ) -> str:
        """Where to send the browser: S256 PKCE, ``state`` and the configured read-only scopes."""

    @property
    def issuer(self) -> str: ...

    async def exchange_code(
        self, *, code: str, code_verifier: Secret, redirect_uri: str
    ) -> GrantedTokens: ...

    async def refresh(self, refresh_token: Secret) -> GrantedTokens:
        """Rotate the pair. Raises RefreshRejected; NeonUnavailable when the request surely did
        not reach Neon; RefreshOutcomeUnknown when it may have. Never retried."""

    async def revoke(self, refresh_token: Secret) -> None:
        """RFC 7009 revocation of the grant; raises NeonUnavailable when Neon cannot be reached."""


class AccessTokenRejected(Exception):
    """The Console API answered 401 to this access token."""


class OrgIdRequired(Exception):
    """Neon answered 400 "org_id is required": the account is organization-scoped."""


@dataclass(frozen=True, slots=True)
class ConsoleOperation:
    """One Console API operation, as Neon's published OpenAPI document names it."""

    method: str
    path: str  # a template: "{project_id}" is filled in per call
    operation_id: str
    # Whether Neon's 403/404 means "this token may not see that" (ProjectNotAccessible). Not so
    # for /users/me, which asks about the token's own account: there it counts as Neon failing.
    refusal_is_not_accessible: bool = True


GET_CURRENT_USER = ConsoleOperation(
    "GET", "/users/me", "getCurrentUserInfo", refusal_is_not_accessible=False
)
LIST_ORGANIZATIONS = ConsoleOperation(
    "GET", "/users/me/organizations", "getCurrentUserOrganizations"
)
LIST_PROJECTS = ConsoleOperation("GET", "/projects", "listProjects")
LIST_SHARED_PROJECTS = ConsoleOperation("GET", "/projects/shared", "listSharedProjects")
GET_PROJECT = ConsoleOperation("GET", "/projects/{project_id}", "getProject")
LIST_BRANCHES = ConsoleOperation("GET", "/projects/{project_id}/branches", "listProjectBranches")

# The only Console API operations the service may perform, by the NeonConsole method that
# performs each. The httpx adapter and the read-only transport take their paths from here; the
# contract tests hold the port, the adapters and Neon's published OpenAPI document to this list.
CONSOLE_OPERATIONS: dict[str, ConsoleOperation] = {
    "get_current_user": GET_CURRENT_USER,
    "list_organizations": LIST_ORGANIZATIONS,
    "list_projects": LIST_PROJECTS,
    "list_shared_projects": LIST_SHARED_PROJECTS,
    "get_project": GET_PROJECT,
    "list_branches": LIST_BRANCHES,
}


@dataclass(frozen=True, slots=True)
class ProjectListing:
    """One page of a project listing: up to ``limit`` rows after Neon's ``cursor``."""

    limit: int
    search: str | None = None
    cursor: str | None = None


class NeonConsole(Protocol):
    """Read-only Console API. Every method is one GET operation on a pinned allow-list.

    Raises AccessTokenRejected, ProjectNotAccessible (for project operations), NeonRateLimited,
    NeonUnavailable.
    """

    async def get_current_user(self, token: Secret) -> NeonAccount: ...

    async def list_organizations(self, token: Secret) -> list[NeonOrganization]: ...

    async def list_projects(
        self, token: Secret, listing: ProjectListing, *, org_id: NeonOrgId | None
    ) -> ProjectPage:
        """The account's personal projects (``org_id`` None) or an organization's. Raises
        OrgIdRequired when Neon needs an org_id for this account."""

    async def list_shared_projects(self, token: Secret, listing: ProjectListing) -> ProjectPage: ...

    async def get_project(self, token: Secret, project_id: NeonProjectId) -> NeonProjectDetails: ...

    async def list_branches(self, token: Secret, project_id: NeonProjectId) -> list[NeonBranch]:
        """Every branch of the project, across all pages."""


@dataclass(slots=True)
class ConsoleRequests:
    """What the Console adapters sent to Neon while counted: every HTTP request (a retry and a
    further page of branches each count) and the longest ``Retry-After`` among Neon's 429s. A
    Neon account's call budget is charged from this (``AuthorizedCalls``), so an adapter must
    report each request it sends, whatever its outcome: ``console_request_sent`` before
    sending, ``console_rate_limited`` on a 429 (also when the use case goes on without it, as
    the picker does for an organization it cannot list)."""

    sent: int = 0
    retry_after_seconds: int | None = None


# Per task (asyncio copies the context into the tasks a counted call starts, so concurrent
# requests of one fetch land in the same count); None: nobody is counting.
_counted: ContextVar[ConsoleRequests | None] = ContextVar("console_requests", default=None)


@contextmanager
def counting_console_requests() -> Iterator[ConsoleRequests]:
    counted = ConsoleRequests()
    reset = _counted.set(counted)
    try:
        yield counted
    finally:
        _counted.reset(reset)


def console_request_sent() -> None:
    counted = _counted.get()
    if counted is not None:
        counted.sent += 1


def console_rate_limited(retry_after_seconds: int) -> None:
    counted = _counted.get()
    if counted is not None:
        counted.retry_after_seconds = max(counted.retry_after_seconds or 0, retry_after_seconds)


@dataclass(frozen=True, slots=True)
class NeonReachability:
    reachable: bool
    checked_at: datetime


@runtime_checkable
class NeonProbe(Protocol):
    async def reachability(self) -> NeonReachability:
        """Whether Neon's OAuth server answered lately: cheap (remembered for a while) and
        bounded in time, for a readiness probe that reports it without failing on it."""
