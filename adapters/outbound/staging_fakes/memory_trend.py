"""The widget's trend points in memory, like the SQL store's rows (which stay is the writer's
rule, from the domain)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from adapters.outbound.staging_fakes.memory_state import MemoryState
from domain.trend import TrendPoint


@dataclass(frozen=True, slots=True)
class MemoryTrendStore:
    state: MemoryState

    async def points(
        self, workspace_id: str, account_id: str, project_id: str
    ) -> Sequence[TrendPoint]:
        return list(self.state.trend.get((workspace_id, account_id, project_id), ()))

    async def add(
        self, workspace_id: str, account_id: str, project_id: str, point: TrendPoint
    ) -> None:
        key = (workspace_id, account_id, project_id)
        known = self.state.trend.get(key, ())
        if all(p.at != point.at for p in known):
            self.state.trend[key] = tuple(sorted((*known, point), key=lambda p: p.at))

    async def remove(
        self, workspace_id: str, account_id: str, project_id: str, instants: Sequence[datetime]
    ) -> None:
        key = (workspace_id, account_id, project_id)
        kept = tuple(p for p in self.state.trend.get(key, ()) if p.at not in instants)
        self._put(key, kept)

    async def remove_before(self, workspace_id: str, before: datetime) -> None:
        for key in [k for k in self.state.trend if k[0] == workspace_id]:
            self._put(key, tuple(p for p in self.state.trend[key] if p.at >= before))

    async def remove_all(self, workspace_id: str, *, except_account: str | None = None) -> None:
        for key in [k for k in self.state.trend if k[0] == workspace_id]:
            if key[1] != except_account:
                del self.state.trend[key]

    def _put(self, key: tuple[str, str, str], points: tuple[TrendPoint, ...]) -> None:
        if points:
            self.state.trend[key] = points
        else:
            self.state.trend.pop(key, None)
