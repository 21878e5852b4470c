"""Take a widget off a dashboard."""

from __future__ import annotations

from application.access import require_admin
from application.dashboard_lookup import dashboard_of
from application.ports.stores import DashboardStore
from domain.ids import parse_uuid
from domain.workspaces import Member


class RemoveWidget:
    def __init__(self, dashboards: DashboardStore) -> None:
        self._dashboards = dashboards

    async def execute(self, actor: Member, dashboard_id: str, widget_id: str) -> None:
        require_admin(actor)
        dashboard = await dashboard_of(self._dashboards, actor.workspace_id, dashboard_id)
        await self._dashboards.put(dashboard.without_widget(parse_uuid(widget_id, "The widget id")))
