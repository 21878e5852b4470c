"""The widgets a member can add to a dashboard."""

from __future__ import annotations

from domain.dashboards import WIDGET_LIBRARY, WidgetSpec
from domain.workspaces import Member


class ListWidgetLibrary:
    async def execute(self, actor: Member) -> tuple[WidgetSpec, ...]:
        return WIDGET_LIBRARY
