"""Storage ports: a unit of work and the stores it opens.

A use case sees the stores only inside a transaction (``async with uow.begin() as stores``), so
everything it writes (its change and the audit event that records it) commits together or not at
all. Every method may raise StoreUnavailable; none returns another workspace's data.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Generic, Protocol, TypeVar, runtime_checkable

from application.ports.failure import PortFailure
from domain.audit import AuditEvent
from domain.authorization import PendingAuthorization
from domain.connection import Connection
from domain.dashboards import Dashboard, Widget
from domain.metrics import NeonMetricsSnapshot
from domain.neon_budget import CallBudget
from domain.selection import ProjectSelection
from domain.trend import TrendPoint
from domain.web_sessions import SignInLink, WebSession
from domain.workspaces import Member, Workspace


class StoreUnavailable(PortFailure):
    default_message = "The service's database is unreachable; retry later."


class VersionConflict(PortFailure):
    """A write lost a race: the record changed since it was read."""

    default_message = "The record was changed concurrently."


class TokensUnreadable(PortFailure):
    """Stored tokens no key in the keyring can open (a key was removed, or the row was altered):
    the connection is as good as gone, and the customer reconnects."""

    default_message = "The stored Neon tokens cannot be read; reconnect Neon."


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Keyset:
    """Where a page of a list ended: the last item's sort rank and its id (ties broken by id).
    The next page starts after it, so rows added or removed meanwhile neither repeat nor skip
    anything (an offset would). A store defines its rank: a position, or a time in microseconds
    (``at``/``when``)."""

    rank: int
    key: str

    @classmethod
    def at(cls, when: datetime, key: str) -> Keyset:
        return cls((when - _EPOCH) // timedelta(microseconds=1), key)

    @property
    def when(self) -> datetime:
        return _EPOCH + timedelta(microseconds=self.rank)


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    items: Sequence[T]
    after: Keyset | None  # where the next page starts; None on the last page


class ConnectionStore(Protocol):
    async def get(self, workspace_id: str) -> Connection | None:
        """Raises TokensUnreadable when the stored tokens cannot be decrypted."""

    async def current_id(self, workspace_id: str) -> str | None:
        """The id of the workspace's connection, if any: ``get`` without decrypting tokens."""

    async def add(self, connection: Connection) -> None:
        """Store a new connection, replacing any previous one of the workspace."""

    async def update(self, connection: Connection, *, expected_version: int) -> None:
        """Write ``connection`` only if the stored one still has ``expected_version``.

        Raises VersionConflict otherwise, and NotFound when the connection was removed.
        """

    async def remove(self, workspace_id: str) -> Connection | None:
        """Delete and return the connection (None when there was none, or its tokens were
        unreadable: then there is nothing to revoke them with)."""

    async def idle_since(self, before: datetime) -> Sequence[Connection]:
        """Active connections whose tokens were last issued before ``before`` (unreadable ones
        are left out)."""

    async def workspace_ids(self) -> Sequence[str]:
        """Every workspace that has a connection."""

    async def reseal(self, connection: Connection) -> bool:
        """Store the same tokens again under the newest encryption key, if they are not already
        and the stored version is still ``connection.version``; True when something changed."""


class AuthorizationStore(Protocol):
    async def add(self, pending: PendingAuthorization) -> None: ...

    async def peek(self, state_fingerprint: str) -> PendingAuthorization | None:
        """Read without consuming (to check the browser before anything is used up)."""

    async def take(self, state_fingerprint: str) -> PendingAuthorization | None:
        """Remove and return: a state is good for one callback only."""

    async def forget_started_by(self, workspace_id: str, member_id: str) -> None:
        """End every connect this member started (they were revoked)."""

    async def count_since(self, workspace_id: str, since: datetime) -> int:
        """The workspace's connects started after ``since`` (the unexpired ones)."""


class SelectionStore(Protocol):
    async def get(self, workspace_id: str) -> ProjectSelection | None: ...

    async def put(self, selection: ProjectSelection) -> None: ...

    async def remove(self, workspace_id: str) -> None: ...


class DashboardStore(Protocol):
    """Widgets are rows of their own: adding one never rewrites the others.

    Inside ``uow.begin()``, ``get`` holds the dashboard until the transaction ends, so changes to
    one dashboard queue behind each other instead of overwriting each other.
    """

    async def list(self, workspace_id: str) -> Sequence[Dashboard]: ...

    async def page(self, workspace_id: str, after: Keyset | None, limit: int) -> Page[Dashboard]:
        """Up to ``limit`` dashboards in creation order, starting after ``after``."""

    async def count(self, workspace_id: str) -> int: ...

    async def get(self, workspace_id: str, dashboard_id: str) -> Dashboard | None: ...

    async def widget(self, workspace_id: str, dashboard_id: str, widget_id: str) -> Widget | None:
        """One widget, found only on that dashboard of that workspace."""

    async def add(self, dashboard: Dashboard) -> None: ...

    async def rename(self, dashboard: Dashboard) -> None: ...

    async def remove(self, workspace_id: str, dashboard_id: str) -> bool: ...

    async def add_widget(self, dashboard: Dashboard, widget: Widget) -> None:
        """Append ``widget`` after the widgets ``dashboard`` holds."""

    async def save_widget(self, dashboard: Dashboard, widget: Widget) -> None: ...

    async def remove_widget(self, dashboard: Dashboard, widget_id: str) -> None: ...


