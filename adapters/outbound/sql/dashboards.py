"""Dashboards and their widgets; a widget is a row of its own, so adding one rewrites nothing."""

from __future__ import annotations

import builtins
import time
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from adapters.outbound.sql.in_transaction import InTransaction
from adapters.outbound.sql.tables import dashboards, widgets
from application.ports.stores import Keyset, Page
from domain.dashboards import Dashboard, NeonMetricsSettings, Widget, WidgetKind
from domain.ids import NeonProjectId

# Built once: the request path's statements (the dashboards list, a widget's render). Building a
# statement and its cache key costs several times what SQLite takes to run it.
_PAGE = (
    select(dashboards)
    .where(dashboards.c.workspace_id == bindparam("workspace_id"))
    .order_by(dashboards.c.position, dashboards.c.id)
    .limit(bindparam("limit"))
)
_PAGE_AFTER = _PAGE.where(
    or_(
        dashboards.c.position > bindparam("rank"),
        and_(dashboards.c.position == bindparam("rank"), dashboards.c.id > bindparam("key")),
    )
)
_WIDGETS_OF = (
    select(widgets)
    .where(widgets.c.dashboard_id.in_(bindparam("dashboard_ids", expanding=True)))
    .order_by(widgets.c.position)
)
_WIDGET = (
    select(widgets)
    .join(dashboards, dashboards.c.id == widgets.c.dashboard_id)
    .where(
        dashboards.c.workspace_id == bindparam("workspace_id"),
        dashboards.c.id == bindparam("dashboard_id"),
        widgets.c.id == bindparam("widget_id"),
    )
)


class SqlDashboardStore(InTransaction):
    async def list(self, workspace_id: str) -> Sequence[Dashboard]:
        return await self._read(self._of(workspace_id))

    async def page(self, workspace_id: str, after: Keyset | None, limit: int) -> Page[Dashboard]:
        values: dict[str, Any] = {"workspace_id": workspace_id, "limit": limit + 1}
        if after is not None:
            values |= {"rank": after.rank, "key": after.key}
        query = _PAGE if after is None else _PAGE_AFTER
        boards = (await self.tx.execute(query, values)).all()
        shown = boards[:limit]
        last = Keyset(shown[-1].position, shown[-1].id) if len(boards) > limit else None
        return Page(await self._with_widgets(shown), last)

    async def count(self, workspace_id: str) -> int:
        query = select(func.count()).where(dashboards.c.workspace_id == workspace_id)
        return int((await self.tx.execute(query)).scalar_one())

    async def get(self, workspace_id: str, dashboard_id: str) -> Dashboard | None:
        found = await self._read(self.held(self._of(workspace_id, dashboard_id)))
        return found[0] if found else None

    async def widget(self, workspace_id: str, dashboard_id: str, widget_id: str) -> Widget | None:
        key = {"workspace_id": workspace_id, "dashboard_id": dashboard_id, "widget_id": widget_id}
        row = (await self.tx.execute(_WIDGET, key)).first()
        return _widget(row) if row is not None else None

    async def add(self, dashboard: Dashboard) -> None:
        await self.tx.execute(
            insert(dashboards).values(
                id=dashboard.id,
                workspace_id=dashboard.workspace_id,
                name=dashboard.name,
                position=time.time_ns(),
            )
        )
        for widget in dashboard.widgets:
            await self.add_widget(dashboard, widget)

    async def rename(self, dashboard: Dashboard) -> None:
        await self.tx.execute(
            update(dashboards)
            .where(
                dashboards.c.id == dashboard.id, dashboards.c.workspace_id == dashboard.workspace_id
            )
            .values(name=dashboard.name)
        )

    async def remove(self, workspace_id: str, dashboard_id: str) -> bool:
        result = await self.tx.execute(
            delete(dashboards).where(
                dashboards.c.workspace_id == workspace_id, dashboards.c.id == dashboard_id
            )
        )
        return bool(result.rowcount)

    async def add_widget(self, dashboard: Dashboard, widget: Widget) -> None:
        last = select(func.coalesce(func.max(widgets.c.position), -1) + 1).where(
            widgets.c.dashboard_id == dashboard.id
        )
        await self.tx.execute(
            insert(widgets).values(
                id=widget.id,
                dashboard_id=dashboard.id,
                kind=widget.kind.value,
                project_id=_project(widget),
                position=last.scalar_subquery(),
            )
        )

    async def save_widget(self, dashboard: Dashboard, widget: Widget) -> None:
        await self.tx.execute(
            update(widgets)
            .where(_on(dashboard), widgets.c.id == widget.id)
            .values(project_id=_project(widget))
        )

    async def remove_widget(self, dashboard: Dashboard, widget_id: str) -> None:
        await self.tx.execute(delete(widgets).where(_on(dashboard), widgets.c.id == widget_id))

    @staticmethod
    def _of(workspace_id: str, dashboard_id: str | None = None) -> Select[Any]:
        """The workspace's dashboards (or one of them) in creation order, ties broken by id."""
        query = select(dashboards).where(dashboards.c.workspace_id == workspace_id)
        if dashboard_id is not None:
            query = query.where(dashboards.c.id == dashboard_id)
        return query.order_by(dashboards.c.position, dashboards.c.id)

    async def _read(self, query: Select[Any]) -> Sequence[Dashboard]:
        return await self._with_widgets((await self.tx.execute(query)).all())

    async def _with_widgets(self, boards: Sequence[Row[Any]]) -> builtins.list[Dashboard]:
        ids = [b.id for b in boards]
        rows = (await self.tx.execute(_WIDGETS_OF, {"dashboard_ids": ids})).all() if ids else []
        by_board: dict[str, builtins.list[Widget]] = {i: [] for i in ids}
        for row in rows:
            by_board[row.dashboard_id].append(_widget(row))
        return [Dashboard(b.id, b.workspace_id, b.name, tuple(by_board[b.id])) for b in boards]


def _widget(row: Row[Any]) -> Widget:
    project = NeonProjectId(row.project_id) if row.project_id else None
    return Widget(row.id, WidgetKind(row.kind), NeonMetricsSettings(project))


def _on(dashboard: Dashboard) -> ColumnElement[bool]:
    """Widgets of this dashboard, and only if it is in its workspace (defence in depth: the
    use case already found the dashboard there)."""
    in_workspace = select(dashboards.c.id).where(
        dashboards.c.id == dashboard.id, dashboards.c.workspace_id == dashboard.workspace_id
    )
    return widgets.c.dashboard_id.in_(in_workspace.scalar_subquery())


def _project(widget: Widget) -> str | None:
    project = widget.settings.project_id
    return str(project) if project is not None else None
