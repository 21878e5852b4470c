"""Rename a dashboard."""

from __future__ import annotations

from application.access import require_admin
from application.dashboard_lookup import dashboard_of
from application.ports.stores import DashboardStore
from domain.dashboards import Dashboard
from domain.workspaces import Member


class RenameDashboard:
    def __init__(self, dashboards: DashboardStore) -> None:
        self._dashboards = dashboards

    async def execute(self, actor: Member, dashboard_id: str, name: str) -> Dashboard:
        require_admin(actor)
        dashboard = await dashboard_of(self._dashboards, actor.workspace_id, dashboard_id)
        renamed = dashboard.renamed(name)
        await self._dashboards.put(renamed)
        return renamed
