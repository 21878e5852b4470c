"""Delete a dashboard and its widgets."""

from __future__ import annotations

from application.access import require_admin
from application.ports.stores import DashboardStore
from domain.errors import NotFound
from domain.ids import parse_uuid
from domain.workspaces import Member


class DeleteDashboard:
    def __init__(self, dashboards: DashboardStore) -> None:
        self._dashboards = dashboards

    async def execute(self, actor: Member, dashboard_id: str) -> None:
        require_admin(actor)
        removed = await self._dashboards.remove(
            actor.workspace_id, parse_uuid(dashboard_id, "The dashboard id")
        )
        if not removed:
            raise NotFound("No such dashboard in this workspace.")
