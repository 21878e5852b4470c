"""The fetch leases and Neon call budgets in memory (one process: what the SQL stores share)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from adapters.outbound.staging_fakes.memory_state import MemoryState
from application.ports.stores import FetchLease
from domain.neon_budget import CallBudget


@dataclass(frozen=True, slots=True)
class MemoryFetchLeaseStore:
    state: MemoryState

    async def get(
        self, workspace_id: str, connection_id: str, project_id: str
    ) -> FetchLease | None:
        return self.state.fetch_leases.get((workspace_id, connection_id, project_id))

    async def take(
        self, workspace_id: str, connection_id: str, project_id: str, lease: FetchLease,
        now: datetime,
    ) -> bool:  # fmt: skip
        key = (workspace_id, connection_id, project_id)
        held = self.state.fetch_leases.get(key)
        if held is not None and held.expires_at > now and held.failure is None:
            return False
        self.state.fetch_leases[key] = replace(lease, failure=None)
        return True

    async def extend(
        self, workspace_id: str, connection_id: str, project_id: str, holder: str,
        expires_at: datetime,
    ) -> bool:  # fmt: skip
        key = (workspace_id, connection_id, project_id)
        held = self.state.fetch_leases.get(key)
        if held is None or held.holder != holder or held.failure is not None:
            return False
        self.state.fetch_leases[key] = replace(held, expires_at=expires_at)
        return True

    async def release(
        self, workspace_id: str, connection_id: str, project_id: str, holder: str
    ) -> bool:
        key = (workspace_id, connection_id, project_id)
        held = self.state.fetch_leases.get(key)
        if held is None or held.holder != holder:
            return False
        del self.state.fetch_leases[key]
        return True

    async def remove_all(self, workspace_id: str) -> None:
        for key in [k for k in self.state.fetch_leases if k[0] == workspace_id]:
            del self.state.fetch_leases[key]

    async def fail(
        self, workspace_id: str, connection_id: str, project_id: str, holder: str,
        failure: str, retry_at: datetime,
    ) -> None:  # fmt: skip
        key = (workspace_id, connection_id, project_id)
        held = self.state.fetch_leases.get(key)
        if held is not None and held.holder == holder:
            self.state.fetch_leases[key] = FetchLease(holder, retry_at, failure)


@dataclass(frozen=True, slots=True)
class MemoryNeonBudgetStore:
    state: MemoryState

    async def hold(self, account_id: str, fresh: CallBudget) -> CallBudget:
        return self.state.neon_budgets.setdefault(account_id, fresh)

    async def put(self, account_id: str, budget: CallBudget) -> None:
        self.state.neon_budgets[account_id] = budget
