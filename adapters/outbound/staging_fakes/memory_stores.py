"""Every store in memory (state ends with the process), over one MemoryState; the unit of work
in memory_unit_of_work.py makes their writes all or nothing."""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from adapters.outbound.staging_fakes.memory_state import (
    MemoryState,
    ascending,
    newest_first,
    page_of,
)
from application.ports.stores import Keyset, Page, VersionConflict
from domain.audit import AuditEvent
from domain.authorization import PendingAuthorization
from domain.connection import Connection
from domain.dashboards import Dashboard, Widget
from domain.errors import NotFound
from domain.metrics import NeonMetricsSnapshot
from domain.selection import ProjectSelection
from domain.workspaces import Member, Role, Workspace


@dataclass(frozen=True, slots=True)
class MemoryConnectionStore:
    state: MemoryState

    async def get(self, workspace_id: str) -> Connection | None:
        return self.state.connections.get(workspace_id)

    async def current_id(self, workspace_id: str) -> str | None:
        connection = self.state.connections.get(workspace_id)
        return connection.id if connection is not None else None

    async def add(self, connection: Connection) -> None:
        self.state.connections[connection.workspace_id] = connection

    async def update(self, connection: Connection, *, expected_version: int) -> None:
        stored = self.state.connections.get(connection.workspace_id)
        if stored is None or stored.id != connection.id:
            raise NotFound("The connection was removed.")
        if stored.version != expected_version:
            raise VersionConflict()
        self.state.connections[connection.workspace_id] = connection

    async def remove(self, workspace_id: str) -> Connection | None:
        return self.state.connections.pop(workspace_id, None)

    async def idle_since(self, before: datetime) -> Sequence[Connection]:
        return [
            c for c in self.state.connections.values() if c.usable and c.tokens.issued_at < before
        ]

    async def workspace_ids(self) -> Sequence[str]:
        return list(self.state.connections)

    async def reseal(self, connection: Connection) -> bool:
        return False  # nothing is encrypted in memory


@dataclass(frozen=True, slots=True)
class MemoryAuthorizationStore:
    state: MemoryState

    async def add(self, pending: PendingAuthorization) -> None:
        self.state.pending[pending.state_fingerprint] = pending

    async def peek(self, state_fingerprint: str) -> PendingAuthorization | None:
        return self.state.pending.get(state_fingerprint)

    async def take(self, state_fingerprint: str) -> PendingAuthorization | None:
        return self.state.pending.pop(state_fingerprint, None)

    async def forget_started_by(self, workspace_id: str, member_id: str) -> None:
        for key, pending in list(self.state.pending.items()):
            if pending.workspace_id == workspace_id and pending.started_by == member_id:
                del self.state.pending[key]

    async def count_since(self, workspace_id: str, since: datetime) -> int:
        return sum(
            1
            for p in self.state.pending.values()
            if p.workspace_id == workspace_id and p.created_at > since
        )


@dataclass(frozen=True, slots=True)
class MemorySelectionStore:
    state: MemoryState

    async def get(self, workspace_id: str) -> ProjectSelection | None:
        return self.state.selections.get(workspace_id)

    async def put(self, selection: ProjectSelection) -> None:
        self.state.selections[selection.workspace_id] = selection

    async def remove(self, workspace_id: str) -> None:
        self.state.selections.pop(workspace_id, None)


@dataclass(frozen=True, slots=True)
class MemoryDashboardStore:
    state: MemoryState

    async def list(self, workspace_id: str) -> Sequence[Dashboard]:
        return [d for _, d in self._ranked(workspace_id)]

    async def page(self, workspace_id: str, after: Keyset | None, limit: int) -> Page[Dashboard]:
        return page_of(self._ranked(workspace_id), after, limit)

    async def count(self, workspace_id: str) -> int:
        return len(self._ranked(workspace_id))

    def _ranked(self, workspace_id: str) -> builtins.list[tuple[Keyset, Dashboard]]:
        """In creation order, like the SQL store: by position, then id."""
        positions = self.state.dashboard_positions
        mine = [
            (Keyset(positions.get(key, 0), key[1]), d)
            for key, d in self.state.dashboards.items()
            if key[0] == workspace_id
        ]
        return sorted(mine, key=lambda item: ascending(item[0]))

    async def get(self, workspace_id: str, dashboard_id: str) -> Dashboard | None:
        return self.state.dashboards.get((workspace_id, dashboard_id))

    async def widget(self, workspace_id: str, dashboard_id: str, widget_id: str) -> Widget | None:
        dashboard = self.state.dashboards.get((workspace_id, dashboard_id))
        found = (w for w in dashboard.widgets if w.id == widget_id) if dashboard else iter(())
        return next(found, None)

    async def add(self, dashboard: Dashboard) -> None:
        key = (dashboard.workspace_id, dashboard.id)
        self.state.dashboards[key] = dashboard
        self.state.dashboard_positions[key] = time.time_ns()

    async def rename(self, dashboard: Dashboard) -> None:
        self._change(dashboard, lambda stored: replace(stored, name=dashboard.name))

    async def remove(self, workspace_id: str, dashboard_id: str) -> bool:
        self.state.dashboard_positions.pop((workspace_id, dashboard_id), None)
        return self.state.dashboards.pop((workspace_id, dashboard_id), None) is not None

    async def add_widget(self, dashboard: Dashboard, widget: Widget) -> None:
        self._change(dashboard, lambda stored: replace(stored, widgets=(*stored.widgets, widget)))

    async def save_widget(self, dashboard: Dashboard, widget: Widget) -> None:
        self._change(dashboard, lambda stored: stored.with_settings(widget.id, widget.settings))

    async def remove_widget(self, dashboard: Dashboard, widget_id: str) -> None:
        self._change(dashboard, lambda stored: stored.without_widget(widget_id))

    def _change(self, dashboard: Dashboard, change: Callable[[Dashboard], Dashboard]) -> None:
        key = (dashboard.workspace_id, dashboard.id)
        stored = self.state.dashboards.get(key)
        if stored is not None:
            self.state.dashboards[key] = change(stored)