class WorkspaceStore(Protocol):
    async def add(self, workspace: Workspace) -> None: ...

    async def get(self, workspace_id: str) -> Workspace | None: ...

    async def first(self) -> Workspace | None: ...

    async def hold(self, workspace_id: str) -> None:
        """Inside ``uow.begin()``: hold the workspace until the transaction ends, so that what
        the transaction counts of it (dashboards, members, connects) stays true until its write
        commits, and two writers at a cap minus one cannot both pass. Take it before counting."""


class MemberStore(Protocol):
    async def add(self, member: Member) -> None: ...

    async def by_token_fingerprint(self, fingerprint: str) -> Member | None: ...

    async def list(self, workspace_id: str) -> Sequence[Member]: ...

    async def page(self, workspace_id: str, after: Keyset | None, limit: int) -> Page[Member]:
        """Up to ``limit`` members in the order they joined, starting after ``after``."""

    async def count(self, workspace_id: str) -> int: ...

    async def with_email(self, workspace_id: str, email: str) -> Member | None:
        """The member with this address, compared case-insensitively (addresses are unique that
        way within a workspace)."""

    async def get(self, workspace_id: str, member_id: str) -> Member | None:
        """Inside ``uow.begin()`` the member stays held until the transaction ends, so a check
        that they are still here cannot read past a revocation that is about to commit."""

    async def admins(self, workspace_id: str) -> Sequence[Member]:
        """Inside ``uow.begin()`` the admins stay held until the transaction ends, so two admins
        revoking each other at once cannot both see the other one as "not the last"."""

    async def remove(self, workspace_id: str, member_id: str) -> bool: ...

    async def forget_token(self, fingerprint: str, at: datetime) -> None:
        """Remember that this token was revoked, so that nothing brings it back (a bootstrap
        token still set in the environment when the service restarts)."""

    async def token_revoked(self, fingerprint: str) -> bool: ...


class AuditLog(Protocol):
    async def record(self, event: AuditEvent) -> None: ...

    async def list(self, workspace_id: str, limit: int) -> Sequence[AuditEvent]: ...

    async def page(self, workspace_id: str, after: Keyset | None, limit: int) -> Page[AuditEvent]:
        """Up to ``limit`` events, newest first, starting after (older than) ``after``."""


class SnapshotStore(Protocol):
    """The last good data of each project a workspace's connection showed: one snapshot per
    (workspace, connection id, project), the latest. Keyed by the connection's id as well, so
    that nothing fetched over an earlier grant answers for a later one."""

    async def latest(
        self, workspace_id: str, connection_id: str, project_id: str
    ) -> NeonMetricsSnapshot | None: ...

    async def save(
        self, workspace_id: str, connection_id: str, snapshot: NeonMetricsSnapshot
    ) -> None:
        """Keep ``snapshot`` unless the stored one was fetched later (two renders racing)."""

    async def remove_all(self, workspace_id: str) -> None:
        """Forget every snapshot of the workspace (on disconnect and on reconnect)."""


@dataclass(frozen=True, slots=True)
class FetchLease:
    """Who is fetching a project's data from Neon for every instance, and until when at most.
    ``failure`` is set when that fetch failed (``neon_unavailable`` / ``neon_rate_limited``):
    the renders that waited for it share the failure, ``expires_at`` being when to try again."""

    holder: str
    expires_at: datetime
    failure: str | None = None


class FetchLeaseStore(Protocol):
    """One lease per (workspace, connection id, project): the instance holding it fetches, the
    others wait for its snapshot. Keyed like the snapshots, so tenants never share one."""

    async def get(
        self, workspace_id: str, connection_id: str, project_id: str
    ) -> FetchLease | None: ...

    async def take(
        self, workspace_id: str, connection_id: str, project_id: str, lease: FetchLease,
        now: datetime,
    ) -> bool:  # fmt: skip
        """Inside ``uow.begin()``: hold the fetch as ``lease`` if nobody does at ``now`` (no
        lease, one expired, or one whose fetch failed), atomically; True when taken."""

    async def extend(
        self, workspace_id: str, connection_id: str, project_id: str, holder: str,
        expires_at: datetime,
    ) -> bool:  # fmt: skip
        """The holder is still fetching: its lease now runs until ``expires_at``. False when
        the lease is no longer the holder's (another took it over, or it failed)."""

    async def release(
        self, workspace_id: str, connection_id: str, project_id: str, holder: str
    ) -> bool:
        """The holder is done (its snapshot saved, or it gave up): remove its lease only. False
        when it was no longer the holder's (it ran out and was taken, or the workspace
        disconnected or reconnected meanwhile: ``remove_all``)."""

    async def remove_all(self, workspace_id: str) -> None:
        """The workspace disconnected or reconnected: a fetch still running for it keeps nothing
        (its holder finds its lease gone)."""

    async def fail(
        self, workspace_id: str, connection_id: str, project_id: str, holder: str,
        failure: str, retry_at: datetime,
    ) -> None:  # fmt: skip
        """The holder's fetch failed: its lease says so until the renders waiting for it have
        seen it (anyone may take the lease meanwhile and try again)."""


