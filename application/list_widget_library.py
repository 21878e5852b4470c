"""The widgets a member can add to a dashboard."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, use_case
from domain.dashboards import WIDGET_LIBRARY, WidgetSpec
from domain.workspaces import Member


@use_case(Audience.MEMBERS)
@dataclass(frozen=True, slots=True)
class ListWidgetLibrary:
    async def execute(self, actor: Member) -> tuple[WidgetSpec, ...]:
        return WIDGET_LIBRARY
