"""The staging fakes' unit of work: writing transactions run one at a time, and a failed one puts
back what it changed; reads see the state as it is."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from adapters.outbound.staging_fakes.memory_fetch_coordination import (
    MemoryFetchLeaseStore,
    MemoryNeonBudgetStore,
)
from adapters.outbound.staging_fakes.memory_state import MemoryState
from adapters.outbound.staging_fakes.memory_stores import (
    MemoryAuditLog,
    MemoryAuthorizationStore,
    MemoryConnectionStore,
    MemoryDashboardStore,
    MemoryMemberStore,
    MemorySelectionStore,
    MemorySnapshotStore,
    MemoryWorkspaceStore,
)
from adapters.outbound.staging_fakes.memory_trend import MemoryTrendStore
from adapters.outbound.staging_fakes.memory_web_sessions import MemoryWebSessionStore
from application.ports.stores import StoreReadiness


@dataclass(frozen=True, slots=True)
class MemoryStores:
    connections: MemoryConnectionStore
    authorizations: MemoryAuthorizationStore
    selections: MemorySelectionStore
    dashboards: MemoryDashboardStore
    workspaces: MemoryWorkspaceStore
    members: MemoryMemberStore
    audit: MemoryAuditLog
    snapshots: MemorySnapshotStore
    fetch_leases: MemoryFetchLeaseStore
    neon_budgets: MemoryNeonBudgetStore
    trend: MemoryTrendStore
    web_sessions: MemoryWebSessionStore

    @classmethod
    def over(cls, state: MemoryState) -> MemoryStores:
        return cls(
            MemoryConnectionStore(state),
            MemoryAuthorizationStore(state),
            MemorySelectionStore(state),
            MemoryDashboardStore(state),
            MemoryWorkspaceStore(state),
            MemoryMemberStore(state),
            MemoryAuditLog(state),
            MemorySnapshotStore(state),
            MemoryFetchLeaseStore(state),
            MemoryNeonBudgetStore(state),
            MemoryTrendStore(state),
            MemoryWebSessionStore(state),
        )


@dataclass
class MemoryUnitOfWork:
    state: MemoryState = field(default_factory=MemoryState)
    _writer: asyncio.Lock = field(default_factory=asyncio.Lock)

    @asynccontextmanager
    async def begin(self, *, durable: bool = True) -> AsyncIterator[MemoryStores]:
        async with self._writer:
            before = self.state.snapshot()
            try:
                yield MemoryStores.over(self.state)
            except BaseException:
                self.state.restore(before)
                raise

    @asynccontextmanager
    async def read(self) -> AsyncIterator[MemoryStores]:
        yield MemoryStores.over(self.state)


class MemoryStoreProbe:
    async def readiness(self) -> StoreReadiness:
        return StoreReadiness.READY
