"""Dashboards and their widgets (written together, in one transaction)."""

from __future__ import annotations

import builtins
import time
from collections.abc import Sequence

from sqlalchemy import delete, insert, select, update

from adapters.outbound.sql.database import Database
from adapters.outbound.sql.tables import dashboards, widgets
from domain.dashboards import Dashboard, NeonMetricsSettings, Widget, WidgetKind
from domain.ids import NeonProjectId


class SqlDashboardStore:
    def __init__(self, db: Database) -> None:
        self._db = db

    async def list(self, workspace_id: str) -> Sequence[Dashboard]:
        return await self._read(workspace_id, None)

    async def get(self, workspace_id: str, dashboard_id: str) -> Dashboard | None:
        found = await self._read(workspace_id, dashboard_id)
        return found[0] if found else None

    async def put(self, dashboard: Dashboard) -> None:
        async with self._db.transaction() as tx:
            changed = await tx.execute(
                update(dashboards)
                .where(
                    dashboards.c.id == dashboard.id,
                    dashboards.c.workspace_id == dashboard.workspace_id,
                )
                .values(name=dashboard.name)
            )
            if not changed.rowcount:
                await tx.execute(
                    insert(dashboards).values(
                        id=dashboard.id,
                        workspace_id=dashboard.workspace_id,
                        name=dashboard.name,
                        position=time.time_ns(),
                    )
                )
            await tx.execute(delete(widgets).where(widgets.c.dashboard_id == dashboard.id))
            if dashboard.widgets:
                await tx.execute(
                    insert(widgets),
                    [
                        {
                            "id": w.id,
                            "dashboard_id": dashboard.id,
                            "kind": w.kind.value,
                            "project_id": str(w.settings.project_id)
                            if w.settings.project_id
                            else None,
                            "position": index,
                        }
                        for index, w in enumerate(dashboard.widgets)
                    ],
                )

    async def remove(self, workspace_id: str, dashboard_id: str) -> bool:
        async with self._db.transaction() as tx:
            result = await tx.execute(
                delete(dashboards).where(
                    dashboards.c.workspace_id == workspace_id, dashboards.c.id == dashboard_id
                )
            )
        return bool(result.rowcount)

    async def _read(self, workspace_id: str, dashboard_id: str | None) -> Sequence[Dashboard]:
        query = select(dashboards).where(dashboards.c.workspace_id == workspace_id)
        if dashboard_id is not None:
            query = query.where(dashboards.c.id == dashboard_id)
        async with self._db.transaction(write=False) as tx:
            boards = (await tx.execute(query.order_by(dashboards.c.position))).mappings().all()
            ids = [b["id"] for b in boards]
            rows = (
                (
                    await tx.execute(
                        select(widgets)
                        .where(widgets.c.dashboard_id.in_(ids))
                        .order_by(widgets.c.position)
                    )
                )
                .mappings()
                .all()
                if ids
                else []
            )
        by_board: dict[str, builtins.list[Widget]] = {i: [] for i in ids}
        for row in rows:
            project = NeonProjectId(row["project_id"]) if row["project_id"] else None
            by_board[row["dashboard_id"]].append(
                Widget(row["id"], WidgetKind(row["kind"]), NeonMetricsSettings(project))
            )
        return [
            Dashboard(b["id"], b["workspace_id"], b["name"], tuple(by_board[b["id"]]))
            for b in boards
        ]
