"""Find a dashboard of the actor's workspace; anything else does not exist."""

from __future__ import annotations

from application.ports.stores import DashboardStore
from domain.dashboards import Dashboard
from domain.errors import NotFound
from domain.ids import parse_uuid


async def dashboard_of(dashboards: DashboardStore, workspace_id: str, raw_id: str) -> Dashboard:
    dashboard = await dashboards.get(workspace_id, parse_uuid(raw_id, "The dashboard id"))
    if dashboard is None:
        raise NotFound("No such dashboard in this workspace.")
    return dashboard
