"""Change a widget's settings (its own project, or None for the workspace's selection)."""

from __future__ import annotations

from dataclasses import dataclass

from application.permissions import Audience, still_member, use_case
from application.ports.stores import UnitOfWork
from application.ports.system import Clock
from domain.audit import AuditEvent
from domain.dashboards import Widget, existing, neon_metrics_settings
from domain.errors import InvalidInput, NotFound
from domain.ids import parse_uuid
from domain.workspaces import Member


@use_case(Audience.ADMINS, raises=(NotFound, InvalidInput))
@dataclass(frozen=True, slots=True)
class ConfigureWidget:
    uow: UnitOfWork
    clock: Clock

    async def execute(
        self, actor: Member, dashboard_id: str, widget_id: str, project_id: str | None
    ) -> Widget:
        wid = parse_uuid(widget_id, "The widget id")
        settings = neon_metrics_settings(project_id)
        board_id = parse_uuid(dashboard_id, "The dashboard id")
        async with self.uow.begin() as stores:
            await still_member(stores, actor)
            dashboard = existing(await stores.dashboards.get(actor.workspace_id, board_id))
            widget = dashboard.with_settings(wid, settings).widget(wid)
            await stores.dashboards.save_widget(dashboard, widget)
            await stores.audit.record(
                AuditEvent.by(
                    actor,
                    "widget.configured",
                    self.clock.now(),
                    dashboard_id=dashboard.id,
                    widget_id=wid,
                    project_id=project_id,
                )
            )
        return widget
