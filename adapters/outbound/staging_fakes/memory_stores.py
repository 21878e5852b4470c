"""Workspaces, members, OAuth states, selections, dashboards and the audit log, in memory."""

from __future__ import annotations

from collections.abc import Sequence

from domain.audit import AuditEvent
from domain.authorization import PendingAuthorization
from domain.dashboards import Dashboard
from domain.selection import ProjectSelection
from domain.workspaces import Member, Workspace


class MemoryWorkspaceStore:
    def __init__(self) -> None:
        self._workspaces: dict[str, Workspace] = {}

    async def add(self, workspace: Workspace) -> None:
        self._workspaces[workspace.id] = workspace

    async def get(self, workspace_id: str) -> Workspace | None:
        return self._workspaces.get(workspace_id)

    async def first(self) -> Workspace | None:
        return next(iter(self._workspaces.values()), None)


class MemoryMemberStore:
    def __init__(self) -> None:
        self._members: dict[str, Member] = {}

    async def add(self, member: Member) -> None:
        self._members[member.id] = member

    async def by_token_fingerprint(self, fingerprint: str) -> Member | None:
        return next((m for m in self._members.values() if m.token_fingerprint == fingerprint), None)

    async def list(self, workspace_id: str) -> Sequence[Member]:
        return [m for m in self._members.values() if m.workspace_id == workspace_id]

    async def get(self, workspace_id: str, member_id: str) -> Member | None:
        member = self._members.get(member_id)
        return member if member is not None and member.workspace_id == workspace_id else None

    async def remove(self, workspace_id: str, member_id: str) -> bool:
        if await self.get(workspace_id, member_id) is None:
            return False
        del self._members[member_id]
        return True


class MemoryAuthorizationStore:
    def __init__(self) -> None:
        self._pending: dict[str, PendingAuthorization] = {}

    async def add(self, pending: PendingAuthorization) -> None:
        self._pending[pending.state_fingerprint] = pending

    async def take(self, state_fingerprint: str) -> PendingAuthorization | None:
        return self._pending.pop(state_fingerprint, None)


class MemorySelectionStore:
    def __init__(self) -> None:
        self._selections: dict[str, ProjectSelection] = {}

    async def get(self, workspace_id: str) -> ProjectSelection | None:
        return self._selections.get(workspace_id)

    async def put(self, selection: ProjectSelection) -> None:
        self._selections[selection.workspace_id] = selection

    async def remove(self, workspace_id: str) -> None:
        self._selections.pop(workspace_id, None)


class MemoryDashboardStore:
    def __init__(self) -> None:
        self._dashboards: dict[tuple[str, str], Dashboard] = {}

    async def list(self, workspace_id: str) -> Sequence[Dashboard]:
        return [d for (ws, _), d in self._dashboards.items() if ws == workspace_id]

    async def get(self, workspace_id: str, dashboard_id: str) -> Dashboard | None:
        return self._dashboards.get((workspace_id, dashboard_id))

    async def put(self, dashboard: Dashboard) -> None:
        self._dashboards[(dashboard.workspace_id, dashboard.id)] = dashboard

    async def remove(self, workspace_id: str, dashboard_id: str) -> bool:
        return self._dashboards.pop((workspace_id, dashboard_id), None) is not None


class MemoryAuditLog:
    def __init__(self) -> None:
        self._events: list[AuditEvent] = []

    async def record(self, event: AuditEvent) -> None:
        self._events.append(event)

    async def list(self, workspace_id: str, limit: int) -> Sequence[AuditEvent]:
        mine = [e for e in reversed(self._events) if e.workspace_id == workspace_id]
        return mine[:limit]


class MemoryStoreProbe:
    async def ready(self) -> bool:
        return True
