"""Add a widget from the library to a dashboard."""

from __future__ import annotations

from application.access import require_admin
from application.dashboard_lookup import dashboard_of
from application.ports.stores import DashboardStore
from application.widget_settings import neon_metrics_settings
from domain.dashboards import Widget, WidgetKind
from domain.errors import InvalidInput
from domain.ids import new_id
from domain.workspaces import Member


class AddWidget:
    """Admins only. Without settings a Neon Metrics widget shows the workspace's selection."""

    def __init__(self, dashboards: DashboardStore) -> None:
        self._dashboards = dashboards

    async def execute(
        self, actor: Member, dashboard_id: str, kind: str, project_id: str | None
    ) -> Widget:
        require_admin(actor)
        try:
            widget_kind = WidgetKind(kind)
        except ValueError:
            raise InvalidInput("That widget is not in the widget library.") from None
        dashboard = await dashboard_of(self._dashboards, actor.workspace_id, dashboard_id)
        widget = Widget(new_id(), widget_kind, neon_metrics_settings(project_id))
        await self._dashboards.put(dashboard.with_widget(widget))
        return widget