@dataclass(frozen=True, slots=True)
class MemoryWorkspaceStore:
    state: MemoryState

    async def add(self, workspace: Workspace) -> None:
        self.state.workspaces[workspace.id] = workspace

    async def get(self, workspace_id: str) -> Workspace | None:
        return self.state.workspaces.get(workspace_id)

    async def first(self) -> Workspace | None:
        return next(iter(self.state.workspaces.values()), None)

    async def hold(self, workspace_id: str) -> None:
        return None  # writing transactions already run one at a time


@dataclass(frozen=True, slots=True)
class MemoryMemberStore:
    state: MemoryState

    async def add(self, member: Member) -> None:
        self.state.members[member.id] = member

    async def by_token_fingerprint(self, fingerprint: str) -> Member | None:
        found = (m for m in self.state.members.values() if m.token_fingerprint == fingerprint)
        return next(found, None)

    async def list(self, workspace_id: str) -> Sequence[Member]:
        return [m for _, m in self._ranked(workspace_id)]

    async def page(self, workspace_id: str, after: Keyset | None, limit: int) -> Page[Member]:
        return page_of(self._ranked(workspace_id), after, limit)

    async def count(self, workspace_id: str) -> int:
        return len(self._ranked(workspace_id))

    def _ranked(self, workspace_id: str) -> builtins.list[tuple[Keyset, Member]]:
        """In the order they joined, like the SQL store: by created_at, then id."""
        mine = (m for m in self.state.members.values() if m.workspace_id == workspace_id)
        return sorted(
            ((Keyset.at(m.created_at, m.id), m) for m in mine), key=lambda item: ascending(item[0])
        )

    async def with_email(self, workspace_id: str, email: str) -> Member | None:
        same = (m for m in await self.list(workspace_id) if m.email.lower() == email.lower())
        return next(same, None)

    async def get(self, workspace_id: str, member_id: str) -> Member | None:
        member = self.state.members.get(member_id)
        return member if member is not None and member.workspace_id == workspace_id else None

    async def admins(self, workspace_id: str) -> Sequence[Member]:
        return [m for m in await self.list(workspace_id) if m.role is Role.ADMIN]

    async def remove(self, workspace_id: str, member_id: str) -> bool:
        if await self.get(workspace_id, member_id) is None:
            return False
        del self.state.members[member_id]
        return True

    async def forget_token(self, fingerprint: str, at: datetime) -> None:
        self.state.revoked_tokens.add(fingerprint)

    async def token_revoked(self, fingerprint: str) -> bool:
        return fingerprint in self.state.revoked_tokens


@dataclass(frozen=True, slots=True)
class MemoryAuditLog:
    state: MemoryState

    async def record(self, event: AuditEvent) -> None:
        self.state.audit.append(event)

    async def list(self, workspace_id: str, limit: int) -> Sequence[AuditEvent]:
        return [e for _, e in self._ranked(workspace_id)][:limit]

    async def page(self, workspace_id: str, after: Keyset | None, limit: int) -> Page[AuditEvent]:
        return page_of(self._ranked(workspace_id), after, limit, newest_first)

    def _ranked(self, workspace_id: str) -> builtins.list[tuple[Keyset, AuditEvent]]:
        """Newest first, like the SQL log: by time, then by the order they were recorded (the
        row number is the key)."""
        numbered = (
            (Keyset.at(e.at, str(row)), e)
            for row, e in enumerate(self.state.audit)
            if e.workspace_id == workspace_id
        )
        return sorted(numbered, key=lambda item: newest_first(item[0]))


@dataclass(frozen=True, slots=True)
class MemorySnapshotStore:
    state: MemoryState

    async def latest(
        self, workspace_id: str, connection_id: str, project_id: str
    ) -> NeonMetricsSnapshot | None:
        return self.state.snapshots.get((workspace_id, connection_id, project_id))

    async def save(
        self, workspace_id: str, connection_id: str, snapshot: NeonMetricsSnapshot
    ) -> None:
        key = (workspace_id, connection_id, str(snapshot.project_id))
        stored = self.state.snapshots.get(key)
        if stored is None or stored.fetched_at <= snapshot.fetched_at:
            self.state.snapshots[key] = snapshot

    async def remove_all(self, workspace_id: str) -> None:
        for key in [k for k in self.state.snapshots if k[0] == workspace_id]:
            del self.state.snapshots[key]
