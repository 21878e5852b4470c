"""Change a widget's settings (its own project, or None for the workspace's selection)."""

from __future__ import annotations

from application.access import require_admin
from application.dashboard_lookup import dashboard_of
from application.ports.stores import DashboardStore
from application.widget_settings import neon_metrics_settings
from domain.dashboards import Widget
from domain.ids import parse_uuid
from domain.workspaces import Member


class ConfigureWidget:
    def __init__(self, dashboards: DashboardStore) -> None:
        self._dashboards = dashboards

    async def execute(
        self, actor: Member, dashboard_id: str, widget_id: str, project_id: str | None
    ) -> Widget:
        require_admin(actor)
        dashboard = await dashboard_of(self._dashboards, actor.workspace_id, dashboard_id)
        wid = parse_uuid(widget_id, "The widget id")
        updated = dashboard.with_settings(wid, neon_metrics_settings(project_id))
        await self._dashboards.put(updated)
        return updated.widget(wid)
