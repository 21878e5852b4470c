"""The SQL unit of work: one database transaction, and the stores bound to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from adapters.outbound.sql.authorizations import SqlAuthorizationStore
from adapters.outbound.sql.connections import SqlConnectionStore
from adapters.outbound.sql.dashboards import SqlDashboardStore
from adapters.outbound.sql.database import Database
from adapters.outbound.sql.fetch_coordination import SqlFetchLeaseStore, SqlNeonBudgetStore
from adapters.outbound.sql.in_transaction import Statements
from adapters.outbound.sql.members import SqlMemberStore
from adapters.outbound.sql.snapshots import SqlSnapshotStore
from adapters.outbound.sql.stores import SqlAuditLog, SqlSelectionStore, SqlWorkspaceStore
from adapters.outbound.sql.token_cipher import Keyring
from adapters.outbound.sql.trend import SqlTrendStore
from adapters.outbound.sql.web_sessions import SqlWebSessionStore


@dataclass(frozen=True, slots=True)
class SqlStores:
    connections: SqlConnectionStore
    authorizations: SqlAuthorizationStore
    selections: SqlSelectionStore
    dashboards: SqlDashboardStore
    workspaces: SqlWorkspaceStore
    members: SqlMemberStore
    audit: SqlAuditLog
    snapshots: SqlSnapshotStore
    fetch_leases: SqlFetchLeaseStore
    neon_budgets: SqlNeonBudgetStore
    trend: SqlTrendStore
    web_sessions: SqlWebSessionStore

    @classmethod
    def bound_to(cls, tx: Statements, keyring: Keyring, *, writing: bool) -> SqlStores:
        return cls(
            connections=SqlConnectionStore(tx, writing, keyring),
            authorizations=SqlAuthorizationStore(tx, writing, keyring),
            selections=SqlSelectionStore(tx, writing),
            dashboards=SqlDashboardStore(tx, writing),
            workspaces=SqlWorkspaceStore(tx, writing),
            members=SqlMemberStore(tx, writing),
            audit=SqlAuditLog(tx, writing),
            snapshots=SqlSnapshotStore(tx, writing),
            fetch_leases=SqlFetchLeaseStore(tx, writing),
            neon_budgets=SqlNeonBudgetStore(tx, writing),
            trend=SqlTrendStore(tx, writing),
            web_sessions=SqlWebSessionStore(tx, writing),
        )


@dataclass(frozen=True, slots=True)
class SqlUnitOfWork:
    db: Database
    keyring: Keyring

    @asynccontextmanager
    async def begin(self, *, durable: bool = True) -> AsyncIterator[SqlStores]:
        async with self.db.writing(durable=durable) as tx:
            yield SqlStores.bound_to(tx, self.keyring, writing=True)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[SqlStores]:
        async with self.db.reading() as tx:
            yield SqlStores.bound_to(tx, self.keyring, writing=False)
