"""Read the workspace's dashboards: all of them, or one."""

from __future__ import annotations

from collections.abc import Sequence

from application.dashboard_lookup import dashboard_of
from application.ports.stores import DashboardStore
from domain.dashboards import Dashboard
from domain.workspaces import Member


class ReadDashboards:
    def __init__(self, dashboards: DashboardStore) -> None:
        self._dashboards = dashboards

    async def all(self, actor: Member) -> Sequence[Dashboard]:
        return await self._dashboards.list(actor.workspace_id)

    async def one(self, actor: Member, dashboard_id: str) -> Dashboard:
        return await dashboard_of(self._dashboards, actor.workspace_id, dashboard_id)
