"""Create an empty dashboard."""

from __future__ import annotations

from application.access import require_admin
from application.ports.stores import DashboardStore
from domain.dashboards import Dashboard, dashboard_name
from domain.ids import new_id
from domain.workspaces import Member


class CreateDashboard:
    def __init__(self, dashboards: DashboardStore) -> None:
        self._dashboards = dashboards

    async def execute(self, actor: Member, name: str) -> Dashboard:
        require_admin(actor)
        dashboard = Dashboard(
            id=new_id(), workspace_id=actor.workspace_id, name=dashboard_name(name)
        )
        await self._dashboards.put(dashboard)
        return dashboard