class NeonBudgetStore(Protocol):
    """The call budget of each Neon account (``domain.neon_budget``), shared by every instance."""

    async def hold(self, account_id: str, fresh: CallBudget) -> CallBudget:
        """Inside ``uow.begin()``: the account's budget (``fresh`` is stored first when it has
        none), held until the transaction ends so that two takes cannot both spend it."""

    async def put(self, account_id: str, budget: CallBudget) -> None: ...


class TrendStore(Protocol):
    """The widget's trend points of each (workspace, Neon account, project). Keyed by the
    account, not the connection, so that reconnecting the same account keeps them; which points
    stay is the domain's rule (``domain/trend.py``), applied by the writer."""

    async def points(
        self, workspace_id: str, account_id: str, project_id: str
    ) -> Sequence[TrendPoint]:
        """Every stored point of the project, oldest first."""

    async def add(
        self, workspace_id: str, account_id: str, project_id: str, point: TrendPoint
    ) -> None:
        """Store ``point``; one already stored at the same instant is left as it is."""

    async def remove(
        self, workspace_id: str, account_id: str, project_id: str, instants: Sequence[datetime]
    ) -> None:
        """Forget the project's points at these instants."""

    async def remove_before(self, workspace_id: str, before: datetime) -> None:
        """Forget the workspace's points older than ``before``, whatever their project (those
        nobody looks at any more expire too)."""

    async def remove_all(self, workspace_id: str, *, except_account: str | None = None) -> None:
        """Forget the workspace's points (on disconnect), or all but one account's (on
        reconnect: a new account's widgets show only what it sees)."""


class WebSessionStore(Protocol):
    """Signed-in browsers and single-use sign-in links, by the digest of their secret. A
    member's sessions and links go with the member (revoked: removed)."""

    async def add(self, session: WebSession) -> None: ...

    async def get(self, digest: str) -> WebSession | None: ...

    async def remove(self, digest: str) -> None: ...

    async def end_all_of(self, workspace_id: str, member_id: str) -> None:
        """Remove the member's sessions and sign-in links (they were revoked)."""

    async def remove_expired(self, now: datetime) -> None:
        """Forget sessions and links that expired before ``now``."""

    async def add_link(self, link: SignInLink) -> None: ...

    async def take_link(self, digest: str) -> SignInLink | None:
        """Remove and return: a link signs in once."""


class Stores(Protocol):
    """What a transaction sees."""

    @property
    def connections(self) -> ConnectionStore: ...

    @property
    def authorizations(self) -> AuthorizationStore: ...

    @property
    def selections(self) -> SelectionStore: ...

    @property
    def dashboards(self) -> DashboardStore: ...

    @property
    def workspaces(self) -> WorkspaceStore: ...

    @property
    def members(self) -> MemberStore: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def snapshots(self) -> SnapshotStore: ...

    @property
    def fetch_leases(self) -> FetchLeaseStore: ...

    @property
    def neon_budgets(self) -> NeonBudgetStore: ...

    @property
    def trend(self) -> TrendStore: ...

    @property
    def web_sessions(self) -> WebSessionStore: ...


class UnitOfWork(Protocol):
    def begin(self, *, durable: bool = True) -> AbstractAsyncContextManager[Stores]:
        """A writing transaction: what is written through the stores it yields commits when the
        block ends normally, and none of it when the block raises. Writers queue for each other
        where they touch the same rows; keep calls to Neon outside the block.

        ``durable=False`` is for what Neon can give us again or what may be lost (snapshots,
        fetch leases, the call budget; a trend point, whose loss leaves a gap of one point):
        the commit does not wait for the disk, so a power cut (not a crash of this process) may
        lose it (decision 0025). Tokens, members and everything a customer wrote are always
        durable."""

    def read(self) -> AbstractAsyncContextManager[Stores]:
        """A reading transaction: one consistent view, no locks held against writers."""


class RefreshLock(Protocol):
    def hold(self, key: str) -> AbstractAsyncContextManager[None]:
        """Exclusive per key across every process sharing the store: a connection's id (its
        refreshes), or a workspace's ``connection_slot`` (connecting and disconnecting)."""


def connection_slot(workspace_id: str) -> str:
    """The lock key under which connects, reconnects and disconnects of one workspace queue."""
    return f"workspace:{workspace_id}"


class StoreReadiness(StrEnum):
    READY = "ready"
    UNREACHABLE = "unreachable"  # no answer within the probe's bound
    SCHEMA_BEHIND = "schema_behind"  # answers, but `produl-neon migrate` has not run yet


@runtime_checkable
class StoreProbe(Protocol):
    async def readiness(self) -> StoreReadiness:
        """Whether the store answers (within a few seconds) and its schema is current."""
