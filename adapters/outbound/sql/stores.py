"""Workspaces, project selections and the audit log, inside one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, Select, and_, bindparam, delete, insert, or_, select

from adapters.outbound.sql.in_transaction import InTransaction
from adapters.outbound.sql.tables import (
    audit_events,
    selections,
    workspaces,
)
from application.ports.stores import Keyset, Page
from domain.audit import AuditEvent
from domain.ids import NeonProjectId
from domain.selection import ProjectSelection
from domain.workspaces import Workspace


class SqlWorkspaceStore(InTransaction):
    async def add(self, workspace: Workspace) -> None:
        await self.tx.execute(
            insert(workspaces).values(
                id=workspace.id, name=workspace.name, created_at=datetime.now(UTC)
            )
        )

    async def get(self, workspace_id: str) -> Workspace | None:
        return await self._one(select(workspaces).where(workspaces.c.id == workspace_id))

    async def first(self) -> Workspace | None:
        return await self._one(
            select(workspaces).order_by(workspaces.c.created_at, workspaces.c.id).limit(1)
        )

    async def hold(self, workspace_id: str) -> None:
        # FOR NO KEY UPDATE: the holders queue for each other, while inserts that merely
        # reference the workspace (their foreign key takes KEY SHARE) are not blocked by it
        if self.writing:
            await self.tx.execute(
                select(workspaces.c.id)
                .where(workspaces.c.id == workspace_id)
                .with_for_update(key_share=True)
            )

    async def _one(self, query: Select[Any]) -> Workspace | None:
        row = (await self.tx.execute(query)).first()
        return Workspace(row.id, row.name) if row else None


_SELECTION = select(selections).where(selections.c.workspace_id == bindparam("workspace_id"))


class SqlSelectionStore(InTransaction):
    async def get(self, workspace_id: str) -> ProjectSelection | None:
        row = (await self.tx.execute(_SELECTION, {"workspace_id": workspace_id})).first()
        if row is None:
            return None
        return ProjectSelection(
            row.workspace_id,
            NeonProjectId(row.project_id),
            row.project_name,
            row.selected_at,
            row.selected_by,
        )

    async def put(self, selection: ProjectSelection) -> None:
        await self.remove(selection.workspace_id)
        await self.tx.execute(
            insert(selections).values(
                workspace_id=selection.workspace_id,
                project_id=str(selection.project_id),
                project_name=selection.project_name,
                selected_at=selection.selected_at,
                selected_by=selection.selected_by,
            )
        )

    async def remove(self, workspace_id: str) -> None:
        await self.tx.execute(delete(selections).where(selections.c.workspace_id == workspace_id))


class SqlAuditLog(InTransaction):
    async def record(self, event: AuditEvent) -> None:
        await self.tx.execute(
            insert(audit_events).values(
                workspace_id=event.workspace_id,
                at=event.at,
                actor=event.actor,
                actor_id=event.actor_id,
                action=event.action,
                detail=dict(event.detail),
            )
        )

    async def list(self, workspace_id: str, limit: int) -> Sequence[AuditEvent]:
        rows = (
            await self.tx.execute(
                select(audit_events)
                .where(audit_events.c.workspace_id == workspace_id)
                .order_by(audit_events.c.at.desc(), audit_events.c.id.desc())
                .limit(limit)
            )
        ).all()
        return [_event(r) for r in rows]

    async def page(self, workspace_id: str, after: Keyset | None, limit: int) -> Page[AuditEvent]:
        query = select(audit_events).where(audit_events.c.workspace_id == workspace_id)
        if after is not None:  # newest first: the next page is older
            query = query.where(
                or_(
                    audit_events.c.at < after.when,
                    and_(audit_events.c.at == after.when, audit_events.c.id < int(after.key)),
                )
            )
        rows = (
            await self.tx.execute(
                query.order_by(audit_events.c.at.desc(), audit_events.c.id.desc()).limit(limit + 1)
            )
        ).all()
        shown = rows[:limit]
        after_last = Keyset.at(shown[-1].at, str(shown[-1].id)) if len(rows) > limit else None
        return Page([_event(r) for r in shown], after_last)


def _event(row: Row[Any]) -> AuditEvent:
    return AuditEvent(
        row.workspace_id, row.at, row.actor, row.action, dict(row.detail), row.actor_id
    )
